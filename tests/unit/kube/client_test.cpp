#include "kube/client.h"

#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_transport.h"
#include "kube/watch_stream.h"

namespace autobuild::kube {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::FakeLineStream;
using testing::FakeTransport;
using ::testing::HasSubstr;
using ::testing::Pair;

const Resource kAutoBuilds{"autobuild.dev", "v1alpha1", "autobuilds", "AutoBuild", true};

std::string status(int code, const std::string& reason, const std::string& message) {
  return Json{{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
              {"code", code},     {"reason", reason},   {"message", message}}
      .dump();
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() {
    options.max_retry_after = 0s;  // honour Retry-After without making the tests wait
    options.observer = [this](std::string_view verb, int code) {
      observed.emplace_back(std::string(verb), code);
    };
  }

  Client& client() {
    if (!client_) client_ = std::make_unique<Client>(transport, options);
    return *client_;
  }

  const HttpRequest& onlyRequest() {
    EXPECT_EQ(transport->requests.size(), 1u);
    return transport->requests.front();
  }

  std::shared_ptr<FakeTransport> transport = std::make_shared<FakeTransport>();
  ClientOptions options;
  std::vector<std::pair<std::string, int>> observed;

 private:
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, GetBuildsTheObjectPathAndDecodesTheObject) {
  transport->reply(200, R"({"kind":"Deployment","metadata":{"name":"web"}})");
  const Json object = client().get(resources::Deployments, "shop", "web");
  EXPECT_EQ(object["metadata"]["name"], "web");
  const HttpRequest& request = onlyRequest();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/apis/apps/v1/namespaces/shop/deployments/web");
  EXPECT_EQ(request.content_type, "");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(request.timeout, options.request_timeout);
  EXPECT_THAT(observed, ElementsAre(Pair("get", 200)));
}

TEST_F(ClientTest, GetOfASubresource) {
  transport->reply(200, "{}");
  client().get(kAutoBuilds, "shop", "web", "status");
  EXPECT_EQ(onlyRequest().target, "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web/status");
}

TEST_F(ClientTest, NotFoundIsAnApiErrorNamingVerbAndObject) {
  transport->reply(404, status(404, "NotFound", "deployments.apps \"web\" not found"));
  try {
    client().get(resources::Deployments, "shop", "web");
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isNotFound());
    EXPECT_STREQ(e.what(),
                 "get apps/v1 deployments shop/web: 404 NotFound: deployments.apps \"web\" not found");
  }
  EXPECT_THAT(observed, ElementsAre(Pair("get", 404)));
}

TEST_F(ClientTest, ListEncodesTheQueryAndFillsInApiVersionAndKind) {
  transport->reply(200,
                   R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"c2"},
                            "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
  ListOptions list_options;
  list_options.label_selector = "app in (web,api),tier!=db";
  list_options.field_selector = "status.phase=Running";
  list_options.limit = 2;
  list_options.continue_token = "eyJ2Ijoi+/=";
  const ListPage page = client().list(resources::Pods, "shop", list_options);
  EXPECT_EQ(onlyRequest().target,
            "/api/v1/namespaces/shop/pods?labelSelector=app%20in%20%28web%2Capi%29%2Ctier%21%3Ddb"
            "&fieldSelector=status.phase%3DRunning&continue=eyJ2Ijoi%2B%2F%3D&limit=2");
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0]["metadata"]["name"], "a");
  EXPECT_EQ(page.items[1]["apiVersion"], "v1");
  EXPECT_EQ(page.items[1]["kind"], "Pod");
  EXPECT_EQ(page.resource_version, "42");
  EXPECT_EQ(page.continue_token, "c2");
  EXPECT_THAT(observed, ElementsAre(Pair("list", 200)));
}

TEST_F(ClientTest, ListOfAllNamespacesWithResourceVersion) {
  transport->reply(200, R"({"metadata":{"resourceVersion":"7"},"items":null})");
  ListOptions list_options;
  list_options.resource_version = "0";
  const ListPage page = client().list(resources::Deployments, "", list_options);
  EXPECT_EQ(onlyRequest().target, "/apis/apps/v1/deployments?resourceVersion=0");
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.resource_version, "7");
  EXPECT_EQ(page.continue_token, "");
}

