// The Informer against a live API server: initial list, events in order, indexes, transform, resync,
// selectors, and stopping.
#include <future>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "handler_log.h"
#include "kube/api_error.h"
#include "kube/informer.h"
#include "kube_test.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Every test runs with the cache as JSON trees and as CBOR bytes (InformerOptions::packed).
class InformerTest : public KubeTest, public ::testing::WithParamInterface<bool> {
 protected:
  InformerOptions options() const {
    InformerOptions o;
    o.packed = GetParam();
    o.ns = ns;
    o.min_backoff = 50ms;
    o.max_backoff = 1s;
    return o;
  }

  static std::set<std::string> names(const std::vector<ObjectPtr>& objects) {
    std::set<std::string> result;
    for (const auto& object : objects) result.insert(object->at("metadata").at("name"));
    return result;
  }
};

TEST_P(InformerTest, InitialListIsDeliveredAsAddsBeforeSync) {
  client->create(resources::ConfigMaps, ns, configMap("first"));
  client->create(resources::ConfigMaps, ns, configMap("second"));

  auto o = options();
  o.page_size = 1;  // one object per page: the informer must follow the continue tokens
  HandlerLog log;   // outlives the informer, whose thread calls into it
  Informer informer(client, resources::ConfigMaps, o);
  informer.addHandlers(log.handlers());
  EXPECT_FALSE(informer.hasSynced());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));
  EXPECT_TRUE(informer.hasSynced());

  EXPECT_THAT(log.summariesFor({"first", "second"}), UnorderedElementsAre("add first", "add second"));
  ASSERT_NE(informer.get(ns + "/first"), nullptr);
  EXPECT_EQ(informer.get(ns + "/first")->at("kind"), "ConfigMap");
  EXPECT_EQ(informer.get(ns + "/first")->at("apiVersion"), "v1");
  EXPECT_EQ(informer.get(ns + "/missing"), nullptr);
}

TEST_P(InformerTest, SeesAddUpdateAndDeleteInOrder) {
  HandlerLog log;
  Informer informer(client, resources::ConfigMaps, options());
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  Json created = client->create(resources::ConfigMaps, ns, configMap("subject", {{"step", "1"}}));
  Json updated = created;
  updated["data"]["step"] = "2";
  updated = client->update(resources::ConfigMaps, ns, updated);
  client->remove(resources::ConfigMaps, ns, "subject");

  ASSERT_TRUE(log.waitForCall("delete subject"));
  EXPECT_THAT(log.summariesFor({"subject"}), ElementsAre("add subject", "update subject", "delete subject"));
  std::vector<HandlerCall> calls;
  for (const auto& call : log.calls()) {
    if (call.name() == "subject") calls.push_back(call);
  }
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].resourceVersion(), created["metadata"]["resourceVersion"]);
  EXPECT_EQ(calls[1].old_object->at("data").at("step"), "1");
  EXPECT_EQ(calls[1].object->at("data").at("step"), "2");
  EXPECT_EQ(calls[1].resourceVersion(), updated["metadata"]["resourceVersion"]);
  EXPECT_EQ(calls[2].object->at("data").at("step"), "2");
  EXPECT_EQ(informer.get(ns + "/subject"), nullptr);
}

TEST_P(InformerTest, CacheFollowsTheServer) {
  Informer informer(client, resources::ConfigMaps, options());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("a", {{"v", "1"}}));
  client->create(resources::ConfigMaps, ns, configMap("b"));
  client->patch(resources::ConfigMaps, ns, "a", PatchType::Merge, {{"data", {{"v", "2"}}}});
  client->remove(resources::ConfigMaps, ns, "b");
  ASSERT_TRUE(eventually([&] {
    auto a = informer.get(ns + "/a");
    return a && a->at("data").at("v") == "2" && informer.get(ns + "/b") == nullptr;
  }));
  EXPECT_TRUE(names(informer.list()).count("a"));
  EXPECT_FALSE(names(informer.list()).count("b"));
  EXPECT_EQ(informer.size(), informer.list().size());
  EXPECT_THAT(informer.keys(), ::testing::Contains(ns + "/a"));
  EXPECT_THAT(informer.keys(), ::testing::Not(::testing::Contains(ns + "/b")));
  EXPECT_EQ(informer.keys().size(), informer.size());
}

