// The webhook's copies of its targets, and what a rollout from a copy sends: a patch pinned to the very
// object and spec the copy shows, and a fresh read whenever the copy alone would decide the answer.
#include "webhook/target_cache.h"

#include <gtest/gtest.h>

#include "tests/unit/kube/fake_transport.h"

namespace autobuild::webhook {
namespace {

using nlohmann::json;

constexpr const char* kDeploymentPath = "/apis/apps/v1/namespaces/shop/deployments/web";

api::AutoBuild autoBuild(const std::string& target = "web") {
  api::AutoBuild a;
  a.ns = "shop";
  a.name = "web";
  a.spec.target.kind = api::TargetKind::Deployment;
  a.spec.target.name = target;
  return a;
}

json deployment(int generation, const std::string& revision, int replicas = 1) {
  json annotations = json::object();
  if (!revision.empty()) annotations["autobuild.dev/revision"] = revision;
  const json container = {{"name", "web"}, {"image", "registry.example.com/web:1"}};
  json object;
  object["apiVersion"] = "apps/v1";
  object["kind"] = "Deployment";
  object["metadata"] = {
      {"name", "web"},           {"namespace", "shop"},
      {"uid", "uid-1"},          {"generation", generation},
      {"resourceVersion", "41"}, {"managedFields", json::array({json{{"manager", "kubectl"}}})}};
  object["spec"]["replicas"] = replicas;
  object["spec"]["template"]["metadata"]["annotations"] = annotations;
  object["spec"]["template"]["spec"]["containers"] = json::array({container});
  object["status"] = {{"replicas", replicas}};
  return object;
}

const char* kInvalid = R"({"kind":"Status","code":422,"reason":"Invalid","message":"the test failed"})";

TEST(TargetCache, KeepsWhatARolloutReadsAndMarksItAsACopy) {
  TargetCache cache;
  EXPECT_EQ(cache.find(autoBuild()), std::nullopt);
  cache.remember(autoBuild(), deployment(3, "abc"));
  const auto state = cache.find(autoBuild());
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->from_cache);
  EXPECT_EQ(state->current_revision, "abc");
  EXPECT_EQ(state->container_index, 0);
  EXPECT_EQ(state->current_image, "registry.example.com/web:1");
  EXPECT_FALSE(state->not_running);
  EXPECT_EQ(state->description, "Deployment shop/web");
  EXPECT_EQ(state->object["metadata"]["generation"], 3);
  EXPECT_EQ(state->object["metadata"]["uid"], "uid-1");
  EXPECT_FALSE(state->object.contains("status"));
  EXPECT_FALSE(state->object["metadata"].contains("managedFields"));
}

TEST(TargetCache, ForgetsATargetThatIsNoObject) {
  TargetCache cache;
  cache.remember(autoBuild(), deployment(1, ""));
  cache.remember(autoBuild(), json());  // the state of a missing target has no object
  EXPECT_EQ(cache.find(autoBuild()), std::nullopt);
  cache.remember(autoBuild(), deployment(1, ""));
  cache.forget(autoBuild());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TargetCache, DropsTheLeastRecentlyUsedPastItsCapacity) {
  TargetCache cache(2);
  cache.remember(autoBuild("a"), deployment(1, ""));
  cache.remember(autoBuild("b"), deployment(1, ""));
  ASSERT_TRUE(cache.find(autoBuild("a")));  // now b is the least recently used
  cache.remember(autoBuild("c"), deployment(1, ""));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find(autoBuild("a")));
  EXPECT_FALSE(cache.find(autoBuild("b")));
  EXPECT_TRUE(cache.find(autoBuild("c")));
  EXPECT_THROW(TargetCache(0), std::invalid_argument);
}

class RolloutFromACopyTest : public ::testing::Test {
 protected:
  RolloutFromACopyTest() {
    kube::ClientOptions options;
    options.max_retries = 0;
    patcher_ = std::make_unique<api::RolloutPatcher>(std::make_shared<kube::Client>(transport_, options));
  }

  api::TargetState copyOf(const json& object) {
    cache_.remember(autoBuild(), object);
    return *cache_.find(autoBuild());
  }

  json patchSent(std::size_t index) {
    EXPECT_LT(index, transport_->requests.size());
    EXPECT_EQ(transport_->requests[index].method, "PATCH");
    return json::parse(transport_->requests[index].body);
  }

  const api::RolloutRequest request_{"def", "GitHub/d-1", "", false};
  std::shared_ptr<kube::testing::FakeTransport> transport_ = std::make_shared<kube::testing::FakeTransport>();
  std::unique_ptr<api::RolloutPatcher> patcher_;
  TargetCache cache_;
};