TEST_F(ClientTest, ListRejectsAnAnswerThatIsNotAList) {
  transport->reply(200, R"({"items":{"not":"a list"}})");
  try {
    client().list(resources::Pods, "shop");
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Other);
    EXPECT_STREQ(e.what(), "list v1 pods in namespace shop: the API server's answer is not a list");
  }
}

TEST_F(ClientTest, ListAppliesTheItemTransformToEachItemAsItIsParsed) {
  transport->reply(
      200, R"({"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"c2"},
                            "items":[{"metadata":{"name":"a","managedFields":[{"manager":"kubectl"}]},
                                      "data":{"items":[{"nested":true}]}},
                                     {"metadata":{"name":"b"}}]})");
  std::vector<Json> seen;
  ListOptions list_options;
  list_options.item_transform = [&seen](Json item) {
    seen.push_back(item);
    return Json{{"name", item["metadata"]["name"]}};
  };
  const ListPage page = client().list(resources::Secrets, "shop", list_options);
  // Each item once, whole, with the apiVersion and kind a list leaves out; nothing nested in it.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["apiVersion"], "v1");
  EXPECT_EQ(seen[0]["kind"], "Secret");
  EXPECT_EQ(seen[0]["metadata"]["managedFields"][0]["manager"], "kubectl");
  EXPECT_EQ(seen[0]["data"]["items"][0]["nested"], true);
  // The page holds what the transform returned and nothing added.
  EXPECT_THAT(page.items, ElementsAre(Json{{"name", "a"}}, Json{{"name", "b"}}));
  EXPECT_EQ(page.resource_version, "42");
  EXPECT_EQ(page.continue_token, "c2");
}

TEST_F(ClientTest, ListWithAnItemTransformRejectsABodyThatIsNotJson) {
  transport->reply(200, R"({"items":[{"metadata":{"name":"a"}})");
  ListOptions list_options;
  list_options.item_transform = [](Json item) { return item; };
  try {
    client().list(resources::Pods, "shop", list_options);
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Other);
    EXPECT_THAT(e.what(), HasSubstr("list v1 pods in namespace shop: the API server answered 200 with a body "
                                    "that is not JSON"));
  }
}

TEST_F(ClientTest, ListPassesOnWhatTheItemTransformThrows) {
  transport->reply(200, R"({"items":[{"metadata":{"name":"a"}}]})");
  ListOptions list_options;
  list_options.item_transform = [](Json) -> Json { throw std::runtime_error("transform refused the item"); };
  EXPECT_THROW(
      {
        try {
          client().list(resources::Pods, "shop", list_options);
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "transform refused the item");
          throw;
        }
      },
      std::runtime_error);
}

TEST_F(ClientTest, ListAllFollowsContinueTokens) {
  transport->reply(
      200, R"({"metadata":{"resourceVersion":"10","continue":"page2"},"items":[{"metadata":{"name":"a"}}]})");
  transport->reply(
      200, R"({"metadata":{"resourceVersion":"10","continue":"page3"},"items":[{"metadata":{"name":"b"}}]})");
  transport->reply(200, R"({"metadata":{"resourceVersion":"11"},"items":[{"metadata":{"name":"c"}}]})");
  ListOptions list_options;
  list_options.limit = 1;
  const ListPage all = client().listAll(kAutoBuilds, "shop", list_options);
  ASSERT_EQ(transport->requests.size(), 3u);
  EXPECT_EQ(transport->requests[0].target, "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds?limit=1");
  EXPECT_EQ(transport->requests[1].target,
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds?continue=page2&limit=1");
  EXPECT_EQ(transport->requests[2].target,
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds?continue=page3&limit=1");
  ASSERT_EQ(all.items.size(), 3u);
  EXPECT_EQ(all.items[2]["metadata"]["name"], "c");
  EXPECT_EQ(all.items[2]["kind"], "AutoBuild");
  EXPECT_EQ(all.resource_version, "11");
  EXPECT_EQ(all.continue_token, "");
}

TEST_F(ClientTest, CreatePostsJsonToTheCollection) {
  transport->reply(201, R"({"metadata":{"name":"web-webhook","uid":"u1"}})");
  const Json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", "web-webhook"}, {"namespace", "shop"}}},
                       {"stringData", {{"secret", "s3cr3t"}}}};
  const Json created = client().create(resources::Secrets, "", secret);  // namespace taken from the object
  EXPECT_EQ(created["metadata"]["uid"], "u1");
  const HttpRequest& request = onlyRequest();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/v1/namespaces/shop/secrets");
  EXPECT_EQ(request.content_type, "application/json");
  EXPECT_EQ(Json::parse(request.body), secret);
  EXPECT_THAT(observed, ElementsAre(Pair("create", 201)));
}

TEST_F(ClientTest, CreateIsNeverRetriedAfterATransportError) {
  transport->fail(
      TransportError(TransportError::Kind::Timeout, "https://fake:6443: nothing received for 30s"));
  transport->reply(201, "{}");
  try {
    client().create(resources::Secrets, "shop", {{"metadata", {{"name", "web-webhook"}}}});
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Timeout);
    EXPECT_STREQ(e.what(), "create v1 secrets shop/web-webhook: https://fake:6443: nothing received for 30s");
  }
  EXPECT_EQ(transport->requests.size(), 1u);
  EXPECT_THAT(observed, ElementsAre(Pair("create", 0)));
}

