#include <vector>

#include <gtest/gtest.h>

#include "test_deliveries.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {
namespace {

using testing::deliveryWith;
using testing::jsonDelivery;
using testing::payloadFile;
using testing::payloadJson;

const Source& dockerhub() {
  return sourceFor(api::SourceType::DockerHub);
}

ParseResult parse(const nlohmann::json& payload) {
  return dockerhub().parse(jsonDelivery(payload.dump(), {}));
}

std::string errorOf(const nlohmann::json& payload) {
  const ParseResult result = parse(payload);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "parsed" : result.error().message;
}

TEST(DockerHubAuthenticate, TheUnguessableUrlIsTheAuthentication) {
  EXPECT_TRUE(
      dockerhub().authenticate(jsonDelivery(payloadFile("dockerhub_push.json"), {}), "any secret").ok());
}

TEST(DockerHubParse, ReadsTheDocumentedPayload) {
  const ParseResult result = dockerhub().parse(jsonDelivery(payloadFile("dockerhub_push.json"), {}));
  ASSERT_TRUE(result.ok()) << result.error().message;
  const PushEvent& event = result.event();
  EXPECT_EQ(event.kind, EventKind::ImagePush);
  EXPECT_EQ(event.event_name, "");
  EXPECT_EQ(event.repository, "acme/web");
  EXPECT_EQ(event.tag, "1.4.2");
  EXPECT_EQ(event.image, "acme/web:1.4.2");
  EXPECT_EQ(event.revision, "acme/web:1.4.2@1795456712");
  EXPECT_EQ(event.delivery_id, "acme/web:1.4.2:1795456712");
  EXPECT_EQ(event.pusher, "acmebot");
}

TEST(DockerHubParse, ARepushOfTheSameTagIsANewRevision) {
  nlohmann::json payload = payloadJson("dockerhub_push.json");
  const std::string first = parse(payload).event().revision;
  payload["push_data"]["pushed_at"] = 1795456999;
  EXPECT_NE(parse(payload).event().revision, first);
}

TEST(DockerHubParse, FloatingPointPushedAtFromOlderPayloads) {
  nlohmann::json payload = payloadJson("dockerhub_push.json");
  payload["push_data"]["pushed_at"] = 1.417566161e+09;
  EXPECT_EQ(parse(payload).event().revision, "acme/web:1.4.2@1417566161");
  payload["push_data"]["pushed_at"] = 1417566161.5;
  EXPECT_EQ(parse(payload).event().revision, "acme/web:1.4.2@1417566161.5");
}

TEST(DockerHubParse, MissingFields) {
  nlohmann::json payload = payloadJson("dockerhub_push.json");
  payload["push_data"].erase("tag");
  EXPECT_EQ(errorOf(payload), "field push_data.tag: missing");

  payload = payloadJson("dockerhub_push.json");
  payload.erase("push_data");
  EXPECT_EQ(errorOf(payload), "field push_data: missing");

  payload = payloadJson("dockerhub_push.json");
  payload["repository"].erase("repo_name");
  EXPECT_EQ(errorOf(payload), "field repository.repo_name: missing");

  payload = payloadJson("dockerhub_push.json");
  payload["push_data"].erase("pushed_at");
  EXPECT_EQ(errorOf(payload), "field push_data.pushed_at: missing");
}

TEST(DockerHubParse, WrongTypes) {
  nlohmann::json payload = payloadJson("dockerhub_push.json");
  payload["push_data"]["pushed_at"] = "yesterday";
  EXPECT_EQ(errorOf(payload), "field push_data.pushed_at: expected a number, got string");

  payload = payloadJson("dockerhub_push.json");
  payload["push_data"]["tag"] = 1.4;
  EXPECT_EQ(errorOf(payload), "field push_data.tag: expected a string, got number");

  payload = payloadJson("dockerhub_push.json");
  payload["repository"] = "acme/web";
  EXPECT_EQ(errorOf(payload), "field repository: expected an object, got string");
}

TEST(DockerHubParse, TagAndRepositoryMustBeValidImageReferenceParts) {
  for (const std::string& tag :
       std::vector<std::string>{"", "1.4 2", "-rc1", ".hidden", "a:b", "a@sha256", std::string(129, 'a')}) {
    nlohmann::json payload = payloadJson("dockerhub_push.json");
    payload["push_data"]["tag"] = tag;
    EXPECT_EQ(errorOf(payload),
              "field push_data.tag: not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})")
        << tag;
  }
  for (const std::string& repo : std::vector<std::string>{"", "Acme/Web", "acme/web:latest", "acme web",
                                                          "/acme/web", std::string(256, 'a')}) {
    nlohmann::json payload = payloadJson("dockerhub_push.json");
    payload["repository"]["repo_name"] = repo;
    EXPECT_EQ(errorOf(payload).rfind("field repository.repo_name: not a valid image repository", 0), 0u)
        << repo;
  }
  nlohmann::json payload = payloadJson("dockerhub_push.json");
  payload["push_data"]["tag"] = std::string(128, 'a');
  EXPECT_TRUE(parse(payload).ok());
}

TEST(DockerHubParse, OnlyJsonBodies) {
  const ParseResult result = dockerhub().parse(
      deliveryWith("application/x-www-form-urlencoded", payloadFile("dockerhub_push.json"), {}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 415);
  EXPECT_EQ(result.error().message,
            "unsupported content type \"application/x-www-form-urlencoded\": send application/json");
  EXPECT_FALSE(dockerhub().accepts(BodyFormat::Form));
}

TEST(DockerHubParse, TruncatedJson) {
  const std::string body = payloadFile("dockerhub_push.json");
  const ParseResult result = dockerhub().parse(jsonDelivery(body.substr(0, 100), {}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 400);
  EXPECT_EQ(result.error().message.rfind("body is not valid JSON: ", 0), 0u);
}

}  // namespace
}  // namespace autobuild::webhook
