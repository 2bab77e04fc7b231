#include "webhook/http/path_decoding.h"

#include <gtest/gtest.h>

namespace autobuild::http {
namespace {

TEST(DecodePath, DecodesEscapes) {
  EXPECT_EQ(decodePath("/hooks/abc"), "/hooks/abc");
  EXPECT_EQ(decodePath("/a%20b/%7Euser"), "/a b/~user");
  EXPECT_EQ(decodePath("/caf%C3%A9"), "/caf\xC3\xA9");
}

TEST(DecodePath, NormalizesNothing) {
  EXPECT_EQ(decodePath("/a//b"), "/a//b");
  EXPECT_EQ(decodePath("/hooks/"), "/hooks/");
  EXPECT_EQ(decodePath("/a/.b/..c"), "/a/.b/..c");
}

TEST(DecodePath, RefusesMalformedEscapes) {
  EXPECT_EQ(decodePath("/a%"), std::nullopt);
  EXPECT_EQ(decodePath("/a%2"), std::nullopt);
  EXPECT_EQ(decodePath("/a%zz"), std::nullopt);
  EXPECT_EQ(decodePath("/a%g0"), std::nullopt);
}

TEST(DecodePath, RefusesDotSegmentsRawOrEncoded) {
  EXPECT_EQ(decodePath("/hooks/../metrics"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/./x"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/.."), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/%2e%2e/metrics"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/%2E."), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/%2e"), std::nullopt);
}

TEST(DecodePath, RefusesEncodedSeparatorsAndBackslashes) {
  EXPECT_EQ(decodePath("/hooks%2F..%2Fhealthz"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks%2fx"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks%5Cx"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks\\x"), std::nullopt);
}

TEST(DecodePath, RefusesControlCharacters) {
  EXPECT_EQ(decodePath("/hooks/abc%00"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/%0d%0aX"), std::nullopt);
  EXPECT_EQ(decodePath("/hooks/%7f"), std::nullopt);
}

}  // namespace
}  // namespace autobuild::http
