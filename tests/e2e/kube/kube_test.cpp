#include "kube_test.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <thread>

#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {

std::string randomSuffix(std::size_t n) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(n, '0');
  for (auto& c : s) c = kDigits[engine() % 16];
  return s;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

ClientConfig KubeTest::adminConfig() {
  ClientConfig config = loadKubeconfig(testenv::controlPlane().kubeconfig());
  config.qps = 1000;
  config.burst = 1000;
  return config;
}

void KubeTest::SetUp() {
  client = newClient();
  // A DNS label from the test's name: lower case, dashes for the rest, short enough for a suffix.
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string label;
  for (char c : name) {
    label += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  }
  label = label.substr(0, 40);
  while (!label.empty() && label.back() == '-') label.pop_back();
  ns = "e2e-" + label + "-" + randomSuffix();
  client->create(resources::Namespaces, "",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
}

void KubeTest::TearDown() {
  try {
    client->remove(resources::Namespaces, "", ns, Propagation::Background);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "deleting namespace " << ns << ": " << e.what();
  }
}

Json KubeTest::configMap(const std::string& name, const Json& data, const Json& labels) const {
  Json object = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"namespace", ns}}}};
  if (!labels.empty()) object["metadata"]["labels"] = labels;
  if (!data.empty()) object["data"] = data;
  return object;
}

}  // namespace autobuild::kube::e2e
