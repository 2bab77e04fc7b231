#include "webhook/webhook_metrics.h"

namespace autobuild::webhook {

WebhookMetrics::WebhookMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("autobuild_webhook_requests_total")
                    .Help("Webhook requests by source type and response code")
                    .Register(registry)),
      durations_(prometheus::BuildHistogram()
                     .Name("autobuild_webhook_request_duration_seconds")
                     .Help("Time from a webhook request's arrival to its response, by source type")
                     .Register(registry)),
      triggers_(
          prometheus::BuildCounter()
              .Name("autobuild_triggers_total")
              .Help(
                  "Deliveries by source type and result (RolledOut, BuildStarted, Ignored, Rejected, Failed)")
              .Register(registry)) {}

void WebhookMetrics::countRequest(const std::string& source, int code, double seconds) {
  requests_.Add({{"source", source}, {"code", std::to_string(code)}}).Increment();
  durations_
      .Add({{"source", source}}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                         0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
      .Observe(seconds);
}

void WebhookMetrics::countTrigger(const std::string& source, const std::string& result) {
  triggers_.Add({{"source", source}, {"result", result}}).Increment();
}

}  // namespace autobuild::webhook
