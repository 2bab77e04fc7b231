#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::atMilliseconds;
using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

constexpr const char* kSecret = "SEC8f2e6a0c4b1d3e5f";
constexpr long long kTimestamp = 1795456683000;
// printf '%s\n%s' 1795456683000 "$secret" | openssl dgst -sha256 -hmac "$secret" -binary | base64
constexpr const char* kSignature = "w6TRy4Ej/QFTU6DguEk/7avpswD3Du2DtSqJkAKRYUY=";
// The same for timestamp 1795460283001.
constexpr const char* kSignatureOfAnotherTimestamp = "dkgQKFXuRceadZ2e5/bQTyWxngsmJepc2ah6AWX8oJ4=";
constexpr long long kHour = 3'600'000;

const Source& gitee() {
  return sourceFor(api::SourceType::Gitee);
}

Delivery signedDelivery(std::string token, long long received_ms,
                        std::string timestamp = std::to_string(kTimestamp)) {
  Delivery delivery =
      jsonDelivery(payloadFile("gitee_push.json"), {{"X-Gitee-Event", "Push Hook"},
                                                    {"X-Gitee-Token", std::move(token)},
                                                    {"X-Gitee-Timestamp", std::move(timestamp)},
                                                    {"User-Agent", "git-oschina-hook"}});
  delivery.received_at = atMilliseconds(received_ms);
  return delivery;
}

PushEvent parsed(const Delivery& delivery) {
  const ParseResult result = gitee().parse(delivery);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result.event() : PushEvent{};
}

TEST(GiteeAuthenticate, PasswordModeTokenEqualsTheSecret) {
  EXPECT_TRUE(gitee().authenticate(signedDelivery(kSecret, kTimestamp), kSecret).ok());
  // A password is not a signature: no time window applies to it.
  EXPECT_TRUE(gitee().authenticate(signedDelivery(kSecret, kTimestamp + 10 * kHour), kSecret).ok());
  Delivery without_timestamp = jsonDelivery("{}", {{"X-Gitee-Token", kSecret}});
  EXPECT_TRUE(gitee().authenticate(without_timestamp, kSecret).ok());
}

