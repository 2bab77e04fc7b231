#include "api/webhook_id.h"

#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

// printf '%s' 'shop/web' | openssl dgst -sha256 -hmac 'the-secret'
//   879462fc02536b99cddbd3cc9c8d150156de49e6387281ceadc7af062a5df027
TEST(WebhookId, IsTheFirst40HexCharactersOfTheHmacOfNamespaceAndName) {
  EXPECT_EQ(webhookId("the-secret", "shop", "web"), "879462fc02536b99cddbd3cc9c8d150156de49e6");
}

TEST(WebhookId, ChangesWithTheSecretTheNamespaceAndTheName) {
  const std::string id = webhookId("the-secret", "shop", "web");
  EXPECT_NE(webhookId("rotated-secret", "shop", "web"), id);
  EXPECT_NE(webhookId("the-secret", "shop2", "web"), id);
  EXPECT_NE(webhookId("the-secret", "shop", "web2"), id);
  // The separator keeps "a/bc" and "ab/c" apart.
  EXPECT_NE(webhookId("the-secret", "a", "bc"), webhookId("the-secret", "ab", "c"));
}

TEST(WebhookId, IsStableAndLowercaseHex) {
  const std::string id = webhookId("s3cr3t", "default", "api");
  EXPECT_EQ(id, webhookId("s3cr3t", "default", "api"));
  ASSERT_EQ(id.size(), 40u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(WebhookPath, IsUnderHooks) {
  EXPECT_EQ(webhookPath("879462fc02536b99cddbd3cc9c8d150156de49e6"),
            "/hooks/879462fc02536b99cddbd3cc9c8d150156de49e6");
}

}  // namespace
}  // namespace autobuild::api