TEST_F(ClientTest, NoRequestIsRetriedAfterATransportError) {
  transport->fail(TransportError(TransportError::Kind::Connect, "https://fake:6443: cannot connect"));
  transport->reply(200, "{}");
  EXPECT_THROW(client().get(resources::Pods, "shop", "a"), TransportError);
  EXPECT_EQ(transport->requests.size(), 1u);
}

TEST_F(ClientTest, CreateWithGenerateNameAndErrorsWithoutNamespace) {
  transport->reply(409, status(409, "AlreadyExists", "exists"));
  try {
    client().create(resources::Jobs, "shop", {{"metadata", {{"generateName", "web-"}}}});
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isAlreadyExists());
    EXPECT_EQ(e.object(), "batch/v1 jobs shop/web-*");
  }
  try {
    client().create(resources::Jobs, "", {{"metadata", {{"name", "web"}}}});
    FAIL() << "no invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "create batch/v1 jobs web: no namespace");
  }
}

TEST_F(ClientTest, UpdatePutsToTheObjectOrItsSubresourceAndSurfacesConflicts) {
  const Json autobuild = {{"metadata", {{"name", "web"}, {"namespace", "shop"}, {"resourceVersion", "5"}}},
                          {"status", {{"triggerCount", 3}}}};
  transport->reply(200, autobuild.dump());
  client().update(kAutoBuilds, "shop", autobuild, "status");
  ASSERT_EQ(transport->requests.size(), 1u);
  EXPECT_EQ(transport->requests[0].method, "PUT");
  EXPECT_EQ(transport->requests[0].target,
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web/status");
  EXPECT_EQ(transport->requests[0].content_type, "application/json");
  EXPECT_EQ(Json::parse(transport->requests[0].body), autobuild);

  transport->reply(409, status(409, "Conflict", "the object has been modified; please apply your changes"));
  try {
    client().update(kAutoBuilds, "shop", autobuild);
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isConflict());
    EXPECT_STREQ(
        e.what(),
        "update autobuild.dev/v1alpha1 autobuilds shop/web: 409 Conflict: the object has been modified; "
        "please apply your changes");
  }
  EXPECT_EQ(transport->requests.size(), 2u);  // a conflict is not retried
  EXPECT_THROW(client().update(kAutoBuilds, "shop", Json{{"metadata", Json::object()}}),
               std::invalid_argument);
}

TEST_F(ClientTest, PatchSendsTheContentTypeOfEachKind) {
  const Json body = {
      {"spec", {{"template", {{"metadata", {{"annotations", {{"autobuild.dev/revision", "abc"}}}}}}}}}};
  const std::pair<PatchType, const char*> kinds[] = {
      {PatchType::Merge, "application/merge-patch+json"},
      {PatchType::StrategicMerge, "application/strategic-merge-patch+json"},
      {PatchType::JsonPatch, "application/json-patch+json"},
  };
  for (const auto& [type, content_type] : kinds) {
    transport->reply(200, "{}");
    client().patch(resources::Deployments, "shop", "web", type, body);
    EXPECT_EQ(transport->requests.back().method, "PATCH");
    EXPECT_EQ(transport->requests.back().target, "/apis/apps/v1/namespaces/shop/deployments/web");
    EXPECT_EQ(transport->requests.back().content_type, content_type);
    EXPECT_EQ(Json::parse(transport->requests.back().body), body);
  }
}

