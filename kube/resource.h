// A Kubernetes resource type (group, version, plural) and the REST paths of its collection and objects.
#pragma once

#include <string>
#include <string_view>

namespace autobuild::kube {

struct Resource {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool namespaced = true;

  std::string apiVersion() const;  // "apps/v1", "v1"
  // /apis/apps/v1/namespaces/<ns>/deployments; an empty namespace means all namespaces.
  std::string collectionPath(std::string_view ns) const;
  // /apis/apps/v1/namespaces/<ns>/deployments/<name>[/<subresource>]
  std::string objectPath(std::string_view ns, std::string_view name, std::string_view subresource = "") const;
};

namespace resources {
extern const Resource Namespaces;
extern const Resource Secrets;
extern const Resource ConfigMaps;
extern const Resource Events;
extern const Resource ServiceAccounts;
extern const Resource Pods;
extern const Resource Deployments;
extern const Resource StatefulSets;
extern const Resource DaemonSets;
extern const Resource ReplicaSets;
extern const Resource Jobs;
extern const Resource Leases;
extern const Resource CustomResourceDefinitions;
}  // namespace resources

}  // namespace autobuild::kube
