// Two controllers with leader election while AutoBuilds are created, edited, retargeted and their
// Secrets rotated without pause; the leader is killed (SIGKILL, as a crash) in the middle of it. The
// standby takes the Lease and every AutoBuild ends Ready with the URL its current Secret gives.
#include <atomic>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "api/autobuild.h"
#include "kube/base64.h"
#include "kube/rfc3339.h"
#include "tests/e2e/faults/fault_fixture.h"
#include "tests/e2e/support/eventually.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kTargets = 10;
constexpr milliseconds kLeaseDuration{6000};
constexpr milliseconds kRetryPeriod{500};
constexpr milliseconds kApiRoundTrips{500};

// 64 hex digits, as the controller generates a Secret.
std::string hex(std::mt19937& random) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 64; ++i) out.push_back(digits[random() % 16]);
  return out;
}

json getLease(kube::Client& client, const std::string& ns) {
  return client.get(kube::resources::Leases, ns, "autobuild-controller");
}

TEST_F(FaultTest, ControllerFailoverUnderChurnEveryAutoBuildEndsReadyWithTheRightUrl) {
  const std::vector<std::string> election{"--leader-elect",
                                          "--leader-election-namespace",
                                          ns_,
                                          "--leader-elect-lease-duration",
                                          "6",
                                          "--leader-elect-renew-deadline",
                                          "4",
                                          "--leader-elect-retry-period",
                                          "0.5"};
  auto& first = startController(election);
  auto& second = startController(election);
  for (int i = 0; i < kTargets; ++i) createDeployment("app-" + std::to_string(i));

  json lease;
  ASSERT_TRUE(eventually(
      [&] {
        lease = getLease(*client_, ns_);
        return !lease["spec"].value("holderIdentity", "").empty();
      },
      seconds(60)));
  const std::string holder = lease["spec"]["holderIdentity"];
  // The identity is "<host>_<pid>".
  auto leads = [&](OperatorInstance& c) {
    return holder.substr(holder.rfind('_') + 1) == std::to_string(c.process->pid());
  };
  ASSERT_NE(leads(first), leads(second)) << holder;
  OperatorInstance& leader = leads(first) ? first : second;
  OperatorInstance& standby = leads(first) ? second : first;

  // The churn: every 100 ms one of create, edit the spec, retarget, rotate the Secret.
  std::atomic<bool> stop{false};
  std::mutex names_mutex;
  std::vector<std::string> names;
  std::atomic<int> operations{0};
  std::thread churn([&] {
    std::mt19937 random{std::random_device{}()};
    for (int n = 0; !stop; ++n) {
      std::string some;
      {
        std::lock_guard lock(names_mutex);
        if (!names.empty()) some = names[random() % names.size()];
      }
      try {
        if (n % 4 == 0 || some.empty()) {
          std::string name = "ab-" + std::to_string(n);
          createAutoBuild(name, "app-" + std::to_string(n % kTargets));
          std::lock_guard lock(names_mutex);
          names.push_back(name);
        } else if (n % 4 == 1) {
          client_->patch(api::AutoBuilds, ns_, some, kube::PatchType::Merge,
                         {{"spec", {{"trigger", {{"keyword", "ship-" + std::to_string(n)}}}}}});
        } else if (n % 4 == 2) {
          client_->patch(api::AutoBuilds, ns_, some, kube::PatchType::Merge,
                         {{"spec", {{"target", {{"name", "app-" + std::to_string(random() % kTargets)}}}}}});
        } else {
          // The Secret exists once a leader has reconciled the AutoBuild; until then there is none to rotate.
          client_->patch(kube::resources::Secrets, ns_, some + "-webhook", kube::PatchType::Merge,
                         {{"data", {{"secret", kube::base64Encode(hex(random))}}}});
        }
        ++operations;
      } catch (const kube::ApiError& e) {
        if (!e.isNotFound()) ADD_FAILURE() << "churn: " << e.what();
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });

  std::this_thread::sleep_for(seconds(3));
  const auto killed = Clock::now();
  leader.process->kill();
  // The last renewal the dead leader made, and when the Lease changed hands, read off the Lease as a user
  // would (`kubectl get lease -w`).
  std::string last_renewal = getLease(*client_, ns_)["spec"].value("renewTime", "");
  json taken;
  bool taken_over = eventually(
      [&] {
        taken = getLease(*client_, ns_);
        if (taken["spec"].value("holderIdentity", "") == holder) {
          last_renewal = taken["spec"].value("renewTime", "");
          return false;
        }
        return true;
      },
      seconds(30), milliseconds(50));
  const auto takeover_seen = Clock::now();
  // The churn goes on well past the takeover.
  std::this_thread::sleep_until(killed + seconds(12));
  stop = true;
  churn.join();
  ASSERT_TRUE(taken_over) << "the standby never took the Lease: " << taken.dump() << "\n"
                          << standby.process->logs();

  EXPECT_EQ(taken["spec"].value("holderIdentity", ""),
            holder.substr(0, holder.rfind('_') + 1) + std::to_string(standby.process->pid()));
  EXPECT_EQ(taken["spec"].value("leaseTransitions", 0), lease["spec"].value("leaseTransitions", 0) + 1);
  // client-go's guarantee, which is what "within the lease duration" can mean: a standby takes over once
  // the lease duration has passed since it saw the record change. It sees the last renewal within one
  // attempt (a retry period plus up to 1.2 more of jitter, plus the attempt's own API round trips, for
  // which 500 ms is allowed on a shared test machine) and checks once per attempt after that: the Lease
  // is acquired within the lease duration plus two attempts after the dead leader's last renewal.
  auto renewed = kube::parseRfc3339(last_renewal);
  auto acquired = kube::parseRfc3339(taken["spec"].value("acquireTime", ""));
  ASSERT_TRUE(renewed && acquired) << taken.dump();
  const auto bound = kLeaseDuration + 2 * (kRetryPeriod + kRetryPeriod * 12 / 10 + kApiRoundTrips);
  EXPECT_LE(*acquired - *renewed, bound) << taken.dump();
  EXPECT_TRUE(eventually([&] { return standby.process->logs().find("leading") != std::string::npos; }));

  std::string why;
  std::size_t count = 0;
  EXPECT_TRUE(eventually(
      [&] {
        auto items = client_->list(api::AutoBuilds, ns_).items;
        count = items.size();
        for (const auto& ab : items) {
          if (!readyWithRightUrl(ab, &why)) return false;
        }
        return true;
      },
      seconds(90), milliseconds(500)))
      << why;
  EXPECT_EQ(count, names.size());
  const auto settled = Clock::now();

  auto ms = [](auto d) { return std::chrono::duration_cast<milliseconds>(d).count(); };
  std::cout << "[ numbers  ] controller failover: " << operations.load() << " churn operations, " << count
            << " AutoBuilds; the Lease was acquired " << ms(*acquired - *renewed)
            << " ms after the dead leader's last renewal (bound " << ms(bound) << " ms), seen "
            << ms(takeover_seen - killed) << " ms after the SIGKILL; all Ready with the right URL "
            << ms(settled - killed) << " ms after the SIGKILL" << std::endl;
}

}  // namespace
}  // namespace autobuild::e2e
