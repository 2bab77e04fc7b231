#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

// openssl dgst -sha256 -hmac "$secret" < payloads/gogs_push.json
constexpr const char* kSecret = "gogs-hook-secret-7f3a";
constexpr const char* kSignature = "7710007d2acb2b6d4cb4cbb1d7b17e173ac917a671b1a8f7d22cc39b4c3f1fd6";
constexpr const char* kDeliveryId = "f6266f16-1bf3-46a5-9ea4-602e06ead473";

const Source& gogs() {
  return sourceFor(api::SourceType::Gogs);
}

Delivery pushDelivery(std::string body, std::string signature = kSignature) {
  return jsonDelivery(std::move(body), {{"X-Gogs-Event", "push"},
                                        {"X-Gogs-Delivery", kDeliveryId},
                                        {"X-Gogs-Signature", std::move(signature)}});
}

TEST(GogsAuthenticate, AcceptsTheSignatureOfTheBody) {
  EXPECT_TRUE(gogs().authenticate(pushDelivery(payloadFile("gogs_push.json")), kSecret).ok());
}

TEST(GogsAuthenticate, RejectsWrongAndMissingSignatures) {
  std::string wrong = kSignature;
  wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
  AuthResult result = gogs().authenticate(pushDelivery(payloadFile("gogs_push.json"), wrong), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Gogs-Signature is not the body's HMAC-SHA256 under the secret");

  // GitHub's format is not Gogs'.
  result = gogs().authenticate(
      pushDelivery(payloadFile("gogs_push.json"), std::string("sha256=") + kSignature), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);

  result =
      gogs().authenticate(jsonDelivery(payloadFile("gogs_push.json"), {{"X-Gogs-Event", "push"}}), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "X-Gogs-Signature");
}

TEST(GogsParse, ReadsAFullPushWithoutHeadCommit) {
  const ParseResult result = gogs().parse(pushDelivery(payloadFile("gogs_push.json")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  const PushEvent& event = result.event();
  EXPECT_EQ(event.kind, EventKind::Push);
  EXPECT_EQ(event.delivery_id, kDeliveryId);
  EXPECT_EQ(event.repository, "ops/billing");
  EXPECT_EQ(event.clone_url, "https://git.acme.example/ops/billing.git");
  EXPECT_EQ(event.repository_path, "ops/billing");
  EXPECT_EQ(event.branch, "main");
  // Gogs lists the newest commit first: the head is the one `after` names, not the last.
  EXPECT_EQ(event.revision, "723656ed789dbea6fd1b42b76721c59b8c268a32");
  EXPECT_EQ(event.message, "deploy: bump chart to 1.4.2 @deploy\n");
  EXPECT_EQ(event.pusher, "bob");
}

TEST(GogsParse, TheSourceComesFromTheAutoBuildNotTheHeaders) {
  // Gogs also sends X-GitHub-Event; a Gogs source reads only X-Gogs-Event.
  const Delivery github_style = jsonDelivery(
      payloadFile("gogs_push.json"), {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", kDeliveryId}});
  const ParseResult result = gogs().parse(github_style);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "missing header X-Gogs-Event");
}

TEST(GogsParse, OtherEventsAndMissingDelivery) {
  const ParseResult create =
      gogs().parse(jsonDelivery("{}", {{"X-Gogs-Event", "create"}, {"X-Gogs-Delivery", "1"}}));
  ASSERT_TRUE(create.ok());
  EXPECT_EQ(create.event().kind, EventKind::Other);

  const ParseResult missing =
      gogs().parse(jsonDelivery(payloadFile("gogs_push.json"), {{"X-Gogs-Event", "push"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "missing header X-Gogs-Delivery");
}

TEST(GogsParse, TagPushAndDeletion) {
  nlohmann::json payload = payloadJson("gogs_push.json");
  payload["ref"] = "refs/tags/v2.0.0";
  ParseResult result = gogs().parse(pushDelivery(payload.dump()));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.event().kind, EventKind::TagPush);
  EXPECT_EQ(result.event().tag, "v2.0.0");

  payload = payloadJson("gogs_push.json");
  payload["after"] = std::string(40, '0');
  payload["commits"] = nlohmann::json::array();
  result = gogs().parse(pushDelivery(payload.dump()));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.event().kind, EventKind::BranchDeletion);
}

TEST(GogsParse, WrongTypesInKnownFields) {
  nlohmann::json payload = payloadJson("gogs_push.json");
  payload["pusher"]["username"] = 3;
  const ParseResult result = gogs().parse(pushDelivery(payload.dump()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "field pusher.username: expected a string, got number");
}

}  // namespace
}  // namespace autobuild::webhook
