// The chart's output against a real API server (Kubernetes 1.20): `helm template --dry-run=server`
// sees which API versions the cluster serves, and `kubectl apply --dry-run=server` must accept every
// object, with default values and with every option on.
#include <gtest/gtest.h>

#include <set>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/deploy/manifest.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

class ChartOnServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& plane = testenv::controlPlane();
    // CRDs for real: the server can dry-run a custom object only once its CRD is established.
    plane.kubectl({"apply", "--filename", sourcePath("charts/autobuild/crds/"), "--filename",
                   sourcePath("tests/e2e/deploy/testdata/servicemonitor-crd.yaml")});
    plane.waitForEstablished({"autobuilds.autobuild.dev", "servicemonitors.monitoring.coreos.com"});
    for (const std::string ns : {"chart-system", "shop", "blog"}) {
      if (!tryKubectl({"get", "namespace", ns}).ok) plane.kubectl({"create", "namespace", ns});
    }
  }

  // Renders with the cluster's capabilities, checks every object is accepted, returns the objects.
  static std::vector<nlohmann::json> renderAndDryRun(const std::vector<std::string>& options) {
    std::vector<std::string> args = {"template",    "autobuild",    sourcePath("charts/autobuild"),
                                     "--namespace", "chart-system", "--dry-run=server"};
    args.insert(args.end(), options.begin(), options.end());
    const std::string manifests = helm(args);
    auto objects = parseManifests(manifests, "helm template --dry-run=server");
    const std::string applied = testenv::controlPlane().kubectl(
        {"apply", "--dry-run=server", "--output", "json", "--filename", "-"}, manifests);
    auto accepted = nlohmann::json::parse(applied);
    std::set<std::string> rendered_ids, accepted_ids;
    for (const auto& object : objects) rendered_ids.insert(objectId(object));
    for (const auto& object : accepted.value("items", nlohmann::json::array()))
      accepted_ids.insert(objectId(object));
    EXPECT_EQ(accepted_ids, rendered_ids);
    return objects;
  }
};

TEST_F(ChartOnServer, DefaultValuesAreAccepted) {
  auto objects = renderAndDryRun({});
  EXPECT_EQ(objects.size(), 13u);
  // Kubernetes 1.20 serves PodDisruptionBudget only as policy/v1beta1; the chart asks the cluster.
  EXPECT_EQ(findObject(objects, "PodDisruptionBudget", "autobuild-webhook")["apiVersion"], "policy/v1beta1");
}

TEST_F(ChartOnServer, EveryOptionIsAccepted) {
  auto objects = renderAndDryRun({"--values", sourcePath("tests/e2e/deploy/testdata/all-options.yaml")});
  for (const std::string kind : {"Ingress", "ServiceMonitor", "PodDisruptionBudget", "Role", "RoleBinding",
                                 "ServiceAccount", "Deployment", "Service"}) {
    EXPECT_FALSE(objectsOfKind(objects, kind).empty()) << kind;
  }
}

}  // namespace
}  // namespace autobuild::e2e
