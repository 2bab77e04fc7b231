// The reference of the benchmark: the status writes a cold start needs, done by the kube client alone
// with nothing else to do. Each is the write the controller makes: a merge patch of the status
// subresource with observedGeneration, webhookPath, webhookURL and a Ready condition, of the same sizes.
#pragma once

#include <string>
#include <vector>

#include "bench/coldstart/population.h"
#include "kube/client.h"

namespace autobuild::bench {

// Writes every AutoBuild's status with a Ready condition of `status` and `reason` on `writers` threads.
// Throws the client's errors.
void writeReferenceStatuses(kube::Client& client, const std::vector<PopulatedAutoBuild>& autobuilds,
                            const std::string& webhook_base_url, const std::string& status,
                            const std::string& reason, int writers);

}  // namespace autobuild::bench
