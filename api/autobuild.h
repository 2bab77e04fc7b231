// The AutoBuild resource (autobuild.dev/v1alpha1): its spec and status as C++ types. See
// docs/api.md and SPEC section 2. JSON mapping in api/json.h, defaults and validation in
// api/validation.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/resource.h"

namespace autobuild::api {

inline constexpr const char* kGroup = "autobuild.dev";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "autobuild.dev/v1alpha1";
inline constexpr const char* kKind = "AutoBuild";

// The REST resource of AutoBuilds, for the kube client.
extern const kube::Resource AutoBuilds;

enum class SourceType { GitHub, GitLab, Gitee, Gogs, Gitea, DockerHub, API };
enum class TargetKind { Deployment, StatefulSet, DaemonSet };

// "GitHub", "DockerHub", ... and back; nullopt for an unknown name.
const char* toString(SourceType type);
std::optional<SourceType> parseSourceType(const std::string& name);
bool isGit(SourceType type);
const char* toString(TargetKind kind);
std::optional<TargetKind> parseTargetKind(const std::string& name);
// The kube resource of a target kind (apps/v1 deployments, ...).
const kube::Resource& targetResource(TargetKind kind);

struct Source {
  SourceType type = SourceType::GitHub;
  std::string repository;             // "" matches any
  std::vector<std::string> branches;  // defaulted to {"main", "master"} for git sources
  std::vector<std::string> tags;      // DockerHub only
};

struct Trigger {
  std::string keyword = "deploy";  // "" triggers on every matching push
};

struct SecretRef {
  std::string name;  // defaulted to "<autobuild>-webhook"
  std::string key = "secret";
};

struct Target {
  TargetKind kind = TargetKind::Deployment;
  std::string name;
  std::string container;  // "" the first container
};

// A Secret in the AutoBuild's namespace, by name.
struct LocalObjectReference {
  std::string name;
};

struct Build {
  std::string image;
  nlohmann::json template_;  // a pod template (metadata, spec)
  std::string timeout = "30m";
  int history_limit = 5;
  std::string service_account_name;  // "" the template's, else the namespace's "default"
  // A kubernetes.io/dockerconfigjson Secret the builder pushes with (mounted as $DOCKER_CONFIG).
  std::optional<LocalObjectReference> push_secret_ref;
};

struct AutoBuildSpec {
  Source source;
  Trigger trigger;
  SecretRef secret_ref;
  Target target;
  std::optional<Build> build;
  bool suspend = false;
};

struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;
  std::string message;
  std::int64_t observed_generation = 0;
  std::string last_transition_time;  // RFC 3339
};

struct LastTrigger {
  std::string time;  // RFC 3339
  std::string source;
  std::string delivery_id;
  std::string revision;
  std::string branch;
  std::string message;  // first line, at most 200 characters
  std::string result;   // RolledOut | BuildStarted | Ignored | Rejected | Failed
};

// One build Job as status.build reports it.
struct BuildRun {
  std::string revision;
  std::string job_name;
  std::string phase;            // Running | Succeeded | Failed
  std::string start_time;       // RFC 3339, "" before the Job started
  std::string completion_time;  // RFC 3339, "" until it finished
};

struct BuildStatus {
  std::optional<BuildRun> current;  // the newest build Job still running
  std::optional<BuildRun> last;     // the newest build Job that finished
};

struct AutoBuildStatus {
  std::int64_t observed_generation = 0;
  std::string webhook_path;
  std::string webhook_url;
  std::vector<Condition> conditions;
  std::optional<LastTrigger> last_trigger;
  std::int64_t trigger_count = 0;
  std::optional<BuildStatus> build;  // set by the controller for an AutoBuild with spec.build
};

struct AutoBuild {
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  AutoBuildSpec spec;
  AutoBuildStatus status;
  // The object as read, so fields this version does not know survive a round trip.
  nlohmann::json raw;
};

}  // namespace autobuild::api
