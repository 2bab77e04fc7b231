// The webhook's metrics (SPEC section 5). Labels are low-cardinality only: a source type, a status code,
// a result; never a path, a name or an image.
#pragma once

#include <string>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace autobuild::webhook {

class WebhookMetrics {
 public:
  explicit WebhookMetrics(prometheus::Registry& registry);

  // `source` is the AutoBuild's source type, or "unknown" before the AutoBuild is found.
  void countRequest(const std::string& source, int code, double seconds);
  void countTrigger(const std::string& source, const std::string& result);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  prometheus::Family<prometheus::Counter>& triggers_;
};

}  // namespace autobuild::webhook
