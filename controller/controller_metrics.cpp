#include "controller/controller_metrics.h"

namespace autobuild::controller {

ControllerMetrics::ControllerMetrics(prometheus::Registry& registry)
    : reconciles_(prometheus::BuildCounter()
                      .Name("autobuild_reconcile_total")
                      .Help("AutoBuild reconciles by result (success, requeue, error)")
                      .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("autobuild_reconcile_duration_seconds")
                    .Help("Time one AutoBuild reconcile took")
                    .Register(registry)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                     0.25, 0.5, 1, 2.5, 5, 10})),
      queue_depth_(prometheus::BuildGauge()
                       .Name("autobuild_workqueue_depth")
                       .Help("AutoBuilds waiting to be reconciled")
                       .Register(registry)
                       .Add({})),
      leader_(prometheus::BuildGauge()
                  .Name("autobuild_leader")
                  .Help("1 while this controller replica holds the leader Lease")
                  .Register(registry)
                  .Add({})) {}

void ControllerMetrics::countReconcile(const std::string& result, double seconds) {
  reconciles_.Add({{"result", result}}).Increment();
  duration_.Observe(seconds);
}

}  // namespace autobuild::controller
