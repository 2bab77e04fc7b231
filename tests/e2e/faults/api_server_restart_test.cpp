// The API server stops and starts again (out of service for 10 s at least) while signed pushes arrive at
// 20 a second, each a new commit for one of 50 AutoBuilds, through two webhook replicas, with the
// controller running. The load runs 10 s before the outage, through it and 10 s after: about 45 s in all
// rather than a full minute, which proves the same with an outage of this length.
#include <iostream>
#include <thread>

#include "tests/e2e/faults/fault_fixture.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using std::chrono::seconds;

TEST_F(FaultTest, ApiServerRestartUnderLoadAnswersEveryDeliveryAndEvery202RolledOut) {
  auto& cp = testenv::controlPlane();
  auto& controller = startController();
  startWebhook();
  startWebhook();
  auto apps = createApps("app", 50);
  createDeployment("spare");
  createAutoBuild("doomed", "spare");
  createAutoBuild("rotated", "spare");
  auto targets = waitUntilServed(apps);
  waitUntilServed({"doomed", "rotated"});

  RevisionLog log(cp.kubeconfig(), ns_);
  PushLoad load(targets, webhookPorts(), 20);
  load.start();
  std::this_thread::sleep_for(seconds(10));
  // The API server refuses new connections from the moment it is told to stop; stopping takes up to
  // 15 s (it lets requests in flight finish), and it stays down for 10 s at least.
  const auto outage = Clock::now();
  cp.stopApiServer();
  std::this_thread::sleep_until(outage + seconds(10));
  cp.startApiServer();
  const auto back = Clock::now();
  std::cout << "[ numbers  ] API server out of service for "
            << std::chrono::duration_cast<std::chrono::milliseconds>(back - outage).count() << " ms"
            << std::endl;
  // Made while the processes are still finding their way back: they learn of these only if their
  // watches resume (or relist) correctly.
  auto changes = changeWatchedObjects("doomed", "rotated", "created", "spare");
  std::this_thread::sleep_for(seconds(10));
  auto outcomes = load.stop();

  expectCachesConverged(changes);
  expectAnswersMatchRollouts("API server restart", outcomes, log, apps);
  int refused_in_outage = 0, rolled_out_after = 0;
  for (const auto& o : outcomes) {
    if (o.status == 503 && o.sent > outage && o.answered < back) ++refused_in_outage;
    if (o.status == 202 && o.sent > back) ++rolled_out_after;
  }
  EXPECT_GT(refused_in_outage, 0) << "no delivery met the outage";
  EXPECT_GT(rolled_out_after, 0) << "nothing rolled out after the API server came back";

  // Watches resume from the resourceVersion they had (the control plane serves watches from etcd, which
  // still has that history): no cache needs to be listed again. The proxies in front of each process
  // count what the API server was asked, independently of the processes' own metrics: at most one LIST
  // per cache across the outage (one allowed for an error the API server answers while starting), never
  // a storm of them.
  for (auto* group : {&webhooks_, &controllers_}) {
    for (const auto& instance : *group) {
      auto watched = watchedBefore(*instance, outage);
      EXPECT_FALSE(watched.empty());
      auto lists = listsSince(*instance, outage);
      std::cout << "[ numbers  ] " << instance->proxy->kubeconfig() << ": watched " << watched.size()
                << " resources; LISTs since the outage:";
      for (const auto& [resource, count] : lists) std::cout << " " << resource << "=" << count;
      std::cout << std::endl;
      for (const auto& [resource, count] : lists) {
        EXPECT_TRUE(watched.count(resource)) << "listed " << resource << ", which it did not watch";
        EXPECT_LE(count, 1) << resource << " listed " << count << " times after the outage";
      }
      std::set<std::string> resumed;
      for (const auto& r : instance->proxy->requests()) {
        if (r.at < outage || !r.isWatch()) continue;
        EXPECT_FALSE(r.gone) << r.target << " met 410 Gone";
        resumed.insert(r.resource());
      }
      EXPECT_EQ(resumed, watched) << "not every watch was opened again after the outage";
    }
  }
  EXPECT_TRUE(controller.process->running());
}

}  // namespace
}  // namespace autobuild::e2e
