// `helm install`, `helm upgrade` and `helm uninstall` of charts/autobuild into a real Kubernetes 1.20
// control plane, checked with kubectl as an operator would. (No kubelet runs: pods stay Pending, which
// is enough to see that the API server and the workload controllers accepted them.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/support/eventually.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

json getJson(const std::vector<std::string>& args) {
  std::vector<std::string> full = args;
  full.insert(full.end(), {"--output", "json"});
  return json::parse(testenv::controlPlane().kubectl(full));
}

void createNamespace(const std::string& ns) {
  if (!tryKubectl({"get", "namespace", ns}).ok) testenv::controlPlane().kubectl({"create", "namespace", ns});
}

std::vector<std::string> args(const json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["args"].get<std::vector<std::string>>();
}

// Names of the release's objects still in the cluster (every namespace), as "kind/name".
std::string objectsOfRelease(const std::string& release) {
  return testenv::controlPlane().kubectl({"get",
                                          "deployments,replicasets,pods,services,serviceaccounts,roles,"
                                          "rolebindings,clusterroles,clusterrolebindings,"
                                          "poddisruptionbudgets.policy,ingresses.networking.k8s.io",
                                          "--all-namespaces", "--selector",
                                          "app.kubernetes.io/instance=" + release, "--output", "name"});
}

std::string podsOf(const std::string& ns, const std::string& component) {
  return testenv::controlPlane().kubectl({"get", "pods", "--namespace", ns, "--selector",
                                          "app.kubernetes.io/component=" + component, "--output",
                                          "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}"});
}

int lineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(HelmRelease, InstallCreatesTheCrdAndBothProcessesWithTheirPermissions) {
  auto& plane = testenv::controlPlane();
  // The chart installs the CRD when the cluster does not have it.
  plane.kubectl({"delete", "customresourcedefinition", "autobuilds.autobuild.dev", "--ignore-not-found"});
  createNamespace("ab-install-apps");

  const std::string notes =
      helm({"install", "ab", sourcePath("charts/autobuild"), "--namespace", "ab-install",
            "--create-namespace", "--set-json", R"(watchNamespaces=["ab-install-apps"])"});
  EXPECT_THAT(notes, HasSubstr("STATUS: deployed"));
  EXPECT_THAT(notes, HasSubstr("kubectl get autobuilds -A -o wide"));
  EXPECT_THAT(notes, HasSubstr("http://ab-autobuild-webhook.ab-install.svc/hooks/<id>"));

  plane.waitForEstablished({"autobuilds.autobuild.dev"});
  EXPECT_THAT(plane.kubectl({"get", "crd", "autobuilds.autobuild.dev", "--output",
                             "jsonpath={.spec.names.shortNames}"}),
              HasSubstr("ab"));

  json controller = getJson({"get", "deployment", "ab-autobuild-controller", "--namespace", "ab-install"});
  EXPECT_EQ(controller["spec"]["replicas"], 2);
  EXPECT_THAT(args(controller), Contains("--namespace=ab-install-apps"));
  EXPECT_THAT(args(controller), Contains("--leader-election-namespace=ab-install"));
  EXPECT_THAT(args(controller), Contains("--webhook-service-url=http://ab-autobuild-webhook.ab-install.svc"));
  json webhook = getJson({"get", "deployment", "ab-autobuild-webhook", "--namespace", "ab-install"});
  EXPECT_EQ(webhook["spec"]["replicas"], 2);
  EXPECT_THAT(args(webhook), Contains("--namespace=ab-install-apps"));

  json service = getJson({"get", "service", "ab-autobuild-webhook", "--namespace", "ab-install"});
  EXPECT_EQ(service["spec"]["ports"][0]["port"], 80);
  json budget = getJson({"get", "poddisruptionbudget", "ab-autobuild-webhook", "--namespace", "ab-install"});
  EXPECT_EQ(budget["spec"]["minAvailable"], 1);
  for (const std::string component : {"controller", "webhook"}) {
    const std::string name = "ab-autobuild-" + component;
    getJson({"get", "serviceaccount", name, "--namespace", "ab-install"});
    getJson({"get", "role", name, "--namespace", "ab-install-apps"});
    getJson({"get", "rolebinding", name, "--namespace", "ab-install-apps"});
    // The Deployment controller made the pods: the API server admitted their spec.
    EXPECT_TRUE(
        eventually([&] { return lineCount(podsOf("ab-install", component)) == 2; }, std::chrono::seconds(60)))
        << podsOf("ab-install", component);
  }
  getJson({"get", "role", "ab-autobuild-controller-leader-election", "--namespace", "ab-install"});
  EXPECT_EQ(plane.kubectl(
                {"get", "clusterroles", "--selector", "app.kubernetes.io/instance=ab", "--output", "name"}),
            "");

  helm({"uninstall", "ab", "--namespace", "ab-install"});
}

