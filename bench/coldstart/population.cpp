#include "bench/coldstart/population.h"

#include <cstdio>

#include "api/autobuild.h"
#include "api/json.h"
#include "api/validation.h"
#include "api/webhook_id.h"
#include "bench/coldstart/parallel_for.h"
#include "controller/webhook_secret.h"

namespace autobuild::bench {
namespace {

using nlohmann::json;

json deployment(const std::string& ns) {
  json labels = {{"app", kTargetName}};
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", kTargetName}, {"namespace", ns}}},
      {"spec",
       {{"replicas", 1},
        {"selector", {{"matchLabels", labels}}},
        {"template",
         {{"metadata", {{"labels", labels}}},
          {"spec",
           {{"containers", {{{"name", kTargetName}, {"image", "registry.example.com/acme/web:1"}}}}}}}}}}};
}

std::string autobuildName(std::size_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "app-%05zu", i);
  return name;
}

// The object as a user writes it, plus the annotation `kubectl apply` adds: the same text again.
json autobuildObject(const std::string& ns, const std::string& name) {
  json applied = {{"apiVersion", api::kApiVersion},
                  {"kind", api::kKind},
                  {"metadata", {{"name", name}, {"namespace", ns}}},
                  {"spec",
                   {{"source", {{"type", "GitHub"}, {"repository", "acme/" + name}}},
                    {"target", {{"kind", "Deployment"}, {"name", kTargetName}}}}}};
  json object = applied;
  object["metadata"]["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", applied.dump()}};
  return object;
}

}  // namespace

std::vector<std::string> namespaceNames(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("coldstart-" + std::to_string(i));
  return names;
}

void createNamespacesAndTargets(kube::Client& client, const std::vector<std::string>& namespaces) {
  for (const auto& ns : namespaces) {
    client.create(kube::resources::Namespaces, "", {{"metadata", {{"name", ns}}}});
    client.create(kube::resources::Deployments, ns, deployment(ns));
  }
}

std::vector<PopulatedAutoBuild> createAutoBuilds(kube::Client& client,
                                                 const std::vector<std::string>& namespaces,
                                                 std::size_t count, int threads) {
  std::vector<PopulatedAutoBuild> created(count);
  parallelFor(count, threads, [&](std::size_t i) {
    const std::string& ns = namespaces[i % namespaces.size()];
    std::string name = autobuildName(i);
    api::AutoBuild autobuild =
        api::parseAutoBuild(client.create(api::AutoBuilds, ns, autobuildObject(ns, name)));
    api::applyDefaults(autobuild);
    std::string secret = controller::generateWebhookSecret();
    client.create(kube::resources::Secrets, ns, controller::webhookSecretObject(autobuild, secret));
    created[i] = {ns, name, autobuild.generation, api::webhookPath(api::webhookId(secret, ns, name))};
  });
  return created;
}

}  // namespace autobuild::bench
