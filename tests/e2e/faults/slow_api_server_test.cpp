// A slow API server, as one webhook replica sees it through its proxy. The webhook gives each API
// request 3 s (its kube client's request timeout; it has no deadline for a delivery as a whole): a
// delivery whose API request is answered later than that is answered 503 with Retry-After, and nothing
// it was about may have happened; the worker pool sheds what it cannot queue instead of hanging, is
// whole again once the API server is, and /healthz answers throughout.
#include <atomic>
#include <iostream>
#include <thread>

#include "tests/e2e/faults/fault_fixture.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/http_client.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(FaultTest, SlowApiServerAnswers503ChangesNothingAndHealthzStaysResponsive) {
  startController();
  // 4 workers and room for 32 more deliveries in the queue (8 per worker).
  auto& slow = startWebhook({"--workers", "4"});
  auto apps = createApps("app", 12);
  auto targets = waitUntilServed(apps);
  RevisionLog log(testenv::controlPlane().kubeconfig(), ns_);

  // Every answer comes 5 s late, past the 3 s the webhook waits; the watches are left alone.
  slow.proxy->setDelay(
      [](const ProxiedRequest& r) { return r.isWatch() ? milliseconds(0) : milliseconds(5000); });
  constexpr int kDeliveries = 44;
  std::vector<SignedPush> pushes;
  std::vector<std::string> revisions;
  for (int i = 0; i < kDeliveries; ++i) {
    revisions.push_back(randomHex(40));
    pushes.push_back(signedGitHubPush(targets[i % targets.size()].secret, revisions.back(), "slow @deploy"));
  }
  std::vector<PushOutcome> outcomes(kDeliveries);
  std::atomic<int> answered{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < kDeliveries; ++i) {
    senders.emplace_back([&, i] {
      outcomes[i] = postPush(slow.port, targets[i % targets.size()].path, pushes[i], seconds(90));
      outcomes[i].autobuild = targets[i % targets.size()].autobuild;
      outcomes[i].revision = revisions[i];
      ++answered;
    });
  }
  // /healthz is answered on the IO threads, whatever the workers wait for.
  int health_checks = 0;
  while (answered < kDeliveries) {
    HttpReply health = httpRequest(slow.port, "GET", "/healthz", {}, "");
    int waiting = kDeliveries - answered;
    EXPECT_EQ(health.status, 200);
    if (waiting > 0) ++health_checks;
    std::this_thread::sleep_for(milliseconds(500));
  }
  for (auto& s : senders) s.join();
  EXPECT_GE(health_checks, 5) << "/healthz was not asked while deliveries waited";

  int unavailable = 0, overloaded = 0;
  for (const auto& o : outcomes) {
    EXPECT_EQ(o.status, 503) << o.error;
    EXPECT_FALSE(o.retry_after.empty()) << o.error;
    if (o.reason == "APIUnavailable") ++unavailable;
    if (o.reason == "Overloaded") ++overloaded;
  }
  EXPECT_EQ(unavailable + overloaded, kDeliveries);
  EXPECT_GT(overloaded, 0) << "the queue took more than the workers can get through";
  std::cout << "[ numbers  ] slow API server: " << kDeliveries << " deliveries at once: " << unavailable
            << " answered 503 APIUnavailable after waiting for the API server, " << overloaded
            << " 503 Overloaded at once; /healthz answered 200 " << health_checks << " times meanwhile"
            << std::endl;
  expectAnswersMatchRollouts("slow API server", outcomes, log, apps);

  // The workers are free again once the API server answers in time.
  slow.proxy->setDelay({});
  PushOutcome after;
  EXPECT_TRUE(eventually([&] {
    after = pushTo(0, apps[0]);
    return after.status == 202;
  })) << after.status
      << " " << after.error;
}

// The API server applies a patch at once but its answer arrives past the webhook's deadline: the
// rollout happened, so the delivery must not be answered as if nothing had.
TEST_F(FaultTest, ARolloutWhoseAnswerComesLateIsNotReportedAsNothingChanged) {
  startController();
  auto& slow = startWebhook();
  auto apps = createApps("app", 6);
  auto targets = waitUntilServed(apps);
  RevisionLog log(testenv::controlPlane().kubeconfig(), ns_);

  slow.proxy->setDelay([](const ProxiedRequest& r) {
    return r.method == "PATCH" && r.resource() == "deployments" ? milliseconds(4000) : milliseconds(0);
  });
  std::vector<PushOutcome> outcomes(apps.size());
  std::vector<std::thread> senders;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    std::string sha = randomHex(40);
    SignedPush push = signedGitHubPush(targets[i].secret, sha, "late @deploy");
    senders.emplace_back([&, i, sha, push] {
      outcomes[i] = postPush(slow.port, targets[i].path, push, seconds(60));
      outcomes[i].autobuild = apps[i];
      outcomes[i].revision = sha;
    });
  }
  for (auto& s : senders) s.join();
  slow.proxy->setDelay({});
  expectAnswersMatchRollouts("rollout answered late", outcomes, log, apps);
}

}  // namespace
}  // namespace autobuild::e2e