TEST(GiteeAuthenticate, WrongPassword) {
  std::string same_length = kSecret;
  same_length[3] = 'X';
  const Delivery delivery = jsonDelivery("{}", {{"X-Gitee-Token", same_length}});
  const AuthResult result = gitee().authenticate(delivery, kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Gitee-Token is not the secret, and no X-Gitee-Timestamp makes it a signature");
}

TEST(GiteeAuthenticate, SignModeWithinTheHour) {
  EXPECT_TRUE(gitee().authenticate(signedDelivery(kSignature, kTimestamp), kSecret).ok());
  EXPECT_TRUE(gitee().authenticate(signedDelivery(kSignature, kTimestamp + kHour), kSecret).ok());
  EXPECT_TRUE(gitee().authenticate(signedDelivery(kSignature, kTimestamp - kHour), kSecret).ok());
}

TEST(GiteeAuthenticate, SignModeAcceptsTheUrlEncodedSignature) {
  EXPECT_TRUE(
      gitee()
          .authenticate(signedDelivery("w6TRy4Ej%2FQFTU6DguEk%2f7avpswD3Du2DtSqJkAKRYUY%3D", kTimestamp),
                        kSecret)
          .ok());
}

TEST(GiteeAuthenticate, SignModeOutsideTheHour) {
  for (const long long received : {kTimestamp + kHour + 1, kTimestamp - kHour - 1, kTimestamp + 48 * kHour}) {
    const AuthResult result = gitee().authenticate(signedDelivery(kSignature, received), kSecret);
    EXPECT_EQ(result.status, AuthResult::Status::Wrong);
    EXPECT_EQ(result.detail,
              "X-Gitee-Timestamp is more than 1 h away from the time the request was received");
  }
}

TEST(GiteeAuthenticate, SignatureOfTheRightLengthButWrongValue) {
  std::string wrong = kSignature;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  const AuthResult result = gitee().authenticate(signedDelivery(wrong, kTimestamp), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Gitee-Token is neither the secret nor its signature of X-Gitee-Timestamp");
}

TEST(GiteeAuthenticate, SignatureOfAnotherTimestampOrSecret) {
  EXPECT_FALSE(gitee().authenticate(signedDelivery(kSignatureOfAnotherTimestamp, kTimestamp), kSecret).ok());
  // Valid with its own timestamp.
  EXPECT_TRUE(
      gitee()
          .authenticate(signedDelivery(kSignatureOfAnotherTimestamp, 1795460283001, "1795460283001"), kSecret)
          .ok());
  EXPECT_FALSE(gitee().authenticate(signedDelivery(kSignature, kTimestamp), "SECanother").ok());
}

TEST(GiteeAuthenticate, MalformedTimestamp) {
  for (const std::string timestamp : {"1795456683000.5", "-1795456683000", "soon", "17954566830001234567"}) {
    const AuthResult result =
        gitee().authenticate(signedDelivery(kSignature, kTimestamp, timestamp), kSecret);
    EXPECT_EQ(result.status, AuthResult::Status::Wrong) << timestamp;
    EXPECT_EQ(result.detail, "X-Gitee-Timestamp is not a time in milliseconds") << timestamp;
  }
}

TEST(GiteeAuthenticate, MissingToken) {
  const AuthResult result = gitee().authenticate(jsonDelivery("{}", {{"X-Gitee-Timestamp", "1"}}), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "X-Gitee-Token");
}

TEST(GiteeAuthenticate, RefusesAnEmptySecret) {
  EXPECT_EQ(gitee().authenticate(jsonDelivery("{}", {{"X-Gitee-Token", "x"}}), "").status,
            AuthResult::Status::Wrong);
}

TEST(GiteeParse, ReadsAFullPushPayload) {
  const PushEvent event = parsed(signedDelivery(kSignature, kTimestamp));
  EXPECT_EQ(event.kind, EventKind::Push);
  EXPECT_EQ(event.delivery_id, "1795456683000:b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1");
  EXPECT_EQ(event.repository, "acme/web");
  EXPECT_EQ(event.repository_path, "acme/web");
  EXPECT_EQ(event.branch, "master");
  EXPECT_EQ(event.revision, "b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1");
  EXPECT_EQ(event.message, "修复支付回调签名校验 @deploy\n\n回调验签失败时返回 400。");
  EXPECT_EQ(event.pusher, "lilei");
}

TEST(GiteeParse, DeliveryIdFallsBackToTheBodysTimestamp) {
  const Delivery delivery = jsonDelivery(payloadFile("gitee_push.json"), {{"X-Gitee-Event", "Push Hook"}});
  EXPECT_EQ(parsed(delivery).delivery_id, "1795456683000:b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1");

  nlohmann::json payload = payloadJson("gitee_push.json");
  payload["timestamp"] = 1795456683001;
  EXPECT_EQ(parsed(jsonDelivery(payload.dump(), {{"X-Gitee-Event", "Push Hook"}})).delivery_id,
            "1795456683001:b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1");
}

TEST(GiteeParse, TagPushHookAndOtherEvents) {
  const Delivery tag =
      jsonDelivery("{}", {{"X-Gitee-Event", "Tag Push Hook"}, {"X-Gitee-Timestamp", "1795456683000"}});
  const PushEvent event = parsed(tag);
  EXPECT_EQ(event.kind, EventKind::TagPush);
  EXPECT_EQ(event.delivery_id, "1795456683000");
  EXPECT_EQ(parsed(jsonDelivery("{}", {{"X-Gitee-Event", "Issue Hook"}})).kind, EventKind::Other);
}

TEST(GiteeParse, BranchDeletion) {
  nlohmann::json payload = payloadJson("gitee_push.json");
  payload["deleted"] = true;
  payload["after"] = std::string(40, '0');
  payload["head_commit"] = nullptr;
  payload["commits"] = nullptr;
  EXPECT_EQ(parsed(jsonDelivery(payload.dump(), {{"X-Gitee-Event", "Push Hook"}})).kind,
            EventKind::BranchDeletion);
}

TEST(GiteeParse, MissingEventHeader) {
  const ParseResult result =
      gitee().parse(jsonDelivery(payloadFile("gitee_push.json"), {{"X-Gitee-Token", kSecret}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "missing header X-Gitee-Event");
}

TEST(GiteeParse, WrongTypesInKnownFields) {
  nlohmann::json payload = payloadJson("gitee_push.json");
  payload["head_commit"]["message"] = nlohmann::json::array({"修复"});
  const ParseResult result = gitee().parse(jsonDelivery(payload.dump(), {{"X-Gitee-Event", "Push Hook"}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "field head_commit.message: expected a string, got array");
}

}  // namespace
}  // namespace autobuild::webhook
