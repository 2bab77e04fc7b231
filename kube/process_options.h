// The command-line options both processes share (SPEC section 5).
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace autobuild::kube {

struct ProcessOptions {
  std::string kubeconfig;
  std::vector<std::string> namespaces;  // empty: all namespaces
  std::string metrics_addr = "0.0.0.0:9090";
  std::string log_level = "info";
  std::string log_format = "text";
  double kube_api_qps = 50;
  int kube_api_burst = 100;
};

void addProcessOptions(CLI::App& app, ProcessOptions& options);

// This replica's name for Events and Leases: $POD_NAME (the downward API), else the host name.
std::string podName();

}  // namespace autobuild::kube
