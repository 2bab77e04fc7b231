// What "already present" means for the cold start: namespaces, one target Deployment in each, and
// AutoBuilds spread over them round robin, each with the Secret the controller would have generated for
// it (its label and ownerReference, a random value). Nothing has a status yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kube/client.h"

namespace autobuild::bench {

// The Deployment every AutoBuild of a namespace targets.
inline constexpr const char* kTargetName = "web";

struct PopulatedAutoBuild {
  std::string ns;
  std::string name;
  std::int64_t generation = 0;
  std::string webhook_path;  // what the controller will publish, from the Secret's value
};

// "coldstart-0" ... "coldstart-<count-1>".
std::vector<std::string> namespaceNames(int count);

// Creates the namespaces and their target Deployments (one replica).
void createNamespacesAndTargets(kube::Client& client, const std::vector<std::string>& namespaces);

// Creates `count` AutoBuilds and their Secrets on `threads` threads, as `kubectl apply` would create
// the AutoBuilds (with the last-applied-configuration annotation). Throws the client's errors.
std::vector<PopulatedAutoBuild> createAutoBuilds(kube::Client& client,
                                                 const std::vector<std::string>& namespaces,
                                                 std::size_t count, int threads);

}  // namespace autobuild::bench
