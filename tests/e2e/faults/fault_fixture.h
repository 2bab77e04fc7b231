// The operator under faults: each test starts its own autobuild-controller(s) and autobuild-webhook
// replicas as real processes, each talking to the test control plane through an ApiServerProxy of its
// own (so a test can slow, count or cut exactly that process's API traffic), all watching only the
// test's namespace; and it accounts for a PushLoad's answers against the rollouts the API server saw.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "tests/e2e/faults/api_server_proxy.h"
#include "tests/e2e/faults/push_load.h"
#include "tests/e2e/faults/revision_log.h"
#include "tests/e2e/support/operator_process.h"

namespace autobuild::e2e {

class FaultTest : public ::testing::Test {
 protected:
  static constexpr const char* kBaseUrl = "http://hooks.example.test";

  struct OperatorInstance {
    std::unique_ptr<ApiServerProxy> proxy;
    std::unique_ptr<OperatorProcess> process;
    int port = 0;  // webhook: its listener; controller: /healthz and /readyz
  };

  static void SetUpTestSuite();
  void SetUp() override;
  // SIGTERM to every process still running, each expected to exit 0.
  void TearDown() override;

  // Started and ready (/readyz answers 200).
  OperatorInstance& startWebhook(const std::vector<std::string>& extra = {});
  // Started; with --leader-elect the test waits for the Lease itself.
  OperatorInstance& startController(const std::vector<std::string>& extra = {});
  std::vector<int> webhookPorts() const;

  // A Deployment `name` with one replica of one container `app`.
  void createDeployment(const std::string& name);
  // A GitHub AutoBuild `name` (every push to main with @deploy) rolling `target` out.
  void createAutoBuild(const std::string& name, const std::string& target);
  // `prefix-00`, `prefix-01`, ...: a Deployment and an AutoBuild of each name.
  std::vector<std::string> createApps(const std::string& prefix, int count);

  // The Secret's value and the path the AutoBuild's webhook id must have now.
  std::string secretOf(const std::string& autobuild);
  std::string expectedPath(const std::string& autobuild);
  // Ready with reason WebhookReady for its current generation, and publishing the URL its Secret gives.
  bool readyWithRightUrl(const nlohmann::json& autobuild, std::string* why = nullptr);
  // Waits until each AutoBuild is ready with the right URL and every webhook replica serves its path;
  // returns them as load targets.
  std::vector<PushTarget> waitUntilServed(const std::vector<std::string>& autobuilds);
  // Whether `replica` serves `path` (anything but 404 to an unsigned POST, which changes nothing).
  bool serves(int replica, const std::string& path);
  // A signed push of a new commit to `autobuild` through `replica`; the outcome.
  PushOutcome pushTo(int replica, const std::string& autobuild);

  // Changes a process learns of only through its watches: AutoBuild `deleted` deleted, the Secret of
  // `rotated` given a new value, AutoBuild `created` created (rolling `target` out).
  struct WatchedChanges {
    std::string deleted;
    std::string deleted_path;
    std::string rotated;
    std::string rotated_old_path;
    std::string created;
  };
  WatchedChanges changeWatchedObjects(const std::string& deleted, const std::string& rotated,
                                      const std::string& created, const std::string& target);
  // Waits until the controller and every webhook replica act on them: the deleted AutoBuild's path and
  // the rotated one's old path answer 404, and the new paths roll out.
  void expectCachesConverged(const WatchedChanges& changes);

  // The load's answers against the rollouts `log` saw on `deployments`: every delivery answered; every
  // 202 rolled out, and nothing else did (answers other than 202 are 5xx or 429 with Retry-After, or 200
  // Ignored); each Deployment's generation moved once per 202; and the Deployment controller made a
  // ReplicaSet of each Deployment's last revision. Prints the numbers.
  void expectAnswersMatchRollouts(const std::string& what, const std::vector<PushOutcome>& outcomes,
                                  RevisionLog& log, const std::vector<std::string>& deployments);

  // LIST requests `instance` sent after `since`, by resource.
  static std::map<std::string, int> listsSince(const OperatorInstance& instance, Clock::time_point since);
  // The resources `instance` watched before `before`: those whose caches it keeps.
  static std::set<std::string> watchedBefore(const OperatorInstance& instance, Clock::time_point before);

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  std::vector<std::unique_ptr<OperatorInstance>> webhooks_;
  std::vector<std::unique_ptr<OperatorInstance>> controllers_;
};

}  // namespace autobuild::e2e
