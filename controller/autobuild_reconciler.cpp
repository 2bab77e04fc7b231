#include "controller/autobuild_reconciler.h"

#include <spdlog/spdlog.h>

#include "api/conditions.h"
#include "api/json.h"
#include "api/secret_references.h"
#include "api/validation.h"
#include "api/webhook_id.h"
#include "controller/webhook_secret.h"

namespace autobuild::controller {

// What the reconcile decided: the Ready condition and the webhook the status publishes ("" for none).
struct AutoBuildReconciler::Outcome {
  std::string ready_status = "False";
  std::string reason;
  std::string message;
  std::string webhook_path;
  std::string webhook_url;
  std::optional<std::chrono::milliseconds> requeue_after;
};

namespace {

// A Secret that could not be created (RBAC, quota) is looked at again after this, not on every event.
constexpr std::chrono::seconds kSecretRetry{30};

nlohmann::json involvedObject(const api::AutoBuild& a) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kKind},
          {"metadata",
           {{"namespace", a.ns}, {"name", a.name}, {"uid", a.uid}, {"resourceVersion", a.resource_version}}}};
}

const kube::InformerGroup& targetCache(const ClusterCaches& caches, api::TargetKind kind) {
  switch (kind) {
    case api::TargetKind::StatefulSet:
      return caches.statefulsets;
    case api::TargetKind::DaemonSet:
      return caches.daemonsets;
    case api::TargetKind::Deployment:
      break;
  }
  return caches.deployments;
}

}  // namespace

AutoBuildReconciler::AutoBuildReconciler(std::shared_ptr<kube::Client> client, ClusterCaches caches,
                                         kube::EventRecorder& events, ReconcilerOptions options)
    : client_(std::move(client)), caches_(caches), events_(events), options_(std::move(options)) {}

std::optional<std::chrono::milliseconds> AutoBuildReconciler::reconcile(const std::string& key) {
  kube::ObjectPtr cached = caches_.autobuilds.get(key);
  if (!cached) return std::nullopt;
  // Deleted: the garbage collector removes the Secret it owned, nothing is left to do.
  if (cached->at("metadata").contains("deletionTimestamp")) return std::nullopt;
  api::ReadResult read = api::readAutoBuild(*cached);
  api::AutoBuild& autobuild = read.autobuild;
  api::applyDefaults(autobuild);

  Outcome outcome;
  std::vector<api::FieldError> problems = read.errors;
  if (problems.empty()) problems = api::validate(autobuild);
  if (!problems.empty()) {
    // Nothing is served for a spec this version cannot act on: the webhook finds no path.
    outcome.reason = api::kReasonInvalidSpec;
    outcome.message = api::toString(problems);
  } else {
    outcome = resolveWebhook(autobuild);
  }
  writeStatus(autobuild, outcome);
  return outcome.requeue_after;
}

bool AutoBuildReconciler::hasPublishedUrl(const api::AutoBuild& autobuild) const {
  if (!autobuild.status.webhook_path.empty()) return true;
  // The cache may not hold this controller's own status write yet: a Secret deleted right after its
  // AutoBuild turned Ready must still count as recreated. Only an Event's reason depends on it, so an
  // API server that does not answer leaves the cache's word.
  try {
    nlohmann::json fresh = client_->get(api::AutoBuilds, autobuild.ns, autobuild.name);
    auto status = fresh.find("status");
    return status != fresh.end() && status->is_object() && !status->value("webhookPath", "").empty();
  } catch (const std::exception& e) {
    spdlog::debug("autobuild {}/{}: reading its status again failed: {}", autobuild.ns, autobuild.name,
                  e.what());
    return false;
  }
}

