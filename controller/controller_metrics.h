// The controller's own metrics (SPEC section 5): reconciles by result and duration, the work queue's
// depth, and whether this replica leads.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace autobuild::controller {

class ControllerMetrics {
 public:
  explicit ControllerMetrics(prometheus::Registry& registry);

  // result: success, requeue or error.
  void countReconcile(const std::string& result, double seconds);
  void setQueueDepth(std::size_t depth) { queue_depth_.Set(static_cast<double>(depth)); }
  void setLeader(bool leading) { leader_.Set(leading ? 1 : 0); }

 private:
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Histogram& duration_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& leader_;
};

}  // namespace autobuild::controller