TEST_F(ClientTest, ApplyPatchCarriesFieldManagerAndForce) {
  const Json body = {{"apiVersion", "autobuild.dev/v1alpha1"}, {"kind", "AutoBuild"}, {"status", {{"x", 1}}}};
  transport->reply(200, "{}");
  PatchOptions patch_options;
  patch_options.field_manager = "autobuild-controller";
  patch_options.force = true;
  client().patch(kAutoBuilds, "shop", "web", PatchType::Apply, body, patch_options, "status");
  const HttpRequest& request = onlyRequest();
  EXPECT_EQ(request.target,
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web/status"
            "?fieldManager=autobuild-controller&force=true");
  EXPECT_EQ(request.content_type, "application/apply-patch+yaml");
  EXPECT_EQ(Json::parse(request.body), body);  // JSON is valid YAML

  try {
    client().patch(kAutoBuilds, "shop", "web", PatchType::Apply, body);
    FAIL() << "no invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "patch autobuild.dev/v1alpha1 autobuilds shop/web: server-side apply needs a field manager");
  }
}

TEST_F(ClientTest, RemoveSendsDeleteOptionsOnlyWhenNeeded) {
  transport->reply(200, status(200, "", ""));
  client().remove(resources::Jobs, "shop", "web-abc");
  EXPECT_EQ(transport->requests[0].method, "DELETE");
  EXPECT_EQ(transport->requests[0].target, "/apis/batch/v1/namespaces/shop/jobs/web-abc");
  EXPECT_EQ(transport->requests[0].body, "");
  EXPECT_EQ(transport->requests[0].content_type, "");

  transport->reply(200, R"({"metadata":{"name":"web-abc","deletionTimestamp":"2026-01-01T00:00:00Z"}})");
  const Json answer = client().remove(resources::Jobs, "shop", "web-abc", Propagation::Foreground, "uid-1");
  EXPECT_EQ(answer["metadata"]["deletionTimestamp"], "2026-01-01T00:00:00Z");
  EXPECT_EQ(transport->requests[1].content_type, "application/json");
  EXPECT_EQ(Json::parse(transport->requests[1].body), (Json{{"apiVersion", "v1"},
                                                            {"kind", "DeleteOptions"},
                                                            {"propagationPolicy", "Foreground"},
                                                            {"preconditions", {{"uid", "uid-1"}}}}));

  transport->reply(200, "{}");
  client().remove(resources::Jobs, "shop", "web-abc", Propagation::Orphan);
  EXPECT_EQ(Json::parse(transport->requests[2].body),
            (Json{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"propagationPolicy", "Orphan"}}));
  transport->reply(200, "{}");
  client().remove(resources::Jobs, "shop", "web-abc", Propagation::Background);
  EXPECT_EQ(Json::parse(transport->requests[3].body)["propagationPolicy"], "Background");
  EXPECT_THAT(observed, ElementsAre(Pair("delete", 200), Pair("delete", 200), Pair("delete", 200),
                                    Pair("delete", 200)));
}

TEST_F(ClientTest, EmptyNamesAreRejectedBeforeSending) {
  EXPECT_THROW(client().get(resources::Pods, "shop", ""), std::invalid_argument);
  EXPECT_THROW(client().patch(resources::Pods, "shop", "", PatchType::Merge, Json::object()),
               std::invalid_argument);
  EXPECT_THROW(client().remove(resources::Pods, "shop", ""), std::invalid_argument);
  EXPECT_TRUE(transport->requests.empty());
}

TEST_F(ClientTest, A2xxBodyThatIsNotJsonIsATransportError) {
  transport->reply(200, "<html>");
  try {
    client().get(resources::Pods, "shop", "a");
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_STREQ(e.what(),
                 "get v1 pods shop/a: the API server answered 200 with a body that is not JSON: <html>");
  }
}

