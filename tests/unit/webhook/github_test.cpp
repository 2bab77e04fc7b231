#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::deliveryWith;
using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

// Computed with `openssl dgst -sha256 -hmac "$secret" < payloads/<file>`.
constexpr const char* kSecret = "0d5a3f1e9b7c2a4f6e8d0c1b3a5f7e9d";
constexpr const char* kPushSignature =
    "sha256=d058b75f28f846f135a80cbda9e68f7bd84b771b339b3346599e6b94a8b43c8e";
constexpr const char* kFormSignature =
    "sha256=9c2e969acb3f84755badb47eb30d650eb69c26acb570a300dea6d2e385aac4e1";
constexpr const char* kPingSignature =
    "sha256=ea84dd0d1de0fbc530e0923f0d6d147275f19adce95a0e0ba83f0bbd6b0a2113";
constexpr const char* kDeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

const Source& github() {
  return sourceFor(api::SourceType::GitHub);
}

Delivery pushDelivery(std::string body, std::string signature = kPushSignature) {
  return jsonDelivery(std::move(body), {{"X-GitHub-Event", "push"},
                                        {"X-GitHub-Delivery", kDeliveryId},
                                        {"X-Hub-Signature-256", std::move(signature)}});
}

Delivery pushOf(const nlohmann::json& payload) {
  return pushDelivery(payload.dump());
}

PushEvent parsed(const Delivery& delivery) {
  const ParseResult result = github().parse(delivery);
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result.event() : PushEvent{};
}

ParseError parseError(const Delivery& delivery) {
  const ParseResult result = github().parse(delivery);
  EXPECT_FALSE(result.ok());
  return result.ok() ? ParseError{0, "parsed"} : result.error();
}

TEST(GitHubAuthenticate, AcceptsTheSignatureOfTheRawBody) {
  EXPECT_TRUE(github().authenticate(pushDelivery(payloadFile("github_push.json")), kSecret).ok());
}

