#include "kube/metrics_endpoint.h"

#include <stdexcept>

#include <prometheus/exposer.h>

namespace autobuild::kube {

MetricsEndpoint::MetricsEndpoint(const std::string& address)
    : registry_(std::make_shared<prometheus::Registry>()) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    throw std::runtime_error("--metrics-addr " + address + ": cannot listen: " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
  kube_requests_ =
      &prometheus::BuildCounter()
           .Name("autobuild_kube_requests_total")
           .Help("Requests to the Kubernetes API server by verb and HTTP status code (0: no response)")
           .Register(*registry_);
  watch_restarts_ = &prometheus::BuildCounter()
                         .Name("autobuild_watch_restarts_total")
                         .Help("Watches re-established after they ended or broke, by resource")
                         .Register(*registry_);
}

MetricsEndpoint::~MetricsEndpoint() = default;

void MetricsEndpoint::countKubeRequest(std::string_view verb, int code) {
  kube_requests_->Add({{"verb", std::string(verb)}, {"code", std::to_string(code)}}).Increment();
}

void MetricsEndpoint::countWatchRestart(const std::string& resource) {
  watch_restarts_->Add({{"resource", resource}}).Increment();
}

}  // namespace autobuild::kube