TEST_F(ClientTest, RetriesTooManyRequestsWithRetryAfter) {
  transport->reply(429, status(429, "TooManyRequests", "slow down"), {{"retry-after", "1"}});
  transport->reply(200, R"({"metadata":{"name":"web"}})");
  const Json patched =
      client().patch(resources::Deployments, "shop", "web", PatchType::Merge, Json::object());
  EXPECT_EQ(patched["metadata"]["name"], "web");
  ASSERT_EQ(transport->requests.size(), 2u);
  EXPECT_EQ(transport->requests[0].target, transport->requests[1].target);
  EXPECT_EQ(transport->requests[0].body, transport->requests[1].body);
  EXPECT_THAT(observed, ElementsAre(Pair("patch", 429), Pair("patch", 200)));
}

TEST_F(ClientTest, RetriesCreateOnRetryAfterBecauseTheServerDidNotProcessIt) {
  transport->reply(429, status(429, "TooManyRequests", "slow down"), {{"retry-after", "2"}});
  transport->reply(201, "{}");
  client().create(resources::Secrets, "shop", {{"metadata", {{"name", "s"}}}});
  EXPECT_EQ(transport->requests.size(), 2u);
}

TEST_F(ClientTest, Retries5xxOnlyWithRetryAfter) {
  transport->reply(503, status(503, "ServiceUnavailable", "etcd leader changed"), {{"retry-after", "1"}});
  transport->reply(200, "{}");
  client().get(resources::Pods, "shop", "a");
  EXPECT_EQ(transport->requests.size(), 2u);

  transport->reply(500, status(500, "InternalError", "boom"));
  transport->reply(200, "{}");
  try {
    client().get(resources::Pods, "shop", "a");
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_STREQ(e.what(), "get v1 pods shop/a: 500 InternalError: boom");
  }
  EXPECT_EQ(transport->requests.size(), 3u);
}

TEST_F(ClientTest, NeverRetriesOtherErrors) {
  const std::pair<int, const char*> answers[] = {
      {400, "BadRequest"}, {403, "Forbidden"}, {409, "Conflict"}, {422, "Invalid"}};
  for (const auto& [code, reason] : answers) {
    transport->requests.clear();
    transport->send_replies.clear();
    transport->reply(code, status(code, reason, "no"), {{"retry-after", "1"}});
    transport->reply(200, "{}");
    EXPECT_THROW(client().patch(resources::Deployments, "shop", "web", PatchType::Merge, Json::object()),
                 ApiError);
    EXPECT_EQ(transport->requests.size(), 1u) << code;
  }
  transport->requests.clear();
  transport->send_replies.clear();
  transport->reply(429, status(429, "TooManyRequests", "no Retry-After"));
  transport->reply(200, "{}");
  EXPECT_THROW(client().get(resources::Pods, "shop", "a"), ApiError);
  EXPECT_EQ(transport->requests.size(), 1u);
  transport->requests.clear();
  transport->send_replies.clear();
  transport->reply(429, status(429, "TooManyRequests", "a date"),
                   {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  EXPECT_THROW(client().get(resources::Pods, "shop", "a"), ApiError);
  EXPECT_EQ(transport->requests.size(), 1u);
}

TEST_F(ClientTest, GivesUpAfterMaxRetries) {
  options.max_retries = 2;
  for (int i = 0; i < 4; ++i)
    transport->reply(429, status(429, "TooManyRequests", "busy"), {{"retry-after", "3"}});
  try {
    client().get(resources::Pods, "shop", "a");
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status().code, 429);
    EXPECT_STREQ(e.what(), "get v1 pods shop/a: 429 TooManyRequests: busy");
  }
  EXPECT_EQ(transport->requests.size(), 3u);
  EXPECT_THAT(observed, ElementsAre(Pair("get", 429), Pair("get", 429), Pair("get", 429)));
}

TEST_F(ClientTest, ALongRetryAfterIsCappedAndShutdownEndsTheWait) {
  options.max_retry_after = 3600s;
  transport->reply(429, status(429, "TooManyRequests", "busy"), {{"retry-after", "86400"}});
  auto call = std::async(std::launch::async, [&] { return client().get(resources::Pods, "shop", "a"); });
  while (transport->requests.empty()) std::this_thread::sleep_for(1ms);
  client().shutdown();
  try {
    call.get();
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status().code, 429);  // the last answer, not retried once shut down
  }
  EXPECT_EQ(transport->requests.size(), 1u);
  EXPECT_TRUE(transport->shut_down);
}

