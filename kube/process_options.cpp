#include "kube/process_options.h"

#include <unistd.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace autobuild::kube {

void addProcessOptions(CLI::App& app, ProcessOptions& o) {
  app.add_option("--kubeconfig", o.kubeconfig,
                 "kubeconfig file; default: in-cluster, else $KUBECONFIG, else ~/.kube/config");
  app.add_option("--namespace", o.namespaces, "namespace to watch (repeatable); default: all namespaces");
  app.add_option("--metrics-addr", o.metrics_addr, "address of the Prometheus endpoint")
      ->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", o.log_format, "text or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--kube-api-qps", o.kube_api_qps, "requests per second to the API server")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--kube-api-burst", o.kube_api_burst, "burst of requests to the API server")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.set_version_flag("--version", std::string("autobuild ") + AUTOBUILD_VERSION);
}

std::string podName() {
  if (const char* name = std::getenv("POD_NAME")) return name;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace autobuild::kube