TEST(GitHubAuthenticate, AcceptsGitHubsDocumentedExample) {
  const Delivery delivery = pushDelivery(
      "Hello, World!", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  EXPECT_TRUE(github().authenticate(delivery, "It's a Secret to Everybody").ok());
}

TEST(GitHubAuthenticate, AcceptsUpperCaseHex) {
  std::string signature = kPushSignature;
  for (std::size_t i = 7; i < signature.size(); ++i) {
    signature[i] = static_cast<char>(std::toupper(signature[i]));
  }
  EXPECT_TRUE(github().authenticate(pushDelivery(payloadFile("github_push.json"), signature), kSecret).ok());
}

TEST(GitHubAuthenticate, SignatureCoversTheFormBodyAsSent) {
  const Delivery delivery =
      deliveryWith("application/x-www-form-urlencoded", payloadFile("github_push_form.txt"),
                   {{"X-GitHub-Event", "push"},
                    {"X-GitHub-Delivery", kDeliveryId},
                    {"X-Hub-Signature-256", kFormSignature}});
  EXPECT_TRUE(github().authenticate(delivery, kSecret).ok());
}

TEST(GitHubAuthenticate, MissingSignatureNamesTheHeader) {
  Delivery delivery = jsonDelivery(payloadFile("github_push.json"), {{"X-GitHub-Event", "push"}});
  const AuthResult result = github().authenticate(delivery, kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "X-Hub-Signature-256");

  delivery.setHeader("X-Hub-Signature-256", "");
  EXPECT_EQ(github().authenticate(delivery, kSecret).status, AuthResult::Status::Missing);
}

TEST(GitHubAuthenticate, RejectsASignatureOfTheRightLengthButWrongValue) {
  std::string signature = kPushSignature;
  signature.back() = signature.back() == '0' ? '1' : '0';
  const AuthResult result =
      github().authenticate(pushDelivery(payloadFile("github_push.json"), signature), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Hub-Signature-256 is not the body's HMAC-SHA256 under the secret");
}

TEST(GitHubAuthenticate, RejectsAnotherBodyAnotherSecretAndTruncatedSignatures) {
  std::string body = payloadFile("github_push.json");
  EXPECT_FALSE(github().authenticate(pushDelivery(body), "another secret").ok());
  EXPECT_FALSE(github().authenticate(pushDelivery(body, "sha256="), kSecret).ok());
  EXPECT_FALSE(
      github().authenticate(pushDelivery(body, std::string(kPushSignature).substr(0, 40)), kSecret).ok());
  EXPECT_FALSE(github().authenticate(pushDelivery(body, std::string(kPushSignature) + "00"), kSecret).ok());
  body.back() = ' ';
  EXPECT_FALSE(github().authenticate(pushDelivery(body), kSecret).ok());
}

TEST(GitHubAuthenticate, RejectsTheSha1HeaderFormat) {
  const std::string sha1 = "sha1=" + std::string(kPushSignature).substr(7);
  const AuthResult result =
      github().authenticate(pushDelivery(payloadFile("github_push.json"), sha1), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "X-Hub-Signature-256 does not start with \"sha256=\"");
}

TEST(GitHubAuthenticate, RefusesAnEmptySecret) {
  const std::string empty_key_signature =
      "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
  const AuthResult result = github().authenticate(pushDelivery("", empty_key_signature), "");
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "the AutoBuild's secret is empty");
}

TEST(GitHubParse, ReadsAFullPushPayload) {
  const PushEvent event = parsed(pushDelivery(payloadFile("github_push.json")));
  EXPECT_EQ(event.kind, EventKind::Push);
  EXPECT_EQ(event.event_name, "push");
  EXPECT_EQ(event.delivery_id, kDeliveryId);
  EXPECT_EQ(event.repository, "acme/web");
  EXPECT_EQ(event.clone_url, "https://github.com/acme/web.git");
  EXPECT_EQ(event.repository_path, "acme/web");
  EXPECT_EQ(event.branch, "main");
  EXPECT_EQ(event.tag, "");
  EXPECT_EQ(event.revision, "1cdc0a9a7f3e5b2d4c6e8f0a1b3c5d7e9f2a4b6c");
  EXPECT_EQ(event.message.substr(0, event.message.find('\n')), "修复登录超时 — fix login timeout 🚀 @deploy");
  EXPECT_NE(event.message.find("Co-authored-by: Zoë Müller"), std::string::npos);
  EXPECT_EQ(event.pusher, "zmuller");
  EXPECT_EQ(event.image, "");
}

TEST(GitHubParse, FormBodyReadsLikeJson) {
  const Delivery form =
      deliveryWith("application/x-www-form-urlencoded; charset=utf-8", payloadFile("github_push_form.txt"),
                   {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", kDeliveryId}});
  const PushEvent from_form = parsed(form);
  const PushEvent from_json = parsed(pushDelivery(payloadFile("github_push.json")));
  EXPECT_EQ(from_form.revision, from_json.revision);
  EXPECT_EQ(from_form.message, from_json.message);
  EXPECT_EQ(from_form.repository, "acme/web");
  EXPECT_EQ(from_form.branch, "main");
}

TEST(GitHubParse, FormBodyErrors) {
  const auto form = [](std::string body) {
    return deliveryWith("application/x-www-form-urlencoded", std::move(body),
                        {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", kDeliveryId}});
  };
  EXPECT_EQ(parseError(form("zen=1")).message, "form body has no payload field");
  const ParseError malformed = parseError(form("payload=%7B%22ref%22%3A%2"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(
      malformed.message.rfind("body is not valid form encoding: malformed percent escape at byte 23", 0), 0u);
  EXPECT_EQ(parseError(form("payload=%7B%22ref")).message.rfind("body is not valid JSON: ", 0), 0u);
}

TEST(GitHubParse, Ping) {
  const Delivery delivery =
      jsonDelivery(payloadFile("github_ping.json"), {{"X-GitHub-Event", "ping"},
                                                     {"X-GitHub-Delivery", kDeliveryId},
                                                     {"X-Hub-Signature-256", kPingSignature}});
  EXPECT_TRUE(github().authenticate(delivery, kSecret).ok());
  const PushEvent event = parsed(delivery);
  EXPECT_EQ(event.kind, EventKind::Ping);
  EXPECT_EQ(event.delivery_id, kDeliveryId);
}

TEST(GitHubParse, OtherEventsAreNotRead) {
  const PushEvent event = parsed(jsonDelivery(
      "{\"action\": \"opened\"}", {{"X-GitHub-Event", "issues"}, {"X-GitHub-Delivery", kDeliveryId}}));
  EXPECT_EQ(event.kind, EventKind::Other);
  EXPECT_EQ(event.event_name, "issues");
}

TEST(GitHubParse, MissingHeaders) {
  const ParseError no_event =
      parseError(jsonDelivery(payloadFile("github_push.json"), {{"X-GitHub-Delivery", "1"}}));
  EXPECT_EQ(no_event.status, 400);
  EXPECT_EQ(no_event.message, "missing header X-GitHub-Event");
  EXPECT_EQ(parseError(jsonDelivery(payloadFile("github_push.json"), {{"X-GitHub-Event", "push"}})).message,
            "missing header X-GitHub-Delivery");
}

TEST(GitHubParse, DeliveryIdIsBounded) {
  Delivery delivery = pushDelivery(payloadFile("github_push.json"));
  delivery.setHeader("X-GitHub-Delivery", std::string(257, 'a'));
  EXPECT_EQ(parseError(delivery).message, "header X-GitHub-Delivery: longer than 256 bytes");
  delivery.setHeader("X-GitHub-Delivery", std::string(256, 'a'));
  EXPECT_EQ(parsed(delivery).delivery_id, std::string(256, 'a'));
}

TEST(GitHubParse, UnsupportedContentTypes) {
  Delivery delivery = pushDelivery(payloadFile("github_push.json"));
  delivery.content_type = "text/plain";
  ParseError error = parseError(delivery);
  EXPECT_EQ(error.status, 415);
  EXPECT_EQ(
      error.message,
      "unsupported content type \"text/plain\": send application/json or application/x-www-form-urlencoded");
  delivery.content_type = "";
  error = parseError(delivery);
  EXPECT_EQ(error.status, 415);
  EXPECT_EQ(error.message,
            "missing header Content-Type: send application/json or application/x-www-form-urlencoded");
  EXPECT_TRUE(github().accepts(BodyFormat::Json));
  EXPECT_TRUE(github().accepts(BodyFormat::Form));
}

TEST(GitHubParse, TruncatedJson) {
  const std::string body = payloadFile("github_push.json");
  const ParseError error = parseError(pushDelivery(body.substr(0, body.size() / 2)));
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.message.rfind("body is not valid JSON: parse error at line ", 0), 0u) << error.message;
}

TEST(GitHubParse, WrongTypesInKnownFields) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["head_commit"]["id"] = 42;
  EXPECT_EQ(parseError(pushOf(payload)).message, "field head_commit.id: expected a string, got number");

  payload = payloadJson("github_push.json");
  payload["ref"] = nlohmann::json::array();
  EXPECT_EQ(parseError(pushOf(payload)).message, "field ref: expected a string, got array");

  payload = payloadJson("github_push.json");
  payload["repository"]["full_name"] = true;
  EXPECT_EQ(parseError(pushOf(payload)).message,
            "field repository.full_name: expected a string, got boolean");

  payload = payloadJson("github_push.json");
  payload["deleted"] = "false";
  EXPECT_EQ(parseError(pushOf(payload)).message, "field deleted: expected a boolean, got string");

  payload = payloadJson("github_push.json");
  payload["head_commit"] = "1cdc0a9a";
  EXPECT_EQ(parseError(pushOf(payload)).message, "field head_commit: expected an object, got string");

  payload = payloadJson("github_push.json");
  payload.erase("head_commit");
  payload["commits"][1] = "not a commit";
  EXPECT_EQ(parseError(pushOf(payload)).message, "field commits[1]: expected an object, got string");

  payload = payloadJson("github_push.json");
  payload.erase("head_commit");
  payload["commits"] = {{"id", "x"}};
  EXPECT_EQ(parseError(pushOf(payload)).message, "field commits: expected an array, got object");
  // With a head_commit the commits are not needed, but a malformed list is still a malformed body.
  payload = payloadJson("github_push.json");
  payload["commits"] = "x";
  EXPECT_EQ(parseError(pushOf(payload)).message, "field commits: expected an array, got string");
}

TEST(GitHubParse, MissingAndMalformedRequiredFields) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload.erase("ref");
  EXPECT_EQ(parseError(pushOf(payload)).message, "field ref: missing");

  payload = payloadJson("github_push.json");
  payload["head_commit"].erase("id");
  EXPECT_EQ(parseError(pushOf(payload)).message, "field head_commit.id: missing");

  payload = payloadJson("github_push.json");
  payload["head_commit"]["id"] = "not-a-sha";
  EXPECT_EQ(parseError(pushOf(payload)).message,
            "field head_commit.id: expected a commit SHA (40 or 64 hex digits)");

  payload = payloadJson("github_push.json");
  payload.erase("head_commit");
  payload.erase("after");
  payload["commits"] = nlohmann::json::array();
  EXPECT_EQ(parseError(pushOf(payload)).message, "field after: missing");
}

TEST(GitHubParse, UpperCaseAndSha256CommitIdsAreLowerCased) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["head_commit"]["id"] = "1CDC0A9A7F3E5B2D4C6E8F0A1B3C5D7E9F2A4B6C";
  EXPECT_EQ(parsed(pushOf(payload)).revision, "1cdc0a9a7f3e5b2d4c6e8f0a1b3c5d7e9f2a4b6c");
  const std::string sha256_id(64, 'a');
  payload["head_commit"]["id"] = sha256_id;
  EXPECT_EQ(parsed(pushOf(payload)).revision, sha256_id);
}

TEST(GitHubParse, BranchDeletion) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["ref"] = "refs/heads/feature/old-checkout";
  payload["deleted"] = true;
  payload["after"] = std::string(40, '0');
  payload["head_commit"] = nullptr;
  payload["commits"] = nlohmann::json::array();
  const PushEvent event = parsed(pushOf(payload));
  EXPECT_EQ(event.kind, EventKind::BranchDeletion);
  EXPECT_EQ(event.branch, "feature/old-checkout");
  EXPECT_EQ(event.revision, "");

  payload.erase("deleted");  // all-zero `after` alone also means deletion
  EXPECT_EQ(parsed(pushOf(payload)).kind, EventKind::BranchDeletion);
}

TEST(GitHubParse, TagPush) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["ref"] = "refs/tags/v1.4.2";
  payload["base_ref"] = "refs/heads/main";
  const PushEvent event = parsed(pushOf(payload));
  EXPECT_EQ(event.kind, EventKind::TagPush);
  EXPECT_EQ(event.tag, "v1.4.2");
  EXPECT_EQ(event.branch, "");
}

TEST(GitHubParse, RefsOutsideBranchesAndTagsAreOtherEvents) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["ref"] = "refs/notes/commits";
  EXPECT_EQ(parsed(pushOf(payload)).kind, EventKind::Other);
}

