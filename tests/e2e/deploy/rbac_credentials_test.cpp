// applyChartRbac (tests/e2e/support/rbac_credentials.h): the credentials it returns carry the chart's
// permissions, no more, and they are enough for the real binaries: the controller elects itself and
// publishes an AutoBuild's URL, the webhook gets ready and rolls the target out on an API trigger.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/http_client.h"
#include "tests/e2e/support/operator_process.h"
#include "tests/e2e/support/rbac_credentials.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* kForbidden = "Error from server (Forbidden)";

KubectlOutcome listSecretsAs(const std::string& kubeconfig, const std::string& ns) {
  return tryKubectl({"--kubeconfig", kubeconfig, "get", "secrets", "--namespace", ns, "--output", "name"});
}

TEST(ChartRbacCredentials, BinariesRunWithExactlyTheChartsPermissions) {
  auto& plane = testenv::controlPlane();
  plane.kubectl({"apply", "--filename", sourcePath("crds/")});
  plane.waitForEstablished({"autobuilds.autobuild.dev"});
  ChartRbac rbac = applyChartRbac(plane, {"cred-shop"}, "cred");

  EXPECT_EQ(rbac.release_namespace, "autobuild-system");
  EXPECT_EQ(rbac.controller_service_account, "cred-autobuild-controller");
  EXPECT_EQ(rbac.webhook_service_account, "cred-autobuild-webhook");
  EXPECT_EQ(rbac.webhook_args,
            (std::vector<std::string>{"--kubeconfig=" + rbac.webhook_kubeconfig, "--namespace=cred-shop"}));
  EXPECT_EQ(rbac.controller_args,
            (std::vector<std::string>{"--kubeconfig=" + rbac.controller_kubeconfig, "--namespace=cred-shop",
                                      "--leader-election-namespace=autobuild-system",
                                      "--leader-election-id=cred-autobuild-controller"}));
  EXPECT_TRUE(listSecretsAs(rbac.webhook_kubeconfig, "cred-shop").ok);
  EXPECT_THAT(listSecretsAs(rbac.webhook_kubeconfig, "default").text, HasSubstr(kForbidden));

  plane.kubectl({"apply", "--namespace", "cred-shop", "--filename", "-"}, R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.example.com/acme/web:1}]}
