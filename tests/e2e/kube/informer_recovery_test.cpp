// The Informer across outages: it resumes a broken watch from the last resourceVersion, and when that
// is too old (410 Gone after compaction) it lists again and reconciles, deletions included.
#include <atomic>
#include <future>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gated_transport.h"
#include "handler_log.h"
#include "kube/informer.h"
#include "kube_test.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Every test runs with the cache as JSON trees and as CBOR bytes (InformerOptions::packed).
class InformerRecoveryTest : public KubeTest, public ::testing::WithParamInterface<bool> {
 protected:
  InformerOptions options() {
    InformerOptions o;
    o.packed = GetParam();
    o.ns = ns;
    o.min_backoff = 50ms;
    o.max_backoff = 500ms;
    o.on_watch_restart = [this] { ++watch_restarts; };
    return o;
  }

  // A client whose connection to the API server the test can cut.
  std::shared_ptr<Client> gatedClient() {
    gate = std::make_shared<GatedTransport>(makeCpprestTransport(adminConfig()));
    return std::make_shared<Client>(gate);
  }

  static std::set<std::string> names(const std::vector<ObjectPtr>& objects) {
    std::set<std::string> result;
    for (const auto& object : objects) {
      std::string name = object->at("metadata").at("name");
      if (name != "kube-root-ca.crt") result.insert(name);
    }
    return result;
  }

  std::shared_ptr<GatedTransport> gate;
  std::atomic<int> watch_restarts{0};
};

TEST_P(InformerRecoveryTest, ResumesAfterTheApiServerRestartsAndSeesChangesMadeMeanwhile) {
  client->create(resources::ConfigMaps, ns, configMap("kept", {{"v", "1"}}));
  client->create(resources::ConfigMaps, ns, configMap("doomed"));
  HandlerLog log;  // outlives the informer, whose thread calls into it
  Informer informer(client, resources::ConfigMaps, options());
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  testenv::controlPlane().stopApiServer();
  testenv::controlPlane().startApiServer();
  // The informer is the subject here; the old client's pooled connections after a restart are
  // ClientVerbsTest.RequestsSucceedAfterTheApiServerRestarts's.
  client = newClient();
  client->create(resources::ConfigMaps, ns, configMap("born"));
  client->patch(resources::ConfigMaps, ns, "kept", PatchType::Merge, {{"data", {{"v", "2"}}}});
  client->remove(resources::ConfigMaps, ns, "doomed");

  ASSERT_TRUE(log.waitForCall("delete doomed", 60s)) << "the informer did not come back after the restart";
  auto summaries = log.summariesFor({"kept", "doomed", "born"});
  ASSERT_EQ(summaries.size(), 5u) << ::testing::PrintToString(summaries);
  EXPECT_THAT(std::vector<std::string>(summaries.begin(), summaries.begin() + 2),
              UnorderedElementsAre("add kept", "add doomed"));
  EXPECT_THAT(std::vector<std::string>(summaries.begin() + 2, summaries.end()),
              ElementsAre("add born", "update kept", "delete doomed"));
  EXPECT_GE(watch_restarts.load(), 1);
  EXPECT_EQ(names(informer.list()), (std::set<std::string>{"kept", "born"}));
  EXPECT_EQ(informer.get(ns + "/kept")->at("data").at("v"), "2");
}

TEST_P(InformerRecoveryTest, RelistsAfterGoneAndReconcilesTheCache) {
  client->create(resources::ConfigMaps, ns, configMap("unchanged", {}, {{"group", "a"}}));
  client->create(resources::ConfigMaps, ns, configMap("changed", {{"v", "1"}}, {{"group", "a"}}));
  client->create(resources::ConfigMaps, ns, configMap("deleted", {{"v", "last"}}, {{"group", "a"}}));

  HandlerLog log;
  Informer informer(gatedClient(), resources::ConfigMaps, options());
  informer.addIndex("group", [](const Json& object) {
    std::vector<std::string> values;
    auto labels = object.at("metadata").value("labels", Json::object());
    if (labels.contains("group")) values.push_back(labels["group"]);
    return values;
  });
  informer.addHandlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));
  const auto calls_before = log.calls().size();

  // The informer is away while objects change and etcd forgets the history it would resume from.
  gate->close();
  client->patch(resources::ConfigMaps, ns, "changed", PatchType::Merge, {{"data", {{"v", "2"}}}});
  client->remove(resources::ConfigMaps, ns, "deleted");
  client->create(resources::ConfigMaps, ns, configMap("created", {}, {{"group", "a"}}));
  testenv::controlPlane().compactEtcd();
  gate->open();

  ASSERT_TRUE(log.waitForCall("delete deleted", 60s)) << "the informer did not relist after 410 Gone";
  ASSERT_TRUE(log.waitForCall("add created", 10s));
  ASSERT_TRUE(log.waitForCall("update changed", 10s));
  std::vector<std::string> after;
  auto calls = log.calls();
  for (auto i = calls_before; i < calls.size(); ++i) {
    if (calls[i].name() != "kube-root-ca.crt") after.push_back(calls[i].summary());
  }
  EXPECT_THAT(after, UnorderedElementsAre("delete deleted", "update changed", "add created"));
  for (auto i = calls_before; i < calls.size(); ++i) {
    if (calls[i].summary() == "delete deleted") {
      EXPECT_EQ(calls[i].object->at("data").at("v"), "last");
    }
    if (calls[i].summary() == "update changed") {
      EXPECT_EQ(calls[i].old_object->at("data").at("v"), "1");
      EXPECT_EQ(calls[i].object->at("data").at("v"), "2");
    }
  }

  EXPECT_EQ(names(informer.list()), (std::set<std::string>{"unchanged", "changed", "created"}));
  EXPECT_EQ(informer.get(ns + "/deleted"), nullptr);
  EXPECT_EQ(informer.get(ns + "/changed")->at("data").at("v"), "2");
  EXPECT_EQ(names(informer.byIndex("group", "a")),
            (std::set<std::string>{"unchanged", "changed", "created"}));

  // And it watches again from the new list: a watch opened after the first one, so counted as a restart
  // (once "add later" arrived; the relist's own calls come before that watch opens).
  client->create(resources::ConfigMaps, ns, configMap("later"));
  ASSERT_TRUE(log.waitForCall("add later", 30s));
  EXPECT_GE(watch_restarts.load(), 1);
}

TEST_P(InformerRecoveryTest, StopIsPromptWhileTheApiServerIsUnreachable) {
  Informer informer(gatedClient(), resources::ConfigMaps, options());
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));
  gate->close();
  auto stopped = std::async(std::launch::async, [&] { informer.stop(); });
  ASSERT_EQ(stopped.wait_for(20s), std::future_status::ready);
}

TEST_P(InformerRecoveryTest, StartWhileUnreachableSyncsOnceTheServerIsBack) {
  auto gated = gatedClient();
  gate->close();
  client->create(resources::ConfigMaps, ns, configMap("waiting"));
  Informer informer(gated, resources::ConfigMaps, options());
  informer.start();
  EXPECT_FALSE(informer.waitForSync(1s));
  gate->open();
  ASSERT_TRUE(informer.waitForSync(30s));
  EXPECT_NE(informer.get(ns + "/waiting"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Cache, InformerRecoveryTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Packed" : "Tree"; });

}  // namespace
}  // namespace autobuild::kube::e2e
