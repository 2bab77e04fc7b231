#include "controller/build_reconciler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "api/build_job.h"
#include "api/json.h"
#include "kube/rfc3339.h"

namespace autobuild::controller {

namespace {

using nlohmann::json;

// The reason of a failed build whose Job condition names none.
constexpr const char* kBuildFailedReason = "BuildFailed";

std::string metadataField(const json& job, const char* field) {
  auto metadata = job.find("metadata");
  if (metadata == job.end() || !metadata->is_object()) return "";
  auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : "";
}

std::string annotation(const json& job, const char* key) {
  const json* annotations = nullptr;
  if (auto m = job.find("metadata"); m != job.end() && m->is_object()) {
    if (auto a = m->find("annotations"); a != m->end() && a->is_object()) annotations = &*a;
  }
  if (!annotations) return "";
  auto value = annotations->find(key);
  return value != annotations->end() && value->is_string() ? value->get<std::string>() : "";
}

std::string statusField(const json& job, const char* field) {
  auto status = job.find("status");
  if (status == job.end() || !status->is_object()) return "";
  auto value = status->find(field);
  return value != status->end() && value->is_string() ? value->get<std::string>() : "";
}

// The Job's condition of `type` when its status is True, or nullptr.
const json* trueCondition(const json& job, const char* type) {
  auto status = job.find("status");
  if (status == job.end() || !status->is_object()) return nullptr;
  auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return nullptr;
  for (const auto& condition : *conditions) {
    if (condition.is_object() && condition.value("type", "") == type &&
        condition.value("status", "") == "True")
      return &condition;
  }
  return nullptr;
}

bool succeeded(const json& job) {
  return trueCondition(job, "Complete") != nullptr;
}
bool failed(const json& job) {
  return trueCondition(job, "Failed") != nullptr;
}
bool finished(const json& job) {
  return succeeded(job) || failed(job);
}

api::BuildRun runOf(const json& job) {
  api::BuildRun run;
  run.revision = annotation(job, api::kBuildRevisionAnnotation);
  run.job_name = metadataField(job, "name");
  run.phase = succeeded(job) ? "Succeeded" : failed(job) ? "Failed" : "Running";
  run.start_time = statusField(job, "startTime");
  run.completion_time = statusField(job, "completionTime");
  // A failed Job has no completionTime; the Failed condition says when it ended.
  if (run.completion_time.empty()) {
    if (const json* condition = trueCondition(job, "Failed"))
      run.completion_time = condition->value("lastTransitionTime", "");
  }
  return run;
}

bool sameRun(const std::optional<api::BuildRun>& a, const std::optional<api::BuildRun>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->revision == b->revision && a->job_name == b->job_name && a->phase == b->phase &&
         a->start_time == b->start_time && a->completion_time == b->completion_time;
}

json involvedObject(const api::AutoBuild& a) {
  return {{"apiVersion", api::kApiVersion},
          {"kind", api::kKind},
          {"metadata", {{"namespace", a.ns}, {"name", a.name}, {"uid", a.uid}}}};
}

bool ownedBy(const json& job, const api::AutoBuild& autobuild) {
  auto metadata = job.find("metadata");
  if (metadata == job.end() || !metadata->is_object()) return false;
  auto owners = metadata->find("ownerReferences");
  if (owners == metadata->end() || !owners->is_array()) return false;
  return std::any_of(owners->begin(), owners->end(), [&](const json& owner) {
    return owner.is_object() && owner.value("uid", "") == autobuild.uid;
  });
}

}  // namespace

json trimBuildJob(json job) {
  json metadata = json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp",
                            "deletionTimestamp", "labels", "annotations", "ownerReferences"}) {
    if (job["metadata"].contains(field)) metadata[field] = job["metadata"][field];
  }
  json status = json::object();
  if (job.contains("status") && job["status"].is_object()) {
    for (const char* field : {"conditions", "startTime", "completionTime", "succeeded", "failed", "active"}) {
      if (job["status"].contains(field)) status[field] = job["status"][field];
    }
  }
  return {{"metadata", std::move(metadata)}, {"status", std::move(status)}};
}

std::string autoBuildKeyOfJob(const json& job) {
  auto metadata = job.find("metadata");
  if (metadata == job.end() || !metadata->is_object()) return "";
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return "";
  std::string name = labels->value(api::kAutoBuildLabel, "");
  if (name.empty()) return "";
  return metadata->value("namespace", "") + "/" + name;
}

BuildReconciler::BuildReconciler(std::shared_ptr<kube::Client> client, const kube::InformerGroup& jobs,
                                 kube::EventRecorder& events)
    : client_(client), jobs_(jobs), events_(events), patcher_(client) {}

void BuildReconciler::reconcile(const api::AutoBuild& autobuild) {
  std::vector<json> jobs;
  for (const auto& job : jobs_.byIndex(kJobsByAutoBuild, autobuild.ns + "/" + autobuild.name)) {
    if (ownedBy(*job, autobuild) && metadataField(*job, "deletionTimestamp").empty()) jobs.push_back(*job);
  }
  // Newest first.
  std::sort(jobs.begin(), jobs.end(), [](const json& a, const json& b) { return api::createdBefore(b, a); });

  api::BuildStatus build;
  std::vector<json> finished_jobs;
  for (const auto& job : jobs) {
    if (finished(job)) {
      finished_jobs.push_back(job);
    } else if (!build.current) {
      build.current = runOf(job);
    }
  }
  if (!finished_jobs.empty()) {
    const json& newest = finished_jobs.front();
    build.last = runOf(newest);
    if (annotation(newest, kBuildResultAnnotation).empty()) finish(autobuild, newest);
  }
  writeBuildStatus(autobuild, build);
  pruneHistory(autobuild, finished_jobs);
}

