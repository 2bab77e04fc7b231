// The batch/v1 Job that builds one revision of an AutoBuild's image (SPEC section 6, docs/api.md
// "spec.build").
//
// The Job is named "<autobuild>-<revision[0:12]>", so a redelivered push finds it there instead of
// starting a second build. It carries, in labels and annotations, everything the controller needs to
// finish the rollout later from the Job alone (after a restart, too): the full revision, the branch, the
// trigger and the image it pushes.
//
// Every container of the template gets GIT_URL, GIT_REVISION, GIT_BRANCH and IMAGE (replacing a variable
// of the same name). Kubernetes itself expands "$(GIT_URL)" and the others in command and args, since
// they are in the container's env, so the template needs no expansion here.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/autobuild.h"

namespace autobuild::api {

// Labels on every build Job, selecting the Jobs of one AutoBuild.
inline constexpr const char* kAutoBuildLabel = "autobuild.dev/autobuild";
inline constexpr const char* kBuildRevisionLabel = "autobuild.dev/revision";
// Annotations on every build Job: what the rollout after the build needs.
inline constexpr const char* kBuildRevisionAnnotation = "autobuild.dev/revision";
inline constexpr const char* kBuildBranchAnnotation = "autobuild.dev/branch";
inline constexpr const char* kBuildTriggerAnnotation = "autobuild.dev/trigger";
inline constexpr const char* kBuildImageAnnotation = "autobuild.dev/image";
// When the webhook created the Job, in microseconds (creationTimestamp has whole seconds): orders the
// builds of pushes that came within one second.
inline constexpr const char* kBuildCreatedAtAnnotation = "autobuild.dev/created-at";

// Where pushSecretRef's .dockerconfigjson is mounted, and the DOCKER_CONFIG pointing there.
inline constexpr const char* kDockerConfigDir = "/autobuild/docker";
inline constexpr const char* kDockerConfigVolume = "autobuild-docker-config";

// What one build builds.
struct BuildRequest {
  std::string git_url;
  std::string revision;  // the head commit's SHA
  std::string branch;
  std::string trigger;     // "<source>/<delivery id>"
  std::string created_at;  // RFC 3339 with microseconds
};

// The order of build Jobs: creationTimestamp, then the created-at annotation. True when `a` was created
// before `b`.
bool createdBefore(const nlohmann::json& a, const nlohmann::json& b);

// "<autobuild>-<revision[0:12]>".
std::string buildJobName(const AutoBuild& autobuild, std::string_view revision);
// "<build.image>:<revision[0:12]>".
std::string buildImage(const Build& build, std::string_view revision);

// The Job object to create. `autobuild.spec.build` must be set and valid (api/validation.h); throws
// std::invalid_argument naming the AutoBuild when it is not set, or when its timeout is not a duration.
nlohmann::json buildJob(const AutoBuild& autobuild, const BuildRequest& request);

}  // namespace autobuild::api
