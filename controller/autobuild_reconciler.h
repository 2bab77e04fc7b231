// Brings one AutoBuild's status to what its spec and the cluster say (SPEC section 2): validates the
// spec, resolves (or creates) its Secret, publishes the webhook path and URL, checks the target, and
// sets the Ready condition, recording an Event when Ready changes. Reads come from the informers' caches;
// the only writes are the Secret it creates and the controller's own status fields (observedGeneration,
// webhookPath, webhookURL, conditions), never lastTrigger or triggerCount, which the webhook owns.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/autobuild.h"
#include "kube/client.h"
#include "kube/event_recorder.h"
#include "kube/informer_group.h"

namespace autobuild::controller {

struct ReconcilerOptions {
  // --webhook-base-url, e.g. https://hooks.example.com; "" to publish the in-cluster Service URL.
  std::string webhook_base_url;
  // The webhook Service inside the cluster, used when there is no base URL.
  std::string webhook_service_url = "http://autobuild-webhook.autobuild-system.svc";
};

struct ClusterCaches {
  const kube::InformerGroup& autobuilds;  // packed AutoBuilds (controller/cached_objects.h)
  const kube::InformerGroup& secrets;
  const kube::InformerGroup& deployments;
  const kube::InformerGroup& statefulsets;
  const kube::InformerGroup& daemonsets;
};

class AutoBuildReconciler {
 public:
  AutoBuildReconciler(std::shared_ptr<kube::Client> client, ClusterCaches caches, kube::EventRecorder& events,
                      ReconcilerOptions options);

  // Reconciles the AutoBuild "<namespace>/<name>". Returns when to look again without a change (a
  // Secret that could not be created), or nullopt. Throws kube::ApiError or kube::TransportError when a
  // write fails; the caller retries with backoff.
  std::optional<std::chrono::milliseconds> reconcile(const std::string& key);

 private:
  struct Outcome;
  Outcome resolveWebhook(api::AutoBuild& autobuild);
  // Whether the AutoBuild's status has published a webhook URL, in the cache or else on the API server.
  bool hasPublishedUrl(const api::AutoBuild& autobuild) const;
  void writeStatus(const api::AutoBuild& autobuild, const Outcome& outcome);

  std::shared_ptr<kube::Client> client_;
  ClusterCaches caches_;
  kube::EventRecorder& events_;
  ReconcilerOptions options_;
};

}  // namespace autobuild::controller
