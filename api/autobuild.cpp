#include "api/autobuild.h"

#include <array>
#include <utility>

namespace autobuild::api {

const kube::Resource AutoBuilds{kGroup, kVersion, "autobuilds", kKind, true};

namespace {

constexpr std::array<std::pair<SourceType, const char*>, 7> kSourceTypes{{
    {SourceType::GitHub, "GitHub"},
    {SourceType::GitLab, "GitLab"},
    {SourceType::Gitee, "Gitee"},
    {SourceType::Gogs, "Gogs"},
    {SourceType::Gitea, "Gitea"},
    {SourceType::DockerHub, "DockerHub"},
    {SourceType::API, "API"},
}};

constexpr std::array<std::pair<TargetKind, const char*>, 3> kTargetKinds{{
    {TargetKind::Deployment, "Deployment"},
    {TargetKind::StatefulSet, "StatefulSet"},
    {TargetKind::DaemonSet, "DaemonSet"},
}};

template <typename Enum, std::size_t N>
const char* nameOf(const std::array<std::pair<Enum, const char*>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "Unknown";
}

// Names are matched exactly, as the API server's enum check does: "github" is not a source type.
template <typename Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, const char*>, N>& names,
                            const std::string& name) {
  for (const auto& [value, candidate] : names) {
    if (name == candidate) return value;
  }
  return std::nullopt;
}

}  // namespace

const char* toString(SourceType type) {
  return nameOf(kSourceTypes, type);
}

std::optional<SourceType> parseSourceType(const std::string& name) {
  return valueOf(kSourceTypes, name);
}

bool isGit(SourceType type) {
  return type != SourceType::DockerHub && type != SourceType::API;
}

const char* toString(TargetKind kind) {
  return nameOf(kTargetKinds, kind);
}

std::optional<TargetKind> parseTargetKind(const std::string& name) {
  return valueOf(kTargetKinds, name);
}

const kube::Resource& targetResource(TargetKind kind) {
  switch (kind) {
    case TargetKind::StatefulSet:
      return kube::resources::StatefulSets;
    case TargetKind::DaemonSet:
      return kube::resources::DaemonSets;
    case TargetKind::Deployment:
      break;
  }
  return kube::resources::Deployments;
}

}  // namespace autobuild::api
