// Leader election between candidates sharing a Lease: one leads at a time, a crashed leader is replaced
// once its Lease expires, a leader that steps down is replaced at once.
#include <atomic>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/leader_elector.h"
#include "kube_test.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::MatchesRegex;

// One candidate with a client of its own, so that the test can cut it off from the API server.
struct Candidate {
  std::string identity;
  std::shared_ptr<Client> client;
  std::unique_ptr<LeaderElector> elector;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
};

class LeaderElectorTest : public KubeTest {
 protected:
  LeaderElectionConfig config(std::chrono::milliseconds lease, std::chrono::milliseconds renew,
                              std::chrono::milliseconds retry) const {
    LeaderElectionConfig c;
    c.lease_namespace = ns;
    c.lease_name = "autobuild-controller";
    c.lease_duration = lease;
    c.renew_deadline = renew;
    c.retry_period = retry;
    return c;
  }

  std::unique_ptr<Candidate> candidate(const std::string& identity, LeaderElectionConfig c) {
    auto result = std::make_unique<Candidate>();
    result->identity = identity;
    result->client = newClient();
    c.identity = identity;
    c.on_started_leading = [r = result.get()] { ++r->started; };
    c.on_stopped_leading = [r = result.get()] { ++r->stopped; };
    result->elector = std::make_unique<LeaderElector>(result->client, c);
    return result;
  }

  Json lease() { return client->get(resources::Leases, ns, "autobuild-controller"); }

  // Samples both candidates until `duration` passes; fails if both ever lead at once.
  static void expectNeverBothLead(const Candidate& a, const Candidate& b,
                                  std::chrono::milliseconds duration) {
    auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      ASSERT_FALSE(a.elector->isLeader() && b.elector->isLeader())
          << a.identity << " and " << b.identity << " both lead";
      std::this_thread::sleep_for(10ms);
    }
  }

  // Elects one of `a` and `b`; returns the leader first.
  static std::pair<Candidate*, Candidate*> elect(Candidate& a, Candidate& b) {
    a.elector->start();
    b.elector->start();
    bool elected = eventually([&] { return a.elector->isLeader() || b.elector->isLeader(); });
    EXPECT_TRUE(elected) << "nobody was elected";
    return a.elector->isLeader() ? std::make_pair(&a, &b) : std::make_pair(&b, &a);
  }
};

TEST_F(LeaderElectorTest, ExactlyOneOfTwoCandidatesLeads) {
  auto a = candidate("candidate-a", config(3s, 2s, 500ms));
  auto b = candidate("candidate-b", config(3s, 2s, 500ms));
  auto [leader, standby] = elect(*a, *b);
  ASSERT_TRUE(leader->elector->isLeader());

  // Several lease durations: the leader keeps renewing and the standby keeps waiting.
  expectNeverBothLead(*a, *b, 7s);
  EXPECT_TRUE(leader->elector->isLeader());
  EXPECT_FALSE(standby->elector->isLeader());
  EXPECT_EQ(leader->started.load(), 1);
  EXPECT_EQ(standby->started.load(), 0);
  EXPECT_TRUE(leader->elector->healthy());
  EXPECT_TRUE(standby->elector->healthy());

  Json spec = lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], leader->identity);
  EXPECT_EQ(spec["leaseDurationSeconds"], 3);
  const std::string micro_time = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z";
  EXPECT_THAT(spec["renewTime"].get<std::string>(), MatchesRegex(micro_time));
  EXPECT_THAT(spec["acquireTime"].get<std::string>(), MatchesRegex(micro_time));
  EXPECT_GT(spec["renewTime"].get<std::string>(), spec["acquireTime"].get<std::string>()) << "never renewed";
}

