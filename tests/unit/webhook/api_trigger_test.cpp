#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::deliveryWith;
using testing::jsonDelivery;
using testing::payloadFile;

constexpr const char* kSecret = "2c6f1d7f0e8a4b39a5c3e1f7d9b2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5";

const Source& apiTrigger() {
  return sourceFor(api::SourceType::API);
}

AuthResult authenticate(std::string body) {
  return apiTrigger().authenticate(jsonDelivery(std::move(body), {}), kSecret);
}

std::string withKey(const std::string& secret_key) {
  return nlohmann::json{{"secret_key", secret_key}}.dump();
}

PushEvent parsed(std::string body) {
  const ParseResult result = apiTrigger().parse(jsonDelivery(std::move(body), {}));
  EXPECT_TRUE(result.ok()) << result.error().message;
  return result.ok() ? result.event() : PushEvent{};
}

std::string parseError(std::string body) {
  const ParseResult result = apiTrigger().parse(jsonDelivery(std::move(body), {}));
  EXPECT_FALSE(result.ok());
  return result.ok() ? "parsed" : result.error().message;
}

TEST(ApiTriggerAuthenticate, SecretKeyEqualsTheSecret) {
  EXPECT_TRUE(authenticate(payloadFile("api_trigger.json")).ok());
  EXPECT_TRUE(authenticate(withKey(kSecret)).ok());
}

TEST(ApiTriggerAuthenticate, WrongSecretKey) {
  std::string same_length = kSecret;
  same_length.back() = same_length.back() == '5' ? '6' : '5';
  AuthResult result = authenticate(withKey(same_length));
  EXPECT_EQ(result.status, AuthResult::Status::Wrong);
  EXPECT_EQ(result.detail, "body field secret_key is not the secret");
  EXPECT_EQ(authenticate(withKey("")).status, AuthResult::Status::Wrong);
  EXPECT_EQ(authenticate(withKey(std::string(kSecret) + "0")).status, AuthResult::Status::Wrong);
}

TEST(ApiTriggerAuthenticate, SecretKeyMustBeAString) {
  for (const std::string value : {"42", "null", "true", "[\"x\"]", "{\"secret_key\": \"x\"}"}) {
    const AuthResult result = authenticate("{\"secret_key\": " + value + "}");
    EXPECT_EQ(result.status, AuthResult::Status::Wrong) << value;
    EXPECT_EQ(result.detail, "body field secret_key is not a string") << value;
  }
}

TEST(ApiTriggerAuthenticate, MissingSecretKey) {
  AuthResult result = authenticate(R"({"revision": "abc"})");
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "body field secret_key");
  // Only the top-level field counts.
  result = authenticate(std::string(R"({"nested": {"secret_key": ")") + kSecret +
                        "\"}, \"list\": [\"secret_key\"]}");
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
}

TEST(ApiTriggerAuthenticate, UnreadableBodies) {
  AuthResult result = authenticate(std::string(R"({"secret_key": ")") + kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail.rfind("body field secret_key: body is not valid JSON: ", 0), 0u) << result.detail;

  result = authenticate(std::string(R"([{"secret_key": ")") + kSecret + "\"}]");
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "body field secret_key: body is not a JSON object");

  result = authenticate(std::string(R"({"secret_key": ")") + kSecret +
                        "\", \"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "body field secret_key: body nests deeper than 64 levels");

  result = authenticate(withKey(kSecret) + " trailing");
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
}

TEST(ApiTriggerAuthenticate, BodyMustBeJson) {
  const AuthResult result = apiTrigger().authenticate(
      deliveryWith("application/x-www-form-urlencoded", withKey(kSecret), {}), kSecret);
  EXPECT_EQ(result.status, AuthResult::Status::Missing);
  EXPECT_EQ(result.detail, "body field secret_key: the body is not application/json");
}

TEST(ApiTriggerAuthenticate, TheLastSecretKeyCountsAsInTheParsedBody) {
  EXPECT_TRUE(authenticate(std::string(R"({"secret_key": "guess", "secret_key": ")") + kSecret + "\"}").ok());
  EXPECT_FALSE(
      authenticate(std::string(R"({"secret_key": ")") + kSecret + R"(", "secret_key": "guess"})").ok());
}

TEST(ApiTriggerAuthenticate, RefusesAnEmptySecret) {
  EXPECT_EQ(apiTrigger().authenticate(jsonDelivery(withKey(""), {}), "").status, AuthResult::Status::Wrong);
}

TEST(ApiTriggerParse, ReadsRevisionAndTag) {
  const PushEvent event = parsed(payloadFile("api_trigger.json"));
  EXPECT_EQ(event.kind, EventKind::ApiCall);
  EXPECT_EQ(event.revision, "release-2026.11.23");
  EXPECT_EQ(event.tag, "1.4.2");
  EXPECT_EQ(event.image, "1.4.2");
  EXPECT_EQ(event.delivery_id.size(), 36u);
}

TEST(ApiTriggerParse, WithoutRevisionEachCallIsNew) {
  const PushEvent first = parsed(withKey(kSecret));
  const PushEvent second = parsed(withKey(kSecret));
  EXPECT_EQ(first.revision, first.delivery_id);
  EXPECT_NE(first.delivery_id, second.delivery_id);
  EXPECT_NE(first.revision, second.revision);
  EXPECT_EQ(first.image, "");
  // Empty strings are the same as no field.
  const PushEvent empty = parsed(std::string(R"({"secret_key": "k", "revision": "", "tag": ""})"));
  EXPECT_EQ(empty.revision, empty.delivery_id);
  EXPECT_EQ(empty.tag, "");
}

TEST(ApiTriggerParse, InvalidRevisionsAndTags) {
  const std::string revision_error =
      "field revision: expected at most 128 printable ASCII characters without spaces";
  EXPECT_EQ(parseError(R"({"secret_key": "k", "revision": "two words"})"), revision_error);
  EXPECT_EQ(parseError(R"({"secret_key": "k", "revision": "caf\u00e9"})"), revision_error);
  EXPECT_EQ(parseError(R"({"secret_key": "k", "revision": ")" + std::string(129, 'a') + "\"}"),
            revision_error);
  EXPECT_EQ(parsed(R"({"secret_key": "k", "revision": ")" + std::string(128, 'a') + "\"}").revision,
            std::string(128, 'a'));
  EXPECT_EQ(parseError(R"({"secret_key": "k", "tag": "registry/acme/web:1.2"})"),
            "field tag: not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
}

TEST(ApiTriggerParse, WrongTypesAndMissingFields) {
  EXPECT_EQ(parseError(R"({"secret_key": "k", "revision": 42})"),
            "field revision: expected a string, got number");
  EXPECT_EQ(parseError(R"({"secret_key": "k", "tag": ["1.2"]})"), "field tag: expected a string, got array");
  EXPECT_EQ(parseError(R"({"revision": "abc"})"), "field secret_key: missing");
  EXPECT_EQ(parseError(R"({"secret_key": "k")").rfind("body is not valid JSON: ", 0), 0u);
}

}  // namespace
}  // namespace autobuild::webhook
