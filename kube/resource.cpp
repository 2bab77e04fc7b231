#include "kube/resource.h"

namespace autobuild::kube {

std::string Resource::apiVersion() const {
  return group.empty() ? version : group + "/" + version;
}

// Built by appending: g++ 12 at -O3 warns (-Wrestrict, falsely) on chains of std::string operator+.
std::string Resource::collectionPath(std::string_view ns) const {
  std::string path = group.empty() ? "/api/" : "/apis/";
  if (!group.empty()) path.append(group).append("/");
  path.append(version);
  if (namespaced && !ns.empty()) path.append("/namespaces/").append(ns);
  return path.append("/").append(plural);
}

std::string Resource::objectPath(std::string_view ns, std::string_view name,
                                 std::string_view subresource) const {
  std::string path = collectionPath(ns).append("/").append(name);
  if (!subresource.empty()) path.append("/").append(subresource);
  return path;
}

namespace resources {
const Resource Namespaces{"", "v1", "namespaces", "Namespace", false};
const Resource Secrets{"", "v1", "secrets", "Secret", true};
const Resource ConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
const Resource Events{"", "v1", "events", "Event", true};
const Resource ServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
const Resource Pods{"", "v1", "pods", "Pod", true};
const Resource Deployments{"apps", "v1", "deployments", "Deployment", true};
const Resource StatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
const Resource DaemonSets{"apps", "v1", "daemonsets", "DaemonSet", true};
const Resource ReplicaSets{"apps", "v1", "replicasets", "ReplicaSet", true};
const Resource Jobs{"batch", "v1", "jobs", "Job", true};
const Resource Leases{"coordination.k8s.io", "v1", "leases", "Lease", true};
const Resource CustomResourceDefinitions{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                                         "CustomResourceDefinition", false};
}  // namespace resources

}  // namespace autobuild::kube