AutoBuildReconciler::Outcome AutoBuildReconciler::resolveWebhook(api::AutoBuild& autobuild) {
  Outcome outcome;
  const auto& ref = autobuild.spec.secret_ref;
  std::string secret_name = autobuild.ns + "/" + ref.name;

  api::SecretValue value{api::SecretValueState::NotCached, ""};
  if (kube::ObjectPtr cached = caches_.secrets.get(secret_name)) value = api::secretValue(*cached, ref.key);
  if (value.state == api::SecretValueState::NotCached) {
    // Not in the cache (just created, or cached before this AutoBuild referenced it): ask the API server.
    try {
      value = api::secretValue(client_->get(kube::resources::Secrets, autobuild.ns, ref.name), ref.key);
    } catch (const kube::ApiError& e) {
      if (!e.isNotFound()) throw;
    }
  }
  if (value.state == api::SecretValueState::NotCached) {
    std::string generated = generateWebhookSecret();
    try {
      client_->create(kube::resources::Secrets, autobuild.ns, webhookSecretObject(autobuild, generated));
    } catch (const kube::ApiError& e) {
      if (e.isAlreadyExists()) {
        // Created by someone else since the read: take it from there on the next pass.
        outcome.reason = api::kReasonSecretNotFound;
        outcome.message = "Secret " + secret_name + " appeared while it was being created; reading it again";
        outcome.requeue_after = std::chrono::seconds(1);
        return outcome;
      }
      outcome.reason = api::kReasonSecretNotFound;
      outcome.message = "Secret " + secret_name + " does not exist and could not be created: " + e.what();
      outcome.requeue_after = kSecretRetry;
      return outcome;
    }
    bool recreated = hasPublishedUrl(autobuild);
    events_.record(involvedObject(autobuild), kube::EventType::Normal,
                   recreated ? "SecretRecreated" : "SecretCreated",
                   recreated ? "Secret " + secret_name +
                                   " was missing and was created with a new value; the webhook URL changed"
                             : "created Secret " + secret_name + " with a generated webhook secret");
    value = {api::SecretValueState::Present, generated};
  }
  if (value.state == api::SecretValueState::KeyMissing) {
    outcome.reason = api::kReasonSecretInvalid;
    outcome.message = "Secret " + secret_name + " has no key \"" + ref.key + "\"";
    return outcome;
  }
  if (value.state == api::SecretValueState::Empty) {
    outcome.reason = api::kReasonSecretInvalid;
    outcome.message = "Secret " + secret_name + " key \"" + ref.key + "\" is empty";
    return outcome;
  }

  outcome.webhook_path = api::webhookPath(api::webhookId(value.value, autobuild.ns, autobuild.name));
  bool in_cluster = options_.webhook_base_url.empty();
  outcome.webhook_url =
      (in_cluster ? options_.webhook_service_url : options_.webhook_base_url) + outcome.webhook_path;

  const auto& target = autobuild.spec.target;
  std::string target_name = std::string(api::toString(target.kind)) + " " + autobuild.ns + "/" + target.name;
  if (autobuild.spec.suspend) {
    outcome.reason = api::kReasonSuspended;
    outcome.message = "spec.suspend is true: requests are answered 200 Ignored and nothing rolls out";
  } else if (!targetCache(caches_, target.kind).get(autobuild.ns + "/" + target.name)) {
    outcome.reason = api::kReasonTargetNotFound;
    outcome.message = target_name + " not found";
  } else {
    outcome.ready_status = "True";
    outcome.reason = api::kReasonWebhookReady;
    outcome.message = "POST " + outcome.webhook_url + " rolls out " + target_name;
    if (in_cluster) {
      outcome.message +=
          " (in-cluster Service URL: no --webhook-base-url is set, so the URL is reachable only from "
          "inside the cluster)";
    }
  }
  return outcome;
}

void AutoBuildReconciler::writeStatus(const api::AutoBuild& autobuild, const Outcome& outcome) {
  const api::Condition* before = api::findCondition(autobuild.status.conditions, api::kConditionReady);
  std::vector<api::Condition> conditions = autobuild.status.conditions;
  api::setCondition(conditions,
                    api::Condition{api::kConditionReady, outcome.ready_status, outcome.reason,
                                   outcome.message, autobuild.generation, ""},
                    std::chrono::system_clock::now());

  bool unchanged = autobuild.status.observed_generation == autobuild.generation &&
                   autobuild.status.webhook_path == outcome.webhook_path &&
                   autobuild.status.webhook_url == outcome.webhook_url && before &&
                   before->status == outcome.ready_status && before->reason == outcome.reason &&
                   before->message == outcome.message && before->observed_generation == autobuild.generation;
  if (unchanged) return;

  nlohmann::json status = {{"observedGeneration", autobuild.generation},
                           {"conditions", nlohmann::json::array()}};
  status["webhookPath"] =
      outcome.webhook_path.empty() ? nlohmann::json() : nlohmann::json(outcome.webhook_path);
  status["webhookURL"] = outcome.webhook_url.empty() ? nlohmann::json() : nlohmann::json(outcome.webhook_url);
  for (const auto& c : conditions) status["conditions"].push_back(api::toJson(c));
  client_->patch(api::AutoBuilds, autobuild.ns, autobuild.name, kube::PatchType::Merge, {{"status", status}},
                 {}, "status");

  bool ready_changed = !before || before->status != outcome.ready_status || before->reason != outcome.reason;
  if (ready_changed) {
    bool ready = outcome.ready_status == "True";
    events_.record(involvedObject(autobuild), ready ? kube::EventType::Normal : kube::EventType::Warning,
                   outcome.reason, outcome.message);
    spdlog::info("autobuild {}/{}: Ready={} {}: {}", autobuild.ns, autobuild.name, outcome.ready_status,
                 outcome.reason, outcome.message);
  }
}

}  // namespace autobuild::controller
