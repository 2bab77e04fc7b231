// etcd compacts its history while every process's watches are away (their proxies close each watch and
// let everything else through, so deliveries keep rolling out meanwhile): the watches come back to 410
// Gone, the caches are listed again, and what changed while they were away (deletions included) is
// acted on.
#include <iostream>
#include <thread>

#include "api/autobuild.h"
#include "tests/e2e/faults/fault_fixture.h"
#include "tests/e2e/support/eventually.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

TEST_F(FaultTest, EtcdCompactionWhileWatchesAreAwayRelistsAndTheCachesStayCorrect) {
  auto& cp = testenv::controlPlane();
  startController();
  startWebhook();
  startWebhook();
  auto apps = createApps("app", 20);
  createDeployment("spare");
  createDeployment("gone");
  createAutoBuild("doomed", "spare");
  createAutoBuild("rotated", "spare");
  createAutoBuild("orphaned", "gone");
  auto targets = waitUntilServed(apps);
  waitUntilServed({"doomed", "rotated", "orphaned"});

  RevisionLog log(cp.kubeconfig(), ns_);
  PushLoad load(targets, webhookPorts(), 10);
  load.start();
  std::this_thread::sleep_for(seconds(5));

  const auto away = Clock::now();
  for (auto* group : {&webhooks_, &controllers_}) {
    for (auto& instance : *group) instance->proxy->blockWatches(true);
  }
  auto changes = changeWatchedObjects("doomed", "rotated", "created", "spare");
  client_->remove(kube::resources::Deployments, ns_, "gone");
  // Long enough for every informer to find its watch gone and try again.
  std::this_thread::sleep_for(seconds(3));
  cp.compactEtcd();
  const auto compacted = Clock::now();
  for (auto* group : {&webhooks_, &controllers_}) {
    for (auto& instance : *group) instance->proxy->blockWatches(false);
  }
  std::this_thread::sleep_for(seconds(10));
  auto outcomes = load.stop();

  expectCachesConverged(changes);
  // The controller learnt of the deleted Deployment from its relist: nothing else would tell it.
  json last;
  EXPECT_TRUE(eventually(
      [&] {
        last = client_->get(api::AutoBuilds, ns_, "orphaned");
        for (const auto& c : last["status"].value("conditions", json::array())) {
          if (c.value("type", "") == "Ready") return c.value("reason", "") == "TargetNotFound";
        }
        return false;
      },
      seconds(60)))
      << last.dump();

  // Every watch of every process came back to 410 Gone and its cache was listed again (nothing else is
  // left to do), no more than twice (once more for an error while listing), as the proxies saw.
  for (auto* group : {&webhooks_, &controllers_}) {
    for (const auto& instance : *group) {
      auto watched = watchedBefore(*instance, away);
      auto lists = listsSince(*instance, compacted);
      std::cout << "[ numbers  ] " << instance->proxy->kubeconfig() << ": LISTs after the compaction:";
      for (const auto& [resource, count] : lists) std::cout << " " << resource << "=" << count;
      std::cout << std::endl;
      EXPECT_FALSE(watched.empty());
      for (const auto& resource : watched) {
        EXPECT_GE(lists[resource], 1) << resource << " was not listed again after 410 Gone";
        EXPECT_LE(lists[resource], 2) << resource << " listed " << lists[resource] << " times";
      }
      std::set<std::string> gone;
      for (const auto& r : instance->proxy->requests()) {
        if (r.gone && r.at >= compacted) gone.insert(r.resource());
      }
      EXPECT_EQ(gone, watched) << "not every watch of this process met 410 Gone";
    }
  }

  // And they watch again from their new lists: an AutoBuild created now is served.
  createAutoBuild("late", "spare");
  waitUntilServed({"late"});

  expectAnswersMatchRollouts("etcd compaction", outcomes, log, apps);
}

}  // namespace
}  // namespace autobuild::e2e
