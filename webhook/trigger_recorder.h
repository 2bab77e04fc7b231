// Records what a delivery did on its AutoBuild (SPEC section 4): status.lastTrigger and triggerCount,
// written through the status subresource with optimistic concurrency so that replicas recording at the
// same time each count, and a Kubernetes Event.
#pragma once

#include <memory>
#include <string>

#include "api/autobuild.h"
#include "kube/client.h"
#include "kube/event_recorder.h"

namespace autobuild::webhook {

struct TriggerRecord {
  api::LastTrigger last;  // time is filled in here
  kube::EventType event_type;
  std::string event_reason;  // Triggered, TriggerIgnored, TriggerRejected, BuildStarted
  std::string event_message;
};

class TriggerRecorder {
 public:
  TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events);

  // Writes the status and records the Event. A status write that keeps failing is logged, not thrown:
  // by then the rollout has happened and the response must say so.
  void record(const api::AutoBuild& autobuild, TriggerRecord record) const;

 private:
  std::shared_ptr<kube::Client> client_;
  kube::EventRecorder& events_;
};

}  // namespace autobuild::webhook