TEST(HelmRelease, UpgradeChangesReplicasLogLevelAndWatchedNamespaces) {
  createNamespace("ab-upgrade-a");
  createNamespace("ab-upgrade-b");
  helm({"install", "ab", sourcePath("charts/autobuild"), "--namespace", "ab-upgrade", "--create-namespace",
        "--set-json", R"(watchNamespaces=["ab-upgrade-a"])"});
  EXPECT_FALSE(tryKubectl({"get", "role", "ab-autobuild-webhook", "--namespace", "ab-upgrade-b"}).ok);

  helm({"upgrade", "ab", sourcePath("charts/autobuild"), "--namespace", "ab-upgrade", "--set",
        "controller.replicas=1", "--set", "webhook.replicas=3", "--set", "log.level=debug", "--set-json",
        R"(watchNamespaces=["ab-upgrade-a","ab-upgrade-b"])"});

  json status = json::parse(helm({"status", "ab", "--namespace", "ab-upgrade", "--output", "json"}));
  EXPECT_EQ(status["version"], 2);
  json controller = getJson({"get", "deployment", "ab-autobuild-controller", "--namespace", "ab-upgrade"});
  json webhook = getJson({"get", "deployment", "ab-autobuild-webhook", "--namespace", "ab-upgrade"});
  EXPECT_EQ(controller["spec"]["replicas"], 1);
  EXPECT_EQ(webhook["spec"]["replicas"], 3);
  for (const json* deployment : {&controller, &webhook}) {
    EXPECT_THAT(args(*deployment), Contains("--log-level=debug"));
    EXPECT_THAT(args(*deployment), Not(Contains("--log-level=info")));
    EXPECT_THAT(args(*deployment), Contains("--namespace=ab-upgrade-b"));
  }
  getJson({"get", "role", "ab-autobuild-webhook", "--namespace", "ab-upgrade-b"});
  // The Deployment controller took the new spec in (pods stay Pending here, so no rollout completes).
  for (const std::string name : {"ab-autobuild-controller", "ab-autobuild-webhook"}) {
    EXPECT_TRUE(eventually(
        [&] {
          json d = getJson({"get", "deployment", name, "--namespace", "ab-upgrade"});
          return d["status"].value("observedGeneration", 0) == d["metadata"]["generation"];
        },
        std::chrono::seconds(60)))
        << name;
  }

  helm({"uninstall", "ab", "--namespace", "ab-upgrade"});
}

TEST(HelmRelease, UninstallLeavesNothingButTheCrd) {
  auto& plane = testenv::controlPlane();
  createNamespace("ab-uninstall-apps");
  helm({"install", "gone", sourcePath("charts/autobuild"), "--namespace", "ab-uninstall",
        "--create-namespace", "--values", sourcePath("tests/e2e/deploy/testdata/all-options.yaml"), "--set",
        "serviceMonitor.enabled=false", "--set-json", R"(watchNamespaces=["ab-uninstall-apps"])"});
  ASSERT_THAT(objectsOfRelease("gone"), Not(IsEmpty()));

  helm({"uninstall", "gone", "--namespace", "ab-uninstall"});
  // Pods and ReplicaSets go with their Deployment through the garbage collector, a little later.
  EXPECT_TRUE(eventually([] { return objectsOfRelease("gone").empty(); }, std::chrono::seconds(60)))
      << objectsOfRelease("gone");
  // The ServiceAccounts' token Secrets go with them (the tokens controller removes them).
  EXPECT_TRUE(eventually(
      [&] {
        return plane.kubectl(
                   {"get", "secrets", "--namespace", "ab-uninstall", "--field-selector",
                    "type=kubernetes.io/service-account-token", "--output",
                    "jsonpath={.items[*].metadata.annotations.kubernetes\\.io/service-account\\.name}"}) ==
               "default";
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(helm({"list", "--namespace", "ab-uninstall", "--short"}), "");
  // CRDs are never deleted by helm: deleting one deletes every AutoBuild (docs/install.md).
  getJson({"get", "crd", "autobuilds.autobuild.dev"});
}

TEST(HelmRelease, InstallWithAWrongValueFailsWithTheSchemasMessageAndCreatesNothing) {
  createNamespace("ab-wrong");
  auto result = runHelm({"install", "wrong", sourcePath("charts/autobuild"), "--namespace", "ab-wrong",
                         "--set", "controller.replicas=two"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, HasSubstr("at '/controller/replicas': got string, want integer"));
  EXPECT_NE(runHelm({"status", "wrong", "--namespace", "ab-wrong"}).exit_code, 0);
  EXPECT_EQ(objectsOfRelease("wrong"), "");
}

}  // namespace
}  // namespace autobuild::e2e
