// One of two webhook replicas gets SIGTERM under load, while deliveries are in flight on it (its API
// server proxy holds each rollout's answer for 1.5 s so that there are some): they complete, the
// replica stops listening so new connections go to the other one, and it exits 0.
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

TEST_F(FaultTest, WebhookDrainUnderLoadCompletesDeliveriesInFlightAndExitsZero) {
  startController();
  auto& draining = startWebhook();
  startWebhook();
  auto apps = createApps("app", 20);
  auto targets = waitUntilServed(apps);
  draining.proxy->setDelay([](const ProxiedRequest& r) {
    return r.method == "PATCH" && r.resource() == "deployments" ? milliseconds(1500) : milliseconds(0);
  });

  RevisionLog log(testenv::controlPlane().kubeconfig(), ns_);
  constexpr double kRate = 16;
  PushLoad load(targets, webhookPorts(), kRate);
  const auto began = Clock::now();
  load.start();
  // The SIGTERM falls half-way between two deliveries of the load: a connection the kernel completes
  // in the instant between the replica's last accept and the close of its listening socket is reset,
  // which no server can prevent (that is what a readiness drain delay before the SIGTERM is for). The
  // connection opened before the SIGTERM below is the case a server can and must handle.
  std::this_thread::sleep_until(began + seconds(3) +
                                std::chrono::microseconds(static_cast<long>(0.5e6 / kRate)));
  ASSERT_TRUE(eventually([&] { return load.pendingOn(0) >= 3; }, seconds(30)))
      << "no deliveries in flight on the replica to stop";
  // A connection the replica accepts before its SIGTERM and whose request arrives once it has stopped
  // accepting: the replica took it on, so it answers it like the deliveries it is working on (as Go's
  // http.Server.Shutdown does for a connection that has not sent its first request yet). The load meets
  // the same case now and then, when a delivery's connection is accepted just before the SIGTERM.
  PushConnection accepted_before(draining.port, seconds(60));
  ASSERT_FALSE(accepted_before.refused());

  const auto sigterm = Clock::now();
  int exit_code = -1;
  std::thread stopper([&] { exit_code = draining.process->terminate(seconds(30)); });
  EXPECT_TRUE(eventually([&] { return PushConnection(draining.port, seconds(10)).refused(); }, seconds(10),
                         milliseconds(20)))
      << "the replica never stopped accepting connections";
  // Time for the replica to act on the connections it holds, as it does once it stops accepting.
  std::this_thread::sleep_for(milliseconds(300));
  const std::string revision = randomHex(40);
  PushOutcome late = accepted_before.post(
      targets[0].path, signedGitHubPush(targets[0].secret, revision, "accepted before the SIGTERM @deploy"));
  late.autobuild = targets[0].autobuild;
  late.revision = revision;
  late.first_replica = 0;
  if (late.status != 0) late.replica = 0;
  EXPECT_EQ(late.status, 202) << late.error;

  std::this_thread::sleep_for(seconds(5));
  auto outcomes = load.stop();
  stopper.join();
  EXPECT_EQ(exit_code, 0) << draining.process->logs();

  int in_flight = 0, rerouted = 0;
  for (const auto& o : outcomes) {
    if (o.first_replica == 0 && !o.refused && o.sent < sigterm && o.answered > sigterm) {
      // Its connection was open before the SIGTERM and its answer came after: it was in flight.
      ++in_flight;
      EXPECT_EQ(o.status, 202) << "a delivery in flight at the SIGTERM: " << o.error;
      EXPECT_EQ(o.replica, 0);
    }
    if (o.first_replica == 0 && o.refused) {
      ++rerouted;
      EXPECT_EQ(o.replica, 1) << o.error;
    }
  }
  EXPECT_GT(in_flight, 0);
  EXPECT_GT(rerouted, 0) << "no connection was refused by the stopped replica";
  std::cout << "[ numbers  ] webhook drain: " << in_flight << " deliveries in flight at the SIGTERM, "
            << rerouted << " refused by the stopped replica and answered by the other" << std::endl;

  outcomes.push_back(late);
  expectAnswersMatchRollouts("webhook drain", outcomes, log, apps);
}

}  // namespace
}  // namespace autobuild::e2e