void BuildReconciler::finish(const api::AutoBuild& autobuild, const json& job) {
  const std::string job_name = metadataField(job, "name");
  const std::string key = autobuild.ns + "/" + autobuild.name;
  std::string result;
  if (succeeded(job)) {
    api::RolloutRequest request{annotation(job, api::kBuildRevisionAnnotation),
                                annotation(job, api::kBuildTriggerAnnotation),
                                annotation(job, api::kBuildImageAnnotation), false};
    api::RolloutOutcome outcome = patcher_.rollOut(autobuild, patcher_.readTarget(autobuild), request);
    switch (outcome.result) {
      case api::RolloutResult::RolledOut:
        result = "RolledOut";
        recordTrigger(autobuild, job, "RolledOut");
        events_.record(involvedObject(autobuild), kube::EventType::Normal, "Triggered",
                       "build Job " + job_name + " succeeded: " + outcome.message);
        break;
      case api::RolloutResult::AlreadyAtRevision:
        result = "AlreadyAtRevision";
        break;
      case api::RolloutResult::TargetNotRunning:
        result = "TargetNotRunning";
        recordTrigger(autobuild, job, "Failed");
        events_.record(involvedObject(autobuild), kube::EventType::Warning, "TriggerRejected",
                       "build Job " + job_name + " succeeded but nothing rolled out: " + outcome.message);
        break;
    }
    spdlog::info("autobuild {}: build Job {} succeeded: {} {}", key, job_name, result, outcome.message);
  } else {
    result = "Failed";
    recordTrigger(autobuild, job, "Failed");
    const json& condition = *trueCondition(job, "Failed");
    events_.record(involvedObject(autobuild), kube::EventType::Warning, "BuildFailed",
                   "build Job " + job_name + " failed (" + condition.value("reason", kBuildFailedReason) +
                       ": " + condition.value("message", "") +
                       "); nothing rolled out; see kubectl logs job/" + job_name + " -n " + autobuild.ns);
    spdlog::warn("autobuild {}: build Job {} failed: {}", key, job_name, condition.value("message", ""));
  }
  client_->patch(kube::resources::Jobs, autobuild.ns, job_name, kube::PatchType::Merge,
                 {{"metadata", {{"annotations", {{kBuildResultAnnotation, result}}}}}});
}

void BuildReconciler::recordTrigger(const api::AutoBuild& autobuild, const json& job,
                                    const std::string& result) {
  const std::string job_name = metadataField(job, "name");
  const std::string trigger = annotation(job, api::kBuildTriggerAnnotation);
  const auto slash = trigger.find('/');
  std::string message;
  if (const json* condition = trueCondition(job, "Failed")) {
    message = "build Job " + job_name + " failed: " + condition->value("reason", kBuildFailedReason) + ": " +
              condition->value("message", "");
  } else if (result == "Failed") {
    message = "build Job " + job_name + " succeeded but the target is not running";
  } else {
    message =
        "build Job " + job_name + " succeeded; rolled out " + annotation(job, api::kBuildImageAnnotation);
  }
  json last = {{"time", kube::nowRfc3339()},
               {"source", trigger.substr(0, slash)},
               {"deliveryID", slash == std::string::npos ? "" : trigger.substr(slash + 1)},
               {"revision", annotation(job, api::kBuildRevisionAnnotation)},
               {"branch", annotation(job, api::kBuildBranchAnnotation)},
               {"message", message},
               {"result", result}};
  // lastTrigger alone: triggerCount counted this push when the webhook started the build.
  client_->patch(api::AutoBuilds, autobuild.ns, autobuild.name, kube::PatchType::Merge,
                 {{"status", {{"lastTrigger", std::move(last)}}}}, {}, "status");
}

void BuildReconciler::writeBuildStatus(const api::AutoBuild& autobuild, const api::BuildStatus& build) {
  const auto& before = autobuild.status.build;
  if (before && sameRun(before->current, build.current) && sameRun(before->last, build.last)) return;
  // null removes a run that is no longer there (merge patch semantics).
  json value = {{"current", build.current ? api::toJson(*build.current) : json()},
                {"last", build.last ? api::toJson(*build.last) : json()}};
  client_->patch(api::AutoBuilds, autobuild.ns, autobuild.name, kube::PatchType::Merge,
                 {{"status", {{"build", std::move(value)}}}}, {}, "status");
}

void BuildReconciler::pruneHistory(const api::AutoBuild& autobuild, const std::vector<json>& finished_jobs) {
  const auto limit = static_cast<std::size_t>(std::max(0, autobuild.spec.build->history_limit));
  for (std::size_t i = limit; i < finished_jobs.size(); ++i) {
    const json& job = finished_jobs[i];
    // The newest finished Job is acted on before it may go.
    if (i == 0 && annotation(job, kBuildResultAnnotation).empty()) continue;
    const std::string name = metadataField(job, "name");
    try {
      client_->remove(kube::resources::Jobs, autobuild.ns, name, kube::Propagation::Background);
    } catch (const kube::ApiError& e) {
      if (!e.isNotFound()) throw;
    }
    spdlog::info("autobuild {}/{}: deleted build Job {} beyond historyLimit {}", autobuild.ns, autobuild.name,
                 name, limit);
  }
}

}  // namespace autobuild::controller
