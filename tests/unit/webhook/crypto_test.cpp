#include "webhook/sources/crypto.h"

#include <set>

#include <gtest/gtest.h>

namespace autobuild::webhook {
namespace {

TEST(Crypto, HmacSha256MatchesGitHubsDocumentedVector) {
  // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload
  // "Hello, World!"; confirmed with `printf '%s' 'Hello, World!' | openssl dgst -sha256 -hmac ...`.
  EXPECT_EQ(toHex(hmacSha256("It's a Secret to Everybody", "Hello, World!")),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(Crypto, HmacSha256WithAnEmptyKeyAndMessage) {
  // `printf '' | openssl dgst -sha256 -hmac ''`
  EXPECT_EQ(toHex(hmacSha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Crypto, Base64FollowsRfc4648TestVectors) {
  EXPECT_EQ(toBase64(""), "");
  EXPECT_EQ(toBase64("f"), "Zg==");
  EXPECT_EQ(toBase64("fo"), "Zm8=");
  EXPECT_EQ(toBase64("foo"), "Zm9v");
  EXPECT_EQ(toBase64("foob"), "Zm9vYg==");
  EXPECT_EQ(toBase64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(toBase64("foobar"), "Zm9vYmFy");
}

TEST(Crypto, HexIsLowerCase) {
  EXPECT_EQ(toHex(std::string("\x00\xab\xff", 3)), "00abff");
}

TEST(Crypto, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(constantTimeEquals("secret", "secret"));
  EXPECT_TRUE(constantTimeEquals("", ""));
  EXPECT_FALSE(constantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(constantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(constantTimeEquals("secret", "secre"));
  EXPECT_FALSE(constantTimeEquals("secret", ""));
  EXPECT_FALSE(constantTimeEquals(std::string("a\0b", 3), "a"));
}

TEST(Crypto, RandomUuidsAreVersion4AndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string uuid = randomUuid();
    ASSERT_EQ(uuid.size(), 36u);
    EXPECT_EQ(uuid[8], '-');
    EXPECT_EQ(uuid[13], '-');
    EXPECT_EQ(uuid[14], '4');
    EXPECT_EQ(uuid[18], '-');
    EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
    EXPECT_EQ(uuid[23], '-');
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace autobuild::webhook