TEST_P(InformerTest, IndexLookupsFollowChanges) {
  Informer informer(client, resources::ConfigMaps, options());
  informer.addIndex("color", [](const Json& object) {
    std::vector<std::string> values;
    auto labels = object.at("metadata").value("labels", Json::object());
    if (labels.contains("color")) values.push_back(labels["color"]);
    return values;
  });
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("x", {}, {{"color", "red"}}));
  client->create(resources::ConfigMaps, ns, configMap("y", {}, {{"color", "red"}}));
  client->create(resources::ConfigMaps, ns, configMap("z", {}, {{"color", "blue"}}));
  ASSERT_TRUE(eventually([&] { return informer.byIndex("color", "blue").size() == 1; }));
  ASSERT_TRUE(eventually([&] { return informer.byIndex("color", "red").size() == 2; }));
  EXPECT_EQ(names(informer.byIndex("color", "red")), (std::set<std::string>{"x", "y"}));

  client->patch(resources::ConfigMaps, ns, "y", PatchType::Merge,
                {{"metadata", {{"labels", {{"color", "blue"}}}}}});
  ASSERT_TRUE(eventually([&] { return informer.byIndex("color", "blue").size() == 2; }));
  EXPECT_EQ(names(informer.byIndex("color", "red")), (std::set<std::string>{"x"}));
  EXPECT_EQ(names(informer.byIndex("color", "blue")), (std::set<std::string>{"y", "z"}));

  client->remove(resources::ConfigMaps, ns, "x");
  ASSERT_TRUE(eventually([&] { return informer.byIndex("color", "red").empty(); }));
  EXPECT_TRUE(informer.byIndex("color", "green").empty());
  EXPECT_THROW(informer.byIndex("shape", "round"), std::out_of_range);
  EXPECT_TRUE(informer.indexed("color", "blue"));
  EXPECT_FALSE(informer.indexed("color", "red")) << "the last red object left";
  EXPECT_THROW(informer.indexed("shape", "round"), std::out_of_range);
}

TEST_P(InformerTest, AFailingIndexFunctionLeavesTheObjectCachedAndOtherIndexesIntact) {
  Informer informer(client, resources::ConfigMaps, options());
  informer.addIndex("strict", [](const Json& object) {
    if (object.at("metadata").at("name") == "odd") throw std::runtime_error("no value for odd");
    return std::vector<std::string>{"any"};
  });
  informer.addIndex("name", [](const Json& object) {
    return std::vector<std::string>{object.at("metadata").at("name").get<std::string>()};
  });
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("odd"));
  client->create(resources::ConfigMaps, ns, configMap("even"));
  ASSERT_TRUE(eventually([&] { return informer.get(ns + "/even") != nullptr; }));
  EXPECT_NE(informer.get(ns + "/odd"), nullptr);
  EXPECT_EQ(names(informer.byIndex("name", "odd")), (std::set<std::string>{"odd"}));
  EXPECT_FALSE(names(informer.byIndex("strict", "any")).count("odd"));
  EXPECT_TRUE(names(informer.byIndex("strict", "any")).count("even"));
}

TEST_P(InformerTest, TransformIsAppliedBeforeCaching) {
  auto o = options();
  o.transform = [](Json object) {
    object.erase("data");
    object["metadata"].erase("managedFields");
    return object;
  };
  HandlerLog log;
  Informer informer(client, resources::ConfigMaps, o);
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("bulky", {{"payload", std::string(4096, 'x')}}));
  ASSERT_TRUE(log.waitForCall("add bulky"));
  auto cached = informer.get(ns + "/bulky");
  ASSERT_NE(cached, nullptr);
  EXPECT_FALSE(cached->contains("data"));
  EXPECT_FALSE(cached->at("metadata").contains("managedFields"));
  for (const auto& call : log.calls()) EXPECT_FALSE(call.object->contains("data")) << call.summary();
}