TEST_F(RolloutFromACopyTest, PatchesAtOnceWithTheObjectAndItsGenerationPinned) {
  transport_->reply(200, deployment(4, "def").dump());
  const auto outcome = patcher_->rollOut(autoBuild(), copyOf(deployment(3, "abc")), request_);
  EXPECT_EQ(outcome.result, api::RolloutResult::RolledOut);
  EXPECT_EQ(outcome.object["metadata"]["generation"], 4) << "the patched object, to keep as the next copy";
  ASSERT_EQ(transport_->requests.size(), 1u) << "no read first";
  EXPECT_EQ(transport_->requests[0].target, kDeploymentPath);
  const json patch = patchSent(0);
  EXPECT_EQ(patch[0], (json{{"op", "test"}, {"path", "/metadata/uid"}, {"value", "uid-1"}}));
  EXPECT_EQ(patch[1], (json{{"op", "test"}, {"path", "/metadata/generation"}, {"value", 3}}));
  EXPECT_EQ(patch[2], (json{{"op", "test"},
                            {"path", "/spec/template/metadata/annotations/autobuild.dev~1revision"},
                            {"value", "abc"}}));
}

TEST_F(RolloutFromACopyTest, AStaleCopyIsReadAgainAndPatchedAsAFreshRead) {
  transport_->reply(422, kInvalid);                     // the copy's generation moved on
  transport_->reply(200, deployment(5, "xyz").dump());  // read again
  transport_->reply(200, deployment(6, "def").dump());  // the patch from the fresh read
  const auto outcome = patcher_->rollOut(autoBuild(), copyOf(deployment(3, "abc")), request_);
  EXPECT_EQ(outcome.result, api::RolloutResult::RolledOut);
  ASSERT_EQ(transport_->requests.size(), 3u);
  EXPECT_EQ(transport_->requests[1].method, "GET");
  const json fresh = patchSent(2);
  EXPECT_EQ(fresh[0]["path"], "/spec/template/metadata/annotations/autobuild.dev~1revision");
  EXPECT_EQ(fresh[0]["value"], "xyz");
}

TEST_F(RolloutFromACopyTest, ACopyThatSaysNotRunningIsReadAgainBeforeAnswering) {
  transport_->reply(200, deployment(4, "abc", 2).dump());  // scaled up since the copy was kept
  transport_->reply(200, deployment(5, "def", 2).dump());
  const auto outcome = patcher_->rollOut(autoBuild(), copyOf(deployment(3, "abc", 0)), request_);
  EXPECT_EQ(outcome.result, api::RolloutResult::RolledOut);
  ASSERT_EQ(transport_->requests.size(), 2u);
  EXPECT_EQ(transport_->requests[0].method, "GET");
  EXPECT_NE(patchSent(1)[0]["path"], "/metadata/uid") << "a fresh read is not pinned to its generation";
}

TEST_F(RolloutFromACopyTest, ACopyAtTheRevisionIsReadAgainBeforeAnsweringAlreadyAtRevision) {
  transport_->reply(200, deployment(3, "def").dump());
  const auto outcome = patcher_->rollOut(autoBuild(), copyOf(deployment(3, "def")), request_);
  EXPECT_EQ(outcome.result, api::RolloutResult::AlreadyAtRevision);
  ASSERT_EQ(transport_->requests.size(), 1u);
  EXPECT_EQ(transport_->requests[0].method, "GET");

  // And when the read shows another revision meanwhile, it rolls out.
  transport_->requests.clear();
  transport_->reply(200, deployment(4, "other").dump());
  transport_->reply(200, deployment(5, "def").dump());
  EXPECT_EQ(patcher_->rollOut(autoBuild(), copyOf(deployment(3, "def")), request_).result,
            api::RolloutResult::RolledOut);
}

TEST_F(RolloutFromACopyTest, ACopyOfATargetDeletedSinceIsAnsweredNotRunning) {
  transport_->reply(422, kInvalid);
  transport_->reply(404, R"({"kind":"Status","code":404,"reason":"NotFound","message":"gone"})");
  const auto outcome = patcher_->rollOut(autoBuild(), copyOf(deployment(3, "abc")), request_);
  EXPECT_EQ(outcome.result, api::RolloutResult::TargetNotRunning);
  EXPECT_EQ(outcome.message, "Deployment shop/web is not running: it does not exist");
}

}  // namespace
}  // namespace autobuild::webhook