TEST(GitHubParse, SlashesInBranchNamesAreKept) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["ref"] = "refs/heads/feature/login/fix-timeout";
  EXPECT_EQ(parsed(pushOf(payload)).branch, "feature/login/fix-timeout");
}

TEST(GitHubParse, WithoutHeadCommitTheCommitMatchingAfterIsTheHead) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload.erase("head_commit");
  payload["after"] = payload["commits"][1]["id"];
  const PushEvent event = parsed(pushOf(payload));
  EXPECT_EQ(event.revision, "4e7d1c9b8a6f5e3d2c1b0a9f8e7d6c5b4a392817");
  EXPECT_EQ(event.message, "ログイン画面のレイアウトを修正 🎨");
}

TEST(GitHubParse, WithoutHeadCommitOrMatchTheLastCommitIsTheHead) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload["head_commit"] = nullptr;
  payload["after"] = std::string(40, 'f');
  EXPECT_EQ(parsed(pushOf(payload)).revision, "1cdc0a9a7f3e5b2d4c6e8f0a1b3c5d7e9f2a4b6c");
}

TEST(GitHubParse, WithoutAnyCommitTheRevisionIsAfter) {
  nlohmann::json payload = payloadJson("github_push.json");
  payload.erase("head_commit");
  payload["commits"] = nlohmann::json::array();
  const PushEvent event = parsed(pushOf(payload));
  EXPECT_EQ(event.revision, "1cdc0a9a7f3e5b2d4c6e8f0a1b3c5d7e9f2a4b6c");
  EXPECT_EQ(event.message, "");
}

TEST(GitHubParse, NonUtf8CommitMessageIsAcceptedWithReplacementCharacters) {
  std::string body = payloadJson("github_push.json").dump();
  const std::string original = "Café-tested by Zoë";
  ASSERT_NE(body.find(original), std::string::npos);
  // In commits[2] and head_commit, as Latin-1 bytes.
  for (auto at = body.find(original); at != std::string::npos; at = body.find(original)) {
    body.replace(at, original.size(), "Caf\xE9-tested by Zo\xEB");
  }
  const PushEvent event = parsed(pushDelivery(body));
  EXPECT_NE(event.message.find("Caf\xEF\xBF\xBD-tested by Zo\xEF\xBF\xBD."), std::string::npos)
      << event.message;
}

}  // namespace
}  // namespace autobuild::webhook
