#include "api/build_job.h"

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "api/duration.h"

namespace autobuild::api {

namespace {

using nlohmann::json;

constexpr std::size_t kRevisionPrefix = 12;

std::string revisionPrefix(std::string_view revision) {
  return std::string(revision.substr(0, kRevisionPrefix));
}

// A label value holds [A-Za-z0-9_.-] and starts and ends alphanumerically; a git SHA is hex, so this
// only matters for a revision no git server sends.
std::string labelValue(std::string_view text) {
  std::string value;
  for (char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    value += (alnum || c == '-' || c == '_' || c == '.') ? c : '_';
  }
  while (!value.empty() && !std::isalnum(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
  while (!value.empty() && !std::isalnum(static_cast<unsigned char>(value.back()))) value.pop_back();
  return value;
}

std::int64_t deadlineSeconds(const AutoBuild& autobuild) {
  auto timeout = parseDuration(autobuild.spec.build->timeout);
  if (!timeout) {
    throw std::invalid_argument("AutoBuild " + autobuild.ns + "/" + autobuild.name +
                                ": spec.build.timeout \"" + autobuild.spec.build->timeout +
                                "\" is not a duration");
  }
  // Rounded up: a timeout of 1.5s allows the build 2 s, never less than asked.
  return std::chrono::ceil<std::chrono::seconds>(*timeout).count();
}

// Sets env `name` to `value`, replacing a variable of that name wherever it is in the list.
void setEnv(json& container, const std::string& name, const std::string& value) {
  json& env = container["env"];
  if (!env.is_array()) env = json::array();
  json kept = json::array();
  for (auto& var : env) {
    if (!(var.is_object() && var.value("name", "") == name)) kept.push_back(std::move(var));
  }
  kept.push_back({{"name", name}, {"value", value}});
  env = std::move(kept);
}

bool definesEnv(const json& container, const std::string& name) {
  auto env = container.find("env");
  if (env == container.end() || !env->is_array()) return false;
  for (const auto& var : *env) {
    if (var.is_object() && var.value("name", "") == name) return true;
  }
  return false;
}

void mountDockerConfig(json& pod_spec, const LocalObjectReference& secret) {
  json& volumes = pod_spec["volumes"];
  if (!volumes.is_array()) volumes = json::array();
  volumes.push_back({{"name", kDockerConfigVolume},
                     {"secret",
                      {{"secretName", secret.name},
                       {"items", json::array({{{"key", ".dockerconfigjson"}, {"path", "config.json"}}})}}}});
  for (const char* list : {"initContainers", "containers"}) {
    auto containers = pod_spec.find(list);
    if (containers == pod_spec.end() || !containers->is_array()) continue;
    for (auto& container : *containers) {
      json& mounts = container["volumeMounts"];
      if (!mounts.is_array()) mounts = json::array();
      mounts.push_back({{"name", kDockerConfigVolume}, {"mountPath", kDockerConfigDir}, {"readOnly", true}});
      if (!definesEnv(container, "DOCKER_CONFIG")) setEnv(container, "DOCKER_CONFIG", kDockerConfigDir);
    }
  }
}

std::string creationKey(const json& job, const char* field) {
  auto metadata = job.find("metadata");
  if (metadata == job.end() || !metadata->is_object()) return "";
  if (std::string_view(field) == "creationTimestamp") return metadata->value(field, "");
  auto annotations = metadata->find("annotations");
  if (annotations == metadata->end() || !annotations->is_object()) return "";
  return annotations->value(field, "");
}

}  // namespace

bool createdBefore(const json& a, const json& b) {
  return std::pair{creationKey(a, "creationTimestamp"), creationKey(a, kBuildCreatedAtAnnotation)} <
         std::pair{creationKey(b, "creationTimestamp"), creationKey(b, kBuildCreatedAtAnnotation)};
}

std::string buildJobName(const AutoBuild& autobuild, std::string_view revision) {
  return autobuild.name + "-" + labelValue(revisionPrefix(revision));
}

std::string buildImage(const Build& build, std::string_view revision) {
  return build.image + ":" + revisionPrefix(revision);
}

json buildJob(const AutoBuild& autobuild, const BuildRequest& request) {
  if (!autobuild.spec.build) {
    throw std::invalid_argument("AutoBuild " + autobuild.ns + "/" + autobuild.name + " has no spec.build");
  }
  const Build& build = *autobuild.spec.build;
  const std::string image = buildImage(build, request.revision);

  json pod_template = build.template_.is_object() ? build.template_ : json::object();
  json metadata = json::object();
  if (auto m = pod_template.find("metadata"); m != pod_template.end() && m->is_object()) {
    for (const char* kept : {"labels", "annotations"}) {
      if (auto field = m->find(kept); field != m->end() && field->is_object()) metadata[kept] = *field;
    }
  }
  pod_template["metadata"] = std::move(metadata);
  json& spec = pod_template["spec"];
  if (!spec.is_object()) spec = json::object();

  for (const char* list : {"initContainers", "containers"}) {
    auto containers = spec.find(list);
    if (containers == spec.end() || !containers->is_array()) continue;
    for (auto& container : *containers) {
      setEnv(container, "GIT_URL", request.git_url);
      setEnv(container, "GIT_REVISION", request.revision);
      setEnv(container, "GIT_BRANCH", request.branch);
      setEnv(container, "IMAGE", image);
    }
  }
  if (build.push_secret_ref) mountDockerConfig(spec, *build.push_secret_ref);
  if (!build.service_account_name.empty()) spec["serviceAccountName"] = build.service_account_name;
  if (!spec.contains("restartPolicy") || spec["restartPolicy"].is_null()) spec["restartPolicy"] = "Never";

  const std::string revision_label = labelValue(revisionPrefix(request.revision));
  json labels = {{kAutoBuildLabel, autobuild.name}, {kBuildRevisionLabel, revision_label}};
  json annotations = {{kBuildRevisionAnnotation, request.revision},
                      {kBuildBranchAnnotation, request.branch},
                      {kBuildTriggerAnnotation, request.trigger},
                      {kBuildImageAnnotation, image},
                      {kBuildCreatedAtAnnotation, request.created_at}};
  json owner = {{"apiVersion", kApiVersion}, {"kind", kKind},      {"name", autobuild.name},
                {"uid", autobuild.uid},      {"controller", true}, {"blockOwnerDeletion", true}};
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata",
           {{"name", buildJobName(autobuild, request.revision)},
            {"namespace", autobuild.ns},
            {"labels", std::move(labels)},
            {"annotations", std::move(annotations)},
            {"ownerReferences", json::array({std::move(owner)})}}},
          {"spec",
           {{"backoffLimit", 0},
            {"activeDeadlineSeconds", deadlineSeconds(autobuild)},
            {"template", std::move(pod_template)}}}};
}

}  // namespace autobuild::api
