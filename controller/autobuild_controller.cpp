#include "controller/autobuild_controller.h"

#include <spdlog/spdlog.h>

#include "api/autobuild.h"
#include "api/build_job.h"
#include "api/json.h"
#include "api/secret_references.h"
#include "api/validation.h"
#include "controller/cached_objects.h"

namespace autobuild::controller {
namespace {

constexpr const char* kBySecret = "secret";
constexpr const char* kByTarget = "target";

// "<namespace>/<Kind>/<name>" of the workload an AutoBuild object targets.
std::string targetIndexValue(const std::string& ns, const std::string& kind, const std::string& name) {
  return ns + "/" + kind + "/" + name;
}

std::vector<std::string> targetOf(const nlohmann::json& autobuild) {
  const auto& meta = autobuild["metadata"];
  auto spec = autobuild.value("spec", nlohmann::json::object());
  auto target = spec.value("target", nlohmann::json::object());
  if (!target.is_object()) return {};
  std::string kind = target.value("kind", "Deployment");
  std::string name = target.value("name", "");
  if (name.empty()) return {};
  return {targetIndexValue(meta.value("namespace", ""), kind, name)};
}

kube::InformerOptions informerOptions(const ControllerOptions& o, const std::string& resource,
                                      std::function<nlohmann::json(nlohmann::json)> transform,
                                      bool packed = false) {
  kube::InformerOptions options;
  options.resync = o.resync;
  options.transform = std::move(transform);
  options.packed = packed;
  // A page's text is held whole while it is parsed: 500 kubectl-applied AutoBuilds are over a megabyte,
  // which at a thousand AutoBuilds would be most of the controller's memory. Pages are sized by their
  // text instead: about 100 such AutoBuilds, or up to 500 small Secrets.
  options.page_size = 100;
  options.page_bytes = 256 * 1024;
  options.max_page_size = 500;
  if (o.on_watch_restart) options.on_watch_restart = [cb = o.on_watch_restart, resource] { cb(resource); };
  return options;
}

}  // namespace

AutoBuildController::AutoBuildController(std::shared_ptr<kube::Client> client, kube::EventRecorder& events,
                                         ControllerOptions options, ControllerMetrics* metrics)
    : client_(client),
      options_(std::move(options)),
      metrics_(metrics),
      autobuilds_(client, api::AutoBuilds, options_.namespaces,
                  informerOptions(options_, "autobuilds", trimAutoBuild, true)),
      secrets_(client, kube::resources::Secrets, options_.namespaces,
               informerOptions(
                   options_, "secrets",
                   [this](nlohmann::json s) {
                     // The index by Secret is the set of referenced Secrets: no second copy is kept.
                     return trimSecret(api::keepReferencedSecretData(
                         std::move(s),
                         [this](const std::string& key) { return autobuilds_.indexed(kBySecret, key); }));
                   },
                   true)),
      deployments_(client, kube::resources::Deployments, options_.namespaces,
                   informerOptions(options_, "deployments", identityOnly)),
      statefulsets_(client, kube::resources::StatefulSets, options_.namespaces,
                    informerOptions(options_, "statefulsets", identityOnly)),
      daemonsets_(client, kube::resources::DaemonSets, options_.namespaces,
                  informerOptions(options_, "daemonsets", identityOnly)),
      jobs_(client, kube::resources::Jobs, options_.namespaces,
            [this] {
              auto options = informerOptions(options_, "jobs", trimBuildJob);
              options.label_selector = api::kAutoBuildLabel;
              return options;
            }()),
      reconciler_(client, ClusterCaches{autobuilds_, secrets_, deployments_, statefulsets_, daemonsets_},
                  events, options_.reconciler),
      build_reconciler_(client, jobs_, events) {
  autobuilds_.addIndex(kBySecret, [](const nlohmann::json& a) {
    return std::vector<std::string>{api::referencedSecretKey(a)};
  });
  autobuilds_.addIndex(kByTarget, targetOf);
  auto enqueue = [this](const kube::ObjectPtr& a) { queue_.add(kube::objectKey(*a)); };
  autobuilds_.addHandlers(
      {enqueue, [enqueue](const kube::ObjectPtr&, const kube::ObjectPtr& a) { enqueue(a); }, enqueue});
  auto on_secret = [this](const kube::ObjectPtr& s) { enqueueReferencing(kBySecret, s); };
  secrets_.addHandlers({on_secret,
                        [on_secret](const kube::ObjectPtr&, const kube::ObjectPtr& s) { on_secret(s); },
                        on_secret});
  for (auto [cache, kind] : {std::pair{&deployments_, "Deployment"}, std::pair{&statefulsets_, "StatefulSet"},
                             std::pair{&daemonsets_, "DaemonSet"}}) {
    auto on_target = [this, kind = std::string(kind)](const kube::ObjectPtr& t) {
      const auto& meta = (*t)["metadata"];
      for (const auto& a : autobuilds_.byIndex(
               kByTarget, targetIndexValue(meta.value("namespace", ""), kind, meta.value("name", "")))) {
        queue_.add(kube::objectKey(*a));
      }
    };
    // Only appearance and disappearance change an AutoBuild's status.
    cache->addHandlers({on_target, nullptr, on_target});
  }
  jobs_.addIndex(kJobsByAutoBuild, [](const nlohmann::json& job) {
    std::string key = autoBuildKeyOfJob(job);
    return key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
  });
  auto on_job = [this](const kube::ObjectPtr& job) {
    if (std::string key = autoBuildKeyOfJob(*job); !key.empty()) queue_.add(key);
  };
  jobs_.addHandlers(
      {on_job, [on_job](const kube::ObjectPtr&, const kube::ObjectPtr& job) { on_job(job); }, on_job});
}

AutoBuildController::~AutoBuildController() {
  stop();
}

void AutoBuildController::enqueueReferencing(const std::string& index, const kube::ObjectPtr& object) {
  for (const auto& a : autobuilds_.byIndex(index, kube::objectKey(*object))) queue_.add(kube::objectKey(*a));
}

void AutoBuildController::startCaches() {
  // Secrets after the AutoBuilds, so that the Secret transform knows the references when the Secrets
  // arrive; nothing else waits for them.
  for (auto* cache : {&autobuilds_, &deployments_, &statefulsets_, &daemonsets_, &jobs_}) cache->start();
  autobuilds_.waitForSync(std::chrono::seconds(30));
  secrets_.start();
}

bool AutoBuildController::cachesSynced() const {
  return autobuilds_.hasSynced() && secrets_.hasSynced() && deployments_.hasSynced() &&
         statefulsets_.hasSynced() && daemonsets_.hasSynced() && jobs_.hasSynced();
}

void AutoBuildController::startWorkers() {
  if (workers_started_.exchange(true)) return;
  // Not on the caller's thread: that is the leader elector's, which must keep renewing meanwhile.
  starter_ = std::thread([this] {
    // A reconcile must see every cache complete: a Secret deleted before its informer's first list
    // sends no event, and only this first pass over all AutoBuilds would notice it is gone.
    while (!cachesSynced()) {
      if (stopping_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (const auto& key : autobuilds_.keys()) queue_.add(key);
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
  });
}

void AutoBuildController::work() {
  while (auto key = queue_.get()) {
    auto started = std::chrono::steady_clock::now();
    std::string result = "success";
    try {
      if (auto after = reconciler_.reconcile(*key)) {
        queue_.addAfter(*key, *after);
        result = "requeue";
      }
      reconcileBuilds(*key);
      queue_.forget(*key);
    } catch (const std::exception& e) {
      spdlog::warn("reconcile autobuild {}: {}", *key, e.what());
      queue_.addRateLimited(*key);
      result = "error";
    }
    queue_.done(*key);
    if (metrics_) {
      metrics_->countReconcile(
          result, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      metrics_->setQueueDepth(queue_.depth());
    }
  }
}

void AutoBuildController::reconcileBuilds(const std::string& key) {
  kube::ObjectPtr cached = autobuilds_.get(key);
  if (!cached) return;
  if (cached->at("metadata").contains("deletionTimestamp")) return;
  api::ReadResult read = api::readAutoBuild(*cached);
  if (!read.errors.empty()) return;
  api::applyDefaults(read.autobuild);
  // An invalid spec is reported by the AutoBuildReconciler; no build of it is acted on.
  if (!read.autobuild.spec.build || !api::validate(read.autobuild).empty()) return;
  build_reconciler_.reconcile(read.autobuild);
}

void AutoBuildController::stop() {
  stopping_ = true;
  if (starter_.joinable()) starter_.join();
  queue_.shutDown();
  for (auto& w : workers_) w.join();
  workers_.clear();
  for (auto* cache : {&autobuilds_, &secrets_, &deployments_, &statefulsets_, &daemonsets_, &jobs_})
    cache->stop();
}

}  // namespace autobuild::controller