TEST_P(InformerTest, ResyncDeliversEveryCachedObjectAgain) {
  client->create(resources::ConfigMaps, ns, configMap("steady"));
  auto o = options();
  o.resync = 1s;
  HandlerLog log;
  Informer informer(client, resources::ConfigMaps, o);
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  // Nothing changes on the server: two resyncs must still reach the handler, old and new the same.
  ASSERT_TRUE(log.waitFor([](const std::vector<HandlerCall>& calls) {
    int resyncs = 0;
    for (const auto& call : calls) {
      resyncs +=
          call.kind == HandlerCall::Kind::Update && call.name() == "steady" && call.old_object == call.object;
    }
    return resyncs >= 2;
  }));
}

TEST_P(InformerTest, LabelSelectorLimitsWhatIsCached) {
  auto o = options();
  o.label_selector = "team=blue";
  HandlerLog log;
  Informer informer(client, resources::ConfigMaps, o);
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("ours", {}, {{"team", "blue"}}));
  client->create(resources::ConfigMaps, ns, configMap("theirs", {}, {{"team", "red"}}));
  client->create(resources::ConfigMaps, ns, configMap("marker", {}, {{"team", "blue"}}));
  ASSERT_TRUE(log.waitForCall("add marker"));
  EXPECT_EQ(names(informer.list()), (std::set<std::string>{"ours", "marker"}));
  EXPECT_THAT(log.summariesFor({"theirs"}), ::testing::IsEmpty());
}

TEST_P(InformerTest, ClusterScopedObjectsAreKeyedByName) {
  InformerOptions o;
  o.field_selector = "metadata.name=" + ns;
  Informer informer(client, resources::Namespaces, o);
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));
  EXPECT_EQ(informer.size(), 1u);
  ASSERT_NE(informer.get(ns), nullptr);
  EXPECT_EQ(objectKey(*informer.get(ns)), ns);
}

TEST_P(InformerTest, AFailingHandlerDoesNotStopDelivery) {
  HandlerLog log;
  Informer informer(client, resources::ConfigMaps, options());
  InformerHandlers refusing;
  refusing.on_add = [](const ObjectPtr& object) {
    if (object->at("metadata").at("name") == "poison") throw std::runtime_error("handler refuses poison");
  };
  informer.addHandlers(refusing);
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  client->create(resources::ConfigMaps, ns, configMap("poison"));
  client->create(resources::ConfigMaps, ns, configMap("after"));
  ASSERT_TRUE(log.waitForCall("add after"));
  EXPECT_THAT(log.summariesFor({"poison", "after"}), ElementsAre("add poison", "add after"));
  EXPECT_NE(informer.get(ns + "/poison"), nullptr);
}

TEST_P(InformerTest, StopInterruptsABlockedWatchPromptly) {
  Informer informer(client, resources::ConfigMaps, options());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));
  // The watch is open for minutes with nothing to say; stop() must not wait for it to end.
  auto stopped = std::async(std::launch::async, [&] { informer.stop(); });
  ASSERT_EQ(stopped.wait_for(20s), std::future_status::ready) << "stop() waited for the watch to end";
  informer.stop();  // idempotent
}

TEST_P(InformerTest, ConfigurationAfterStartIsRefused) {
  Informer informer(client, resources::ConfigMaps, options());
  informer.start();
  EXPECT_THROW(informer.addHandlers({}), std::logic_error);
  EXPECT_THROW(informer.addIndex("late", [](const Json&) { return std::vector<std::string>{}; }),
               std::logic_error);
  EXPECT_THROW(informer.start(), std::logic_error);
}

TEST_P(InformerTest, ForbiddenListNeverSyncsAndStillStops) {
  auto nobody = std::make_shared<Client>(
      loadKubeconfig(testenv::controlPlane().serviceAccountKubeconfig(ns, "nobody")));
  Informer informer(nobody, resources::Secrets, options());
  informer.start();
  EXPECT_FALSE(informer.waitForSync(2s));
  EXPECT_FALSE(informer.hasSynced());
  EXPECT_EQ(informer.size(), 0u);
  auto stopped = std::async(std::launch::async, [&] { informer.stop(); });
  EXPECT_EQ(stopped.wait_for(20s), std::future_status::ready);
}

INSTANTIATE_TEST_SUITE_P(Cache, InformerTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Packed" : "Tree"; });

}  // namespace
}  // namespace autobuild::kube::e2e