---
apiVersion: autobuild.dev/v1alpha1
kind: AutoBuild
metadata: {name: web}
spec:
  source: {type: API}
  target: {name: web}
)");

  const std::string logs = plane.dir() + "/logs/";
  std::vector<std::string> controller_args = rbac.controller_args;
  controller_args.insert(controller_args.end(),
                         {"--leader-elect", "--health-addr=127.0.0.1:" + std::to_string(freePort()),
                          "--metrics-addr=127.0.0.1:" + std::to_string(freePort())});
  OperatorProcess controller(AUTOBUILD_CONTROLLER_BIN, controller_args,
                             logs + "rbac-credentials-controller.log");
  const int webhook_port = freePort();
  std::vector<std::string> webhook_args = rbac.webhook_args;
  webhook_args.insert(webhook_args.end(), {"--listen-addr=127.0.0.1:" + std::to_string(webhook_port),
                                           "--metrics-addr=127.0.0.1:" + std::to_string(freePort())});
  OperatorProcess webhook(AUTOBUILD_WEBHOOK_BIN, webhook_args, logs + "rbac-credentials-webhook.log");

  // The controller: its Lease, the generated Secret, the published URL.
  EXPECT_TRUE(eventually(
      [&] {
        return !plane
                    .kubectl({"get", "lease", "cred-autobuild-controller", "--namespace", "autobuild-system",
                              "--output", "jsonpath={.spec.holderIdentity}"})
                    .empty();
      },
      std::chrono::seconds(60)))
      << controller.logs();
  std::string path;
  EXPECT_TRUE(eventually(
      [&] {
        path = plane.kubectl({"get", "autobuild", "web", "--namespace", "cred-shop", "--output",
                              "jsonpath={.status.webhookPath}"});
        return !path.empty();
      },
      std::chrono::seconds(60)))
      << controller.logs();
  EXPECT_THAT(plane.kubectl({"get", "autobuild", "web", "--namespace", "cred-shop", "--output",
                             R"(jsonpath={.status.conditions[?(@.type=="Ready")].reason})"}),
              "WebhookReady")
      << controller.logs();

  // The webhook: ready once its caches (AutoBuilds and Secrets of cred-shop) are synced, then a trigger
  // patches the Deployment and records the result.
  EXPECT_TRUE(eventually([&] { return httpRequest(webhook_port, "GET", "/readyz", {}, "").status == 200; },
                         std::chrono::seconds(60)))
      << webhook.logs();
  const std::string secret = plane.kubectl({"get", "secret", "web-webhook", "--namespace", "cred-shop",
                                            "--output", "go-template={{.data.secret | base64decode}}"});
  HttpReply reply;
  // The webhook learns the AutoBuild's path from its watch: retry until it has.
  EXPECT_TRUE(eventually(
      [&] {
        reply = httpRequest(webhook_port, "POST", path, {{"Content-Type", "application/json"}},
                            json({{"secret_key", secret}, {"revision", "r1"}}).dump());
        return reply.status != 404;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(reply.status, 202) << reply.body << "\n" << webhook.logs();
  EXPECT_EQ(reply.json().value("result", ""), "RolledOut") << reply.body;
  EXPECT_EQ(plane.kubectl({"get", "deployment", "web", "--namespace", "cred-shop", "--output",
                           R"(jsonpath={.spec.template.metadata.annotations.autobuild\.dev/revision})"}),
            "r1");
  EXPECT_TRUE(eventually([&] {
    return plane.kubectl({"get", "autobuild", "web", "--namespace", "cred-shop", "--output",
                          "jsonpath={.status.lastTrigger.result}"}) == "RolledOut";
  })) << webhook.logs();

  EXPECT_EQ(webhook.terminate(), 0) << webhook.logs();
  EXPECT_EQ(controller.terminate(), 0) << controller.logs();
  for (const auto* process : {&controller, &webhook}) {
    EXPECT_THAT(process->logs(), ::testing::Not(HasSubstr("forbidden"))) << "a permission the chart lacks";
  }
}

TEST(ChartRbacCredentials, EachCallReplacesThePermissionsOfTheLastOne) {
  auto& plane = testenv::controlPlane();
  ChartRbac one = applyChartRbac(plane, {"swap-a"}, "swap");
  EXPECT_TRUE(listSecretsAs(one.webhook_kubeconfig, "swap-a").ok);
  EXPECT_THAT(listSecretsAs(one.webhook_kubeconfig, "swap-b").text, HasSubstr(kForbidden));

  ChartRbac all = applyChartRbac(plane, {}, "swap");
  EXPECT_THAT(all.webhook_args, (std::vector<std::string>{"--kubeconfig=" + all.webhook_kubeconfig}));
  EXPECT_TRUE(listSecretsAs(all.webhook_kubeconfig, "swap-b").ok) << "all namespaces: a ClusterRole";

  ChartRbac again = applyChartRbac(plane, {"swap-a"}, "swap");
  EXPECT_THAT(listSecretsAs(again.webhook_kubeconfig, "swap-b").text, HasSubstr(kForbidden))
      << "the ClusterRole of the previous call is gone";
  EXPECT_THAT(plane.kubectl({"get", "clusterroles", "--selector", "app.kubernetes.io/instance=swap",
                             "--output", "name"}),
              "");
}

TEST(ChartRbacCredentials, ANamespaceTheChartRefusesFailsBeforeAnythingChanges) {
  try {
    applyChartRbac(testenv::controlPlane(), {"Not_A_Namespace"}, "refused");
    FAIL() << "applyChartRbac accepted an invalid namespace";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("at '/watchNamespaces/0': 'Not_A_Namespace' does not match pattern"));
  }
  EXPECT_EQ(testenv::controlPlane().kubectl({"get", "serviceaccounts", "--all-namespaces", "--selector",
                                             "app.kubernetes.io/instance=refused", "--output", "name"}),
            "");
}

}  // namespace
}  // namespace autobuild::e2e
