#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::deliveryWith;
using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

// openssl dgst -sha256 -hmac "$secret" < payloads/gitea_push.json
constexpr const char* kSecret = "gitea-hook-secret-91c4";
constexpr const char* kSignature = "e9139e11dbf0147215f18b9bf7429ee8cb9fb0add7200e92e61a7e3fb34280b7";
constexpr const char* kDeliveryId = "0d7c3b6e-5a2f-4f19-b1f4-6c0b7f2d9a81";

const Source& gitea() {
  return sourceFor(api::SourceType::Gitea);
}

// Gitea sends Gogs' and GitHub's headers too, with the same values.
Delivery pushDelivery(std::string body, std::string signature = kSignature) {
  return jsonDelivery(std::move(body), {{"X-Gitea-Event", "push"},
                                        {"X-Gitea-Event-Type", "push"},
                                        {"X-Gitea-Delivery", kDeliveryId},
                                        {"X-Gitea-Signature", signature},
                                        {"X-Gogs-Event", "push"},
                                        {"X-GitHub-Event", "push"},
                                        {"X-Hub-Signature-256", "sha256=" + signature}});
}

TEST(GiteaAuthenticate, AcceptsTheSignatureOfTheBody) {
  EXPECT_TRUE(gitea().authenticate(pushDelivery(payloadFile("gitea_push.json")), kSecret).ok());
}

TEST(GiteaAuthenticate, RejectsWrongAndMissingSignatures) {
  std::string wrong = kSignature;
  wrong[63] = wrong[63] == '7' ? '8' : '7';
  AuthResult result = gitea().authenticate(pushDelivery(payloadFile("gitea_push.json"), wrong), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Gitea-Signature is not the body's HMAC-SHA256 under the secret");

  result = gitea().authenticate(jsonDelivery(payloadFile("gitea_push.json"), {{"X-Gitea-Event", "push"}}),
                                kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "X-Gitea-Signature");
}

TEST(GiteaParse, ReadsAFullPushPayload) {
  const ParseResult result = gitea().parse(pushDelivery(payloadFile("gitea_push.json")));
  ASSERT_TRUE(result.ok()) << result.error().message;
  const PushEvent& event = result.event();
  EXPECT_EQ(event.kind, EventKind::Push);
  EXPECT_EQ(event.delivery_id, kDeliveryId);
  EXPECT_EQ(event.repository, "shop/api");
  EXPECT_EQ(event.repository_path, "shop/api");
  EXPECT_EQ(event.branch, "feature/orders-v2");
  EXPECT_EQ(event.revision, "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d");
  EXPECT_EQ(event.message, "feat(api): thêm endpoint /v2/orders @deploy\n");
  EXPECT_EQ(event.pusher, "carol");
}

TEST(GiteaParse, OnlyGiteasOwnEventHeaderCounts) {
  Delivery delivery = pushDelivery(payloadFile("gitea_push.json"));
  delivery.setHeader("X-GitHub-Event", "issues");
  delivery.setHeader("X-Gogs-Event", "issues");
  const ParseResult result = gitea().parse(delivery);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.event().kind, EventKind::Push);

  delivery.setHeader("X-Gitea-Event", "pull_request");
  EXPECT_EQ(gitea().parse(delivery).event().kind, EventKind::Other);
}

TEST(GiteaParse, FormBody) {
  const Delivery delivery =
      deliveryWith("application/x-www-form-urlencoded",
                   "payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%2C%22after%22%3A%22"
                   "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d%22%2C%22commits%22%3A%5B%5D%7D",
                   {{"X-Gitea-Event", "push"}, {"X-Gitea-Delivery", kDeliveryId}});
  const ParseResult result = gitea().parse(delivery);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.event().branch, "main");
  EXPECT_EQ(result.event().revision, "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d");
}

TEST(GiteaParse, MissingDeliveryHeader) {
  const ParseResult result =
      gitea().parse(jsonDelivery(payloadFile("gitea_push.json"), {{"X-Gitea-Event", "push"}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "missing header X-Gitea-Delivery");
}

TEST(GiteaParse, WrongTypesInKnownFields) {
  nlohmann::json payload = payloadJson("gitea_push.json");
  payload["repository"]["clone_url"] = nlohmann::json::object();
  const ParseResult result = gitea().parse(pushDelivery(payload.dump()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "field repository.clone_url: expected a string, got object");
}

}  // namespace
}  // namespace autobuild::webhook
