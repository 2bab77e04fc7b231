#include "api/validation.h"

#include <chrono>
#include <cstddef>
#include <string_view>

#include "api/duration.h"
#include "api/syntax.h"

namespace autobuild::api {

namespace {

using nlohmann::json;

constexpr const char* kNameRule =
    "must be a valid Kubernetes name: lowercase letters, digits, '-' and '.', starting and ending with a "
    "letter or digit, at most 253 characters";
constexpr const char* kContainerNameRule =
    "must be a valid container name: lowercase letters, digits and '-', starting and ending with a letter "
    "or digit, at most 63 characters";
// Build Jobs are named "<autobuild>-<revision[0:12]>" and the Job controller copies the name into a
// label value, which holds at most 63 characters.
constexpr std::size_t kMaxNameWithBuild = 63 - 13;

class Problems {
 public:
  void add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  std::vector<FieldError> take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

std::string itemPath(const std::string& list, std::size_t index) {
  return list + "[" + std::to_string(index) + "]";
}

bool isKeyword(std::string_view keyword) {
  if (keyword.size() > 64) return false;
  for (char c : keyword) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '_' || c == '.' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

void checkGlobs(const std::vector<std::string>& patterns, const std::string& path, Problems& problems) {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    if (patterns[i].empty()) {
      problems.add(itemPath(path, i), "must not be empty");
    } else if (!isValidGlob(patterns[i])) {
      problems.add(itemPath(path, i), "invalid glob pattern \"" + patterns[i] + "\"");
    }
  }
}

void checkName(const std::string& name, const std::string& path, Problems& problems) {
  if (name.empty()) {
    problems.add(path, "required");
  } else if (!isDnsSubdomain(name)) {
    problems.add(path, kNameRule);
  }
}

void checkSource(const Source& source, Problems& problems) {
  if (!source.repository.empty()) {
    if (isGit(source.type)) {
      if (!isGitRepositoryPath(source.repository)) {
        problems.add("spec.source.repository",
                     "must be an owner/repo path like acme/web, at most 255 characters");
      }
    } else if (source.type == SourceType::DockerHub) {
      if (!isDockerHubRepository(source.repository)) {
        problems.add("spec.source.repository",
                     "must be a Docker Hub namespace/name like acme/web, in lowercase");
      }
    } else {
      problems.add("spec.source.repository", "only for git and DockerHub sources");
    }
  }
  if (isGit(source.type)) {
    checkGlobs(source.branches, "spec.source.branches", problems);
  } else if (!source.branches.empty()) {
    problems.add("spec.source.branches", "only for git sources");
  }
  if (source.type == SourceType::DockerHub) {
    checkGlobs(source.tags, "spec.source.tags", problems);
  } else if (!source.tags.empty()) {
    problems.add("spec.source.tags", "only for DockerHub sources");
  }
}

// The parts of the pod template a Job cannot do without: containers, each named and with an image, and
// a restart policy a Job accepts.
void checkTemplate(const json& pod_template, Problems& problems) {
  const std::string path = "spec.build.template";
  if (pod_template.is_null()) return problems.add(path, "required");
  if (!pod_template.is_object()) return problems.add(path, "must be an object");
  if (auto metadata = pod_template.find("metadata");
      metadata != pod_template.end() && !metadata->is_null() && !metadata->is_object()) {
    problems.add(path + ".metadata", "must be an object");
  }
  const auto spec = pod_template.find("spec");
  if (spec != pod_template.end() && !spec->is_null() && !spec->is_object()) {
    return problems.add(path + ".spec", "must be an object");
  }
  const std::string containers_path = path + ".spec.containers";
  const json* containers = nullptr;
  if (spec != pod_template.end() && spec->is_object()) {
    if (auto found = spec->find("containers"); found != spec->end()) containers = &*found;
    if (auto policy = spec->find("restartPolicy"); policy != spec->end() && !policy->is_null()) {
      if (!policy->is_string() || (*policy != "Never" && *policy != "OnFailure")) {
        problems.add(path + ".spec.restartPolicy", "must be Never or OnFailure, as a Job requires");
      }
    }
  }
  if (containers == nullptr || !containers->is_array() || containers->empty()) {
    return problems.add(containers_path, "must list at least one container");
  }
  for (std::size_t i = 0; i < containers->size(); ++i) {
    const json& container = (*containers)[i];
    const std::string container_path = itemPath(containers_path, i);
    if (!container.is_object()) {
      problems.add(container_path, "must be an object");
      continue;
    }
    const auto name = container.find("name");
    if (name == container.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      problems.add(container_path + ".name", "required");
    } else if (!isDnsLabel(name->get_ref<const std::string&>())) {
      problems.add(container_path + ".name", kContainerNameRule);
    }
    const auto image = container.find("image");
    if (image == container.end() || !image->is_string() || image->get_ref<const std::string&>().empty()) {
      problems.add(container_path + ".image", "required");
    }
  }
}

void checkBuild(const AutoBuild& autobuild, Problems& problems) {
  const Build& build = *autobuild.spec.build;
  if (!isGit(autobuild.spec.source.type)) problems.add("spec.build", "only for git sources");
  if (autobuild.name.size() > kMaxNameWithBuild) {
    problems.add("metadata.name",
                 "must be at most 50 characters when spec.build is set (build Jobs are named "
                 "<name>-<revision[0:12]>, at most 63 characters)");
  }
  if (build.image.empty()) {
    problems.add("spec.build.image", "required");
  } else if (!isImageRepository(build.image)) {
    problems.add("spec.build.image", "must be a registry image reference without a tag");
  }
  checkTemplate(build.template_, problems);
  const std::optional<std::chrono::nanoseconds> timeout = parseDuration(build.timeout);
  if (!timeout) {
    problems.add("spec.build.timeout", "must be a duration like 30m, 1h30m");
  } else if (*timeout < std::chrono::seconds(1)) {
    problems.add("spec.build.timeout", "must be at least 1s");
  }
  if (build.history_limit < 0) problems.add("spec.build.historyLimit", "must be at least 0");
  if (!build.service_account_name.empty() && !isDnsSubdomain(build.service_account_name)) {
    problems.add("spec.build.serviceAccountName", kNameRule);
  }
  if (build.push_secret_ref)
    checkName(build.push_secret_ref->name, "spec.build.pushSecretRef.name", problems);
}

}  // namespace

void applyDefaults(AutoBuild& autobuild) {
  AutoBuildSpec& spec = autobuild.spec;
  if (isGit(spec.source.type) && spec.source.branches.empty()) spec.source.branches = {"main", "master"};
  if (spec.secret_ref.name.empty()) spec.secret_ref.name = autobuild.name + "-webhook";
  if (spec.secret_ref.key.empty()) spec.secret_ref.key = "secret";
  if (spec.build && spec.build->timeout.empty()) spec.build->timeout = "30m";
}

std::vector<FieldError> validate(const AutoBuild& autobuild) {
  const AutoBuildSpec& spec = autobuild.spec;
  Problems problems;
  checkSource(spec.source, problems);
  if (!isKeyword(spec.trigger.keyword))
    problems.add("spec.trigger.keyword", "must match ^[A-Za-z0-9_.-]{0,64}$");
  checkName(spec.secret_ref.name, "spec.secretRef.name", problems);
  if (spec.secret_ref.key.empty()) {
    problems.add("spec.secretRef.key", "required");
  } else if (!isSecretKey(spec.secret_ref.key)) {
    problems.add("spec.secretRef.key",
                 "must be a valid Secret key: letters, digits, '-', '_' and '.', at most 253 characters");
  }
  checkName(spec.target.name, "spec.target.name", problems);
  if (!spec.target.container.empty() && !isDnsLabel(spec.target.container)) {
    problems.add("spec.target.container", kContainerNameRule);
  }
  if (spec.build) checkBuild(autobuild, problems);
  return problems.take();
}

}  // namespace autobuild::api
