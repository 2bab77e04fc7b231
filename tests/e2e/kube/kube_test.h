// The fixture of the client library's end-to-end tests: an admin Client for the test binary's control
// plane and a namespace of the test's own, deleted afterwards.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "kube/config.h"

namespace autobuild::kube::e2e {

using Json = nlohmann::json;
using namespace std::chrono_literals;

class KubeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The admin configuration, with client-side limits loose enough for bulk set-up.
  static ClientConfig adminConfig();
  std::shared_ptr<Client> newClient() const { return std::make_shared<Client>(adminConfig()); }
  // A ConfigMap in this test's namespace.
  Json configMap(const std::string& name, const Json& data = Json::object(),
                 const Json& labels = Json::object()) const;

  std::shared_ptr<Client> client;
  std::string ns;  // unique per test: e2e-<test name>-<random>
};

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 30s);

// n random lower-case hex digits.
std::string randomSuffix(std::size_t n = 6);

}  // namespace autobuild::kube::e2e
