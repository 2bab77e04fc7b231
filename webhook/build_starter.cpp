#include "webhook/build_starter.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "kube/rfc3339.h"

namespace autobuild::webhook {

namespace {

using nlohmann::json;

// A Job has finished when the Job controller set Complete or Failed to True.
bool finished(const json& job) {
  const json* conditions = nullptr;
  if (auto status = job.find("status"); status != job.end() && status->is_object()) {
    if (auto c = status->find("conditions"); c != status->end() && c->is_array()) conditions = &*c;
  }
  if (!conditions) return false;
  for (const auto& condition : *conditions) {
    const std::string type = condition.value("type", "");
    if ((type == "Complete" || type == "Failed") && condition.value("status", "") == "True") return true;
  }
  return false;
}

}  // namespace

BuildStarter::BuildStarter(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}

BuildStart BuildStarter::start(const api::AutoBuild& autobuild, const api::BuildRequest& request) const {
  BuildStart outcome;
  outcome.job_name = api::buildJobName(autobuild, request.revision);
  api::BuildRequest stamped = request;
  stamped.created_at = kube::formatMicroTime(std::chrono::system_clock::now());
  json created;
  try {
    created = client_->create(kube::resources::Jobs, autobuild.ns, api::buildJob(autobuild, stamped));
  } catch (const kube::ApiError& e) {
    if (!e.isAlreadyExists()) throw;
    return outcome;
  }
  outcome.created = true;
  outcome.cancelled = cancelOlder(autobuild, created);
  return outcome;
}

std::vector<std::string> BuildStarter::cancelOlder(const api::AutoBuild& autobuild, const json& job) const {
  kube::ListOptions options;
  options.label_selector = std::string(api::kAutoBuildLabel) + "=" + autobuild.name;
  const std::string name = job["metadata"].value("name", "");
  std::vector<std::string> cancelled;
  for (const json& other : client_->listAll(kube::resources::Jobs, autobuild.ns, options).items) {
    const std::string other_name = other["metadata"].value("name", "");
    if (other_name == name || finished(other) || !api::createdBefore(other, job)) continue;
    try {
      client_->remove(kube::resources::Jobs, autobuild.ns, other_name, kube::Propagation::Foreground);
    } catch (const kube::ApiError& e) {
      if (!e.isNotFound()) throw;
    }
    spdlog::info("autobuild {}/{}: cancelled build Job {} for the newer revision of Job {}", autobuild.ns,
                 autobuild.name, other_name, name);
    cancelled.push_back(other_name);
  }
  return cancelled;
}

}  // namespace autobuild::webhook
