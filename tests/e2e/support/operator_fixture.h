// The operator as a user runs it, for end-to-end tests: the CRD applied with kubectl, one
// autobuild-controller and two autobuild-webhook replicas as real processes against the test control
// plane, and each test in a namespace of its own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "tests/e2e/support/http_client.h"
#include "tests/e2e/support/operator_process.h"

namespace autobuild::e2e {

class OperatorFixture : public ::testing::Test {
 protected:
  // Started once per test binary, shared by its tests.
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static int webhookPort(int replica = 0);
  static OperatorProcess& webhook(int replica = 0);
  static std::shared_ptr<kube::Client> client();
  // Stops the controller with SIGTERM (expecting exit 0), runs `while_stopped`, and starts it again with
  // the same arguments, as a rollout of the controller's Deployment would.
  static void restartController(const std::function<void()>& while_stopped = {});

  // A Deployment (or StatefulSet / DaemonSet) named `name` in this test's namespace with the given
  // containers ({name, image} pairs).
  void createWorkload(const std::string& kind, const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& containers, int replicas = 1);
  // Creates an AutoBuild `name` targeting `target` with `spec` merged over a GitHub default, waits until it
  // is Ready with its URL, and returns the Secret's value.
  std::string createAutoBuild(const std::string& name, const nlohmann::json& spec);
  std::string webhookPath(const std::string& autobuild);

  nlohmann::json getWorkload(const std::string& kind, const std::string& name);
  // ReplicaSets of the Deployment `name` (by owner).
  std::vector<nlohmann::json> replicaSets(const std::string& deployment);
  std::string templateRevision(const std::string& kind, const std::string& name);

  HttpReply post(const std::string& path, const std::vector<std::pair<std::string, std::string>>& headers,
                 const std::string& body, int replica = 0);

  std::string ns_;
};

}  // namespace autobuild::e2e