TEST_F(LeaderElectorTest, StandbyTakesOverACrashedLeaderAfterTheLeaseExpires) {
  auto a = candidate("candidate-a", config(3s, 2s, 500ms));
  auto b = candidate("candidate-b", config(3s, 2s, 500ms));
  auto [leader, standby] = elect(*a, *b);
  ASSERT_TRUE(leader->elector->isLeader());
  expectNeverBothLead(*a, *b, 1s);
  const int transitions = lease()["spec"].value("leaseTransitions", 0);

  // A crash as the others see it: the leader can neither renew nor release any more.
  leader->client->shutdown();
  const auto crashed = std::chrono::steady_clock::now();

  // The leader notices within its renew deadline and steps down before anyone else may lead.
  bool took_over = false;
  auto end = crashed + 15s;
  while (std::chrono::steady_clock::now() < end && !took_over) {
    ASSERT_FALSE(leader->elector->isLeader() && standby->elector->isLeader()) << "both lead";
    took_over = standby->elector->isLeader();
    std::this_thread::sleep_for(10ms);
  }
  const auto waited = std::chrono::steady_clock::now() - crashed;
  ASSERT_TRUE(took_over) << "the standby never took over";
  EXPECT_FALSE(leader->elector->isLeader());
  EXPECT_EQ(leader->stopped.load(), 1);
  EXPECT_TRUE(eventually([&] { return !leader->elector->healthy(); }, 10s))
      << "a leader cut off stays healthy";
  // Not before the Lease expired, as this standby last saw it renewed at most a retry period (with
  // jitter) before the crash.
  EXPECT_GE(waited, 3s - 1200ms);
  Json spec = lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], standby->identity);
  EXPECT_EQ(spec["leaseTransitions"], transitions + 1);
}

TEST_F(LeaderElectorTest, StandbyTakesOverAtOnceWhenTheLeaderReleases) {
  // A long lease: a takeover well before it could expire proves the release.
  auto a = candidate("candidate-a", config(30s, 20s, 500ms));
  auto b = candidate("candidate-b", config(30s, 20s, 500ms));
  auto [leader, standby] = elect(*a, *b);
  ASSERT_TRUE(leader->elector->isLeader());
  expectNeverBothLead(*a, *b, 1s);

  const auto released = std::chrono::steady_clock::now();
  leader->elector->stop();
  EXPECT_FALSE(leader->elector->isLeader());
  EXPECT_EQ(leader->stopped.load(), 1);
  ASSERT_TRUE(eventually([&] { return standby->elector->isLeader(); }, 20s)) << "the standby never took over";
  EXPECT_LT(std::chrono::steady_clock::now() - released, 10s) << "took over by expiry, not by release";
  EXPECT_EQ(lease()["spec"]["holderIdentity"], standby->identity);
  EXPECT_FALSE(leader->elector->healthy());
}

TEST_F(LeaderElectorTest, DefaultTimingsElectAndHandOverOnRelease) {
  auto a = candidate("candidate-a", config(15s, 10s, 2s));
  a->elector->start();
  ASSERT_TRUE(eventually([&] { return a->elector->isLeader(); }, 20s));
  auto b = candidate("candidate-b", config(15s, 10s, 2s));
  b->elector->start();
  ASSERT_TRUE(eventually([&] { return b->elector->healthy(); }, 20s));
  EXPECT_FALSE(b->elector->isLeader());

  a->elector->stop();
  ASSERT_TRUE(eventually([&] { return b->elector->isLeader(); }, 14s))
      << "no takeover before the lease expired";
  EXPECT_EQ(lease()["spec"]["leaseDurationSeconds"], 15);
}

TEST_F(LeaderElectorTest, LeaderThatCannotRenewStopsLeadingWithinTheRenewDeadline) {
  auto only = candidate("candidate-a", config(3s, 2s, 500ms));
  only->elector->start();
  ASSERT_TRUE(eventually([&] { return only->elector->isLeader(); }));
  only->client->shutdown();
  ASSERT_TRUE(eventually([&] { return !only->elector->isLeader(); }, 10s));
  EXPECT_EQ(only->stopped.load(), 1);
  EXPECT_TRUE(eventually([&] { return !only->elector->healthy(); }, 10s)) << "a leader cut off stays healthy";
}

TEST_F(LeaderElectorTest, CandidateAwayFromTheApiIsUnhealthy) {
  auto lonely = candidate("candidate-a", config(3s, 2s, 500ms));
  lonely->client->shutdown();
  lonely->elector->start();
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(lonely->elector->isLeader());
  EXPECT_FALSE(lonely->elector->healthy());
}

TEST_F(LeaderElectorTest, InconsistentTimingsAreRejected) {
  EXPECT_THROW(LeaderElector(client,
                             [&] {
                               auto c = config(2s, 3s, 500ms);
                               c.identity = "x";
                               return c;
                             }()),
               std::invalid_argument);
  EXPECT_THROW(LeaderElector(client,
                             [&] {
                               auto c = config(3s, 2s, 2s);
                               c.identity = "x";
                               return c;
                             }()),
               std::invalid_argument);
  EXPECT_THROW(LeaderElector(client, config(3s, 2s, 500ms)), std::invalid_argument);  // no identity
}

}  // namespace
}  // namespace autobuild::kube::e2e
