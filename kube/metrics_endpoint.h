// The Prometheus endpoint of a process (GET /metrics on --metrics-addr) and the metrics every process
// shares: autobuild_kube_requests_total{verb,code} and autobuild_watch_restarts_total{resource}.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace prometheus {
class Exposer;
}

namespace autobuild::kube {

class MetricsEndpoint {
 public:
  // Listens on `address` ("host:port"); throws std::runtime_error naming the address if it cannot.
  explicit MetricsEndpoint(const std::string& address);
  ~MetricsEndpoint();

  prometheus::Registry& registry() { return *registry_; }
  // For ClientOptions::observer.
  void countKubeRequest(std::string_view verb, int code);
  // For InformerOptions::on_watch_restart.
  void countWatchRestart(const std::string& resource);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* kube_requests_;
  prometheus::Family<prometheus::Counter>* watch_restarts_;
};

}  // namespace autobuild::kube
