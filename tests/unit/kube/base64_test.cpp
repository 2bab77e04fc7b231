#include "kube/base64.h"

#include <vector>

#include <gtest/gtest.h>

namespace autobuild::kube {
namespace {

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64Decode(base64Encode(text)), text);
  }
  EXPECT_EQ(base64Encode("s3cret"), "czNjcmV0");
  EXPECT_EQ(base64Decode("aHVudGVyMg=="), "hunter2");
}

TEST(Base64, RejectsWhatIsNotPaddedBase64) {
  EXPECT_EQ(base64Decode("abc"), std::nullopt) << "not a multiple of 4";
  EXPECT_EQ(base64Decode("ab!d"), std::nullopt);
  EXPECT_EQ(base64Decode("a=bc"), std::nullopt) << "padding only at the end";
  EXPECT_EQ(base64Decode("ab=c"), std::nullopt);
  EXPECT_EQ(base64Decode("a==="), std::nullopt);
}

}  // namespace
}  // namespace autobuild::kube
