#include "bench/coldstart/reference_writes.h"

#include "api/autobuild.h"
#include "bench/coldstart/parallel_for.h"
#include "kube/rfc3339.h"

namespace autobuild::bench {

void writeReferenceStatuses(kube::Client& client, const std::vector<PopulatedAutoBuild>& autobuilds,
                            const std::string& webhook_base_url, const std::string& status,
                            const std::string& reason, int writers) {
  parallelFor(autobuilds.size(), writers, [&](std::size_t i) {
    const PopulatedAutoBuild& a = autobuilds[i];
    std::string url = webhook_base_url + a.webhook_path;
    nlohmann::json condition = {
        {"type", "Ready"},
        {"status", status},
        {"reason", reason},
        {"message", "POST " + url + " rolls out Deployment " + a.ns + "/" + kTargetName},
        {"observedGeneration", a.generation},
        {"lastTransitionTime", kube::nowRfc3339()},
    };
    nlohmann::json body = {{"status",
                            {{"observedGeneration", a.generation},
                             {"webhookPath", a.webhook_path},
                             {"webhookURL", url},
                             {"conditions", {condition}}}}};
    client.patch(api::AutoBuilds, a.ns, a.name, kube::PatchType::Merge, body, {}, "status");
  });
}

}  // namespace autobuild::bench
