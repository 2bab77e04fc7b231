#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

constexpr const char* kSecret = "glpat-hook-6b1e0c9f2d4a";
constexpr const char* kEventUuid = "6a3e1f2c-9b7d-4e5f-8a1b-2c3d4e5f6a7b";
constexpr const char* kHeadSha = "b1f899267fddc5ebe7880974367a61f28f3645f0";

const Source& gitlab() {
  return sourceFor(api::SourceType::GitLab);
}

Delivery pushDelivery(std::string body, std::string event = "Push Hook") {
  return jsonDelivery(std::move(body), {{"X-Gitlab-Event", std::move(event)},
                                        {"X-Gitlab-Event-UUID", kEventUuid},
                                        {"X-Gitlab-Token", kSecret}});
}

PushEvent parsed(const Delivery& delivery) {
  const ParseResult result = gitlab().parse(delivery);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result.event() : PushEvent{};
}

TEST(GitLabAuthenticate, TokenMustEqualTheSecret) {
  Delivery delivery = pushDelivery(payloadFile("gitlab_push.json"));
  EXPECT_TRUE(gitlab().authenticate(delivery, kSecret).ok());

  std::string same_length = kSecret;
  same_length.back() = 'x';
  delivery.setHeader("X-Gitlab-Token", same_length);
  AuthResult result = gitlab().authenticate(delivery, kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Gitlab-Token is not the secret");

  delivery.setHeader("X-Gitlab-Token", std::string(kSecret) + " ");
  EXPECT_EQ(gitlab().authenticate(delivery, kSecret).status, AuthResult::Status::Wrong);
  delivery.setHeader("X-Gitlab-Token", "glpat");
  EXPECT_EQ(gitlab().authenticate(delivery, kSecret).status, AuthResult::Status::Wrong);
}

TEST(GitLabAuthenticate, MissingToken) {
  const Delivery delivery = jsonDelivery(payloadFile("gitlab_push.json"), {{"X-Gitlab-Event", "Push Hook"}});
  const AuthResult result = gitlab().authenticate(delivery, kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "X-Gitlab-Token");
}

TEST(GitLabAuthenticate, RefusesAnEmptySecret) {
  const Delivery delivery = jsonDelivery("{}", {{"X-Gitlab-Token", ""}});
  EXPECT_EQ(gitlab().authenticate(delivery, "").status, AuthResult::Status::Wrong);
}

TEST(GitLabParse, ReadsAFullPushWithTwentyCommitsAndNoHeadCommit) {
  const nlohmann::json payload = payloadJson("gitlab_push.json");
  ASSERT_EQ(payload["commits"].size(), 20u);
  ASSERT_FALSE(payload.contains("head_commit"));

  const PushEvent event = parsed(pushDelivery(payloadFile("gitlab_push.json")));
  EXPECT_EQ(event.kind, EventKind::Push);
  EXPECT_EQ(event.event_name, "Push Hook");
  EXPECT_EQ(event.delivery_id, kEventUuid);
  EXPECT_EQ(event.repository, "shop/backend/checkout");
  EXPECT_EQ(event.clone_url, "https://gitlab.example.com/shop/backend/checkout.git");
  EXPECT_EQ(event.repository_path, "shop/backend/checkout");
  EXPECT_EQ(event.branch, "release/2026.11");
  EXPECT_EQ(event.revision, kHeadSha);
  EXPECT_EQ(event.message, "Paiement : corrige l’arrondi des totaux € @deploy\n\nCloses #412");
  EXPECT_EQ(event.pusher, "emartin");
}

TEST(GitLabParse, TheHeadCommitIsTheOneNamedByCheckoutSha) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  const std::string middle = payload["commits"][5]["id"];
  payload["checkout_sha"] = middle;
  const PushEvent event = parsed(pushDelivery(payload.dump()));
  EXPECT_EQ(event.revision, middle);
  EXPECT_EQ(event.message, payload["commits"][5]["message"]);
}

TEST(GitLabParse, WithoutCheckoutShaAfterNamesTheHead) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload.erase("checkout_sha");
  payload["after"] = payload["commits"][2]["id"];
  EXPECT_EQ(parsed(pushDelivery(payload.dump())).revision, payload["commits"][2]["id"]);
}

TEST(GitLabParse, HeadOutsideTheTwentyListedCommitsFallsBackToTheLast) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload["checkout_sha"] = std::string(40, 'e');
  EXPECT_EQ(parsed(pushDelivery(payload.dump())).revision, kHeadSha);
}

TEST(GitLabParse, EmptyCommitListUsesCheckoutSha) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload["commits"] = nlohmann::json::array();
  payload["total_commits_count"] = 0;
  payload["checkout_sha"] = std::string(40, 'c');
  const PushEvent event = parsed(pushDelivery(payload.dump()));
  EXPECT_EQ(event.revision, std::string(40, 'c'));
  EXPECT_EQ(event.message, "");
}

TEST(GitLabParse, BranchDeletionHasNullCheckoutSha) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload["after"] = std::string(40, '0');
  payload["checkout_sha"] = nullptr;
  payload["commits"] = nlohmann::json::array();
  const PushEvent event = parsed(pushDelivery(payload.dump()));
  EXPECT_EQ(event.kind, EventKind::BranchDeletion);
  EXPECT_EQ(event.branch, "release/2026.11");
}

TEST(GitLabParse, TagPushHookAndOtherEvents) {
  EXPECT_EQ(parsed(pushDelivery("{}", "Tag Push Hook")).kind, EventKind::TagPush);
  const PushEvent merge_request = parsed(pushDelivery("{}", "Merge Request Hook"));
  EXPECT_EQ(merge_request.kind, EventKind::Other);
  EXPECT_EQ(merge_request.event_name, "Merge Request Hook");
  EXPECT_EQ(merge_request.delivery_id, kEventUuid);
  // Event names are matched exactly, as GitLab sends them.
  EXPECT_EQ(parsed(pushDelivery("{}", "push hook")).kind, EventKind::Other);
}

TEST(GitLabParse, MissingEventHeader) {
  const ParseResult result = gitlab().parse(jsonDelivery(payloadFile("gitlab_push.json"), {}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 400);
  EXPECT_EQ(result.error().message, "missing header X-Gitlab-Event");
}

TEST(GitLabParse, OlderGitLabWithoutEventUuidGetsAGeneratedId) {
  const Delivery delivery = jsonDelivery(payloadFile("gitlab_push.json"), {{"X-Gitlab-Event", "Push Hook"}});
  const PushEvent first = parsed(delivery);
  const PushEvent second = parsed(delivery);
  EXPECT_EQ(first.delivery_id.size(), 36u);
  EXPECT_NE(first.delivery_id, second.delivery_id);
}

TEST(GitLabParse, WrongTypesInKnownFields) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload["commits"][19]["id"] = 7;
  const ParseResult result = gitlab().parse(pushDelivery(payload.dump()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "field commits[19].id: expected a string, got number");
}

TEST(GitLabParse, ProjectMustBeAnObject) {
  nlohmann::json payload = payloadJson("gitlab_push.json");
  payload["project"] = "shop/backend/checkout";
  const ParseResult result = gitlab().parse(pushDelivery(payload.dump()));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "field project: expected an object, got string");
}

}  // namespace
}  // namespace autobuild::webhook