TEST_F(ClientTest, AfterShutdownRequestsAreRefused) {
  client().shutdown();
  try {
    client().get(resources::Pods, "shop", "a");
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Cancelled);
    EXPECT_STREQ(e.what(), "get v1 pods shop/a: client shut down");
  }
  EXPECT_TRUE(transport->requests.empty());
}

TEST_F(ClientTest, EveryRequestIsRateLimited) {
  options.qps = 0.001;
  options.burst = 1;
  options.request_timeout = 50ms;
  transport->reply(200, "{}");
  transport->reply(200, "{}");
  client().get(resources::Pods, "shop", "a");
  try {
    client().get(resources::Pods, "shop", "b");
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Timeout);
    EXPECT_STREQ(e.what(),
                 "get v1 pods shop/b: the client-side rate limit (0.001 qps) gave no token within the "
                 "request timeout");
  }
  EXPECT_EQ(transport->requests.size(), 1u);
}

StreamResponse streamOf(std::vector<std::string> lines) {
  StreamResponse response;
  response.status = 200;
  response.lines = std::make_unique<FakeLineStream>(std::move(lines));
  return response;
}

TEST_F(ClientTest, WatchBuildsTheQueryAndTheSilenceTimer) {
  transport->stream_replies.push_back([] {
    return streamOf({R"({"type":"ADDED","object":{"metadata":{"name":"web","resourceVersion":"8"}}})"});
  });
  WatchOptions watch_options;
  watch_options.resource_version = "7";
  watch_options.label_selector = "app=web";
  watch_options.timeout_seconds = 290;
  auto stream = client().watch(resources::Deployments, "shop", watch_options);
  const HttpRequest& request = onlyRequest();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target,
            "/apis/apps/v1/namespaces/shop/deployments?watch=1&resourceVersion=7&labelSelector=app%3Dweb"
            "&timeoutSeconds=290&allowWatchBookmarks=true");
  EXPECT_EQ(request.timeout, 320s);
  auto event = stream->next();
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, WatchEvent::Type::Added);
  EXPECT_EQ(event->object["metadata"]["resourceVersion"], "8");
  EXPECT_FALSE(stream->next().has_value());
  EXPECT_THAT(observed, ElementsAre(Pair("watch", 200)));
}

TEST_F(ClientTest, WatchWithoutBookmarksOfAllNamespaces) {
  transport->stream_replies.push_back([] { return streamOf({}); });
  WatchOptions watch_options;
  watch_options.allow_bookmarks = false;
  client().watch(kAutoBuilds, "", watch_options);
  EXPECT_EQ(onlyRequest().target, "/apis/autobuild.dev/v1alpha1/autobuilds?watch=1&timeoutSeconds=300");
  watch_options.timeout_seconds = 0;
  EXPECT_THROW(client().watch(kAutoBuilds, "", watch_options), std::invalid_argument);
}

TEST_F(ClientTest, WatchFailureIsAnApiErrorAndTooManyRequestsIsRetried) {
  transport->stream_replies.push_back([] {
    StreamResponse response;
    response.status = 429;
    response.headers = {{"retry-after", "1"}};
    response.error_body = status(429, "TooManyRequests", "busy");
    return response;
  });
  transport->stream_replies.push_back([] {
    StreamResponse response;
    response.status = 403;
    response.error_body = status(403, "Forbidden", "deployments.apps is forbidden");
    return response;
  });
  try {
    client().watch(resources::Deployments, "shop", {});
    FAIL() << "no ApiError";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isForbidden());
    EXPECT_STREQ(e.what(),
                 "watch apps/v1 deployments in namespace shop: 403 Forbidden: deployments.apps is forbidden");
  }
  EXPECT_EQ(transport->requests.size(), 2u);
  EXPECT_THAT(observed, ElementsAre(Pair("watch", 429), Pair("watch", 403)));
}

TEST_F(ClientTest, WatchTransportErrorNamesTheCollection) {
  transport->stream_replies.push_back([]() -> StreamResponse {
    throw TransportError(TransportError::Kind::Connect, "https://fake:6443: refused");
  });
  try {
    client().watch(resources::Namespaces, "", {});
    FAIL() << "no TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Connect);
    EXPECT_STREQ(e.what(), "watch v1 namespaces: https://fake:6443: refused");
  }
  EXPECT_THAT(observed, ElementsAre(Pair("watch", 0)));
}

}  // namespace
}  // namespace autobuild::kube
