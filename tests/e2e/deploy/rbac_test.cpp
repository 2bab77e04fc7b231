// The chart's permissions as the API server enforces them: kubectl (and, for the requests the
// processes send, the project's client) with the token of each process's ServiceAccount, from a release
// that watches one namespace. kubectl shows 403 as "Error from server (Forbidden)". Every refusal has an
// allowed counterpart, so a broken token cannot pass for a denial.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "kube/api_error.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/e2e/deploy/cli_tools.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kForbidden = "Error from server (Forbidden)";

// The HTTP status of the API server's answer to `request`: 200 when it succeeds.
int statusCodeOf(const std::function<void()>& request) {
  try {
    request();
    return 200;
  } catch (const kube::ApiError& e) {
    return e.status().code;
  }
}

class ChartRbacOnServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& plane = testenv::controlPlane();
    for (const std::string ns : {"rb-shop", "rb-other"}) {
      if (!tryKubectl({"get", "namespace", ns}).ok) plane.kubectl({"create", "namespace", ns});
      plane.kubectl({"apply", "--namespace", ns, "--filename", "-"}, R"(
apiVersion: v1
kind: Secret
metadata: {name: web-webhook}
stringData: {secret: s3cr3t}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: production}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.example.com/acme/web:1}]}
)");
    }
    if (runHelm({"status", "rb", "--namespace", "rb-system"}).exit_code != 0) {
      helm({"install", "rb", sourcePath("charts/autobuild"), "--namespace", "rb-system", "--create-namespace",
            "--set-json", R"(watchNamespaces=["rb-shop"])"});
    }
    controller_ = plane.serviceAccountKubeconfig("rb-system", "rb-autobuild-controller");
    webhook_ = plane.serviceAccountKubeconfig("rb-system", "rb-autobuild-webhook");
  }

  static KubectlOutcome asController(std::vector<std::string> args, const std::string& stdin_data = "") {
    args.insert(args.begin(), {"--kubeconfig", controller_});
    return tryKubectl(args, stdin_data);
  }
  static KubectlOutcome asWebhook(std::vector<std::string> args) {
    args.insert(args.begin(), {"--kubeconfig", webhook_});
    return tryKubectl(args);
  }

  // Kubeconfigs with the ServiceAccounts' tokens.
  static inline std::string controller_;
  static inline std::string webhook_;
};

TEST_F(ChartRbacOnServer, WebhookReadsSecretsOnlyInTheWatchedNamespace) {
  auto watched = asWebhook({"get", "secret", "web-webhook", "--namespace", "rb-shop", "--output", "name"});
  EXPECT_TRUE(watched.ok) << watched.text;

  auto other = asWebhook({"get", "secret", "web-webhook", "--namespace", "rb-other"});
  ASSERT_FALSE(other.ok);
  EXPECT_THAT(other.text, HasSubstr(kForbidden));
  EXPECT_THAT(other.text,
              HasSubstr(R"(cannot get resource "secrets" in API group "" in the namespace "rb-other")"));

  kube::Client client(kube::loadKubeconfig(webhook_));
  EXPECT_EQ(statusCodeOf([&] { client.get(kube::resources::Secrets, "rb-other", "web-webhook"); }), 403);
  EXPECT_EQ(statusCodeOf([&] { client.get(kube::resources::Secrets, "rb-shop", "web-webhook"); }), 200);

  auto everywhere = asWebhook({"get", "secrets", "--all-namespaces"});
  ASSERT_FALSE(everywhere.ok);
  EXPECT_THAT(everywhere.text, HasSubstr(kForbidden));
}

TEST_F(ChartRbacOnServer, WebhookPatchesItsTargetsButNoConfigMap) {
  const std::string patch =
      R"({"spec":{"template":{"metadata":{"annotations":{"autobuild.dev/revision":"1"}}}}})";
  auto target = asWebhook({"patch", "deployment", "web", "--namespace", "rb-shop", "--type", "merge",
                           "--patch", patch, "--dry-run=server"});
  EXPECT_TRUE(target.ok) << target.text;

  auto config = asWebhook({"patch", "configmap", "settings", "--namespace", "rb-shop", "--type", "merge",
                           "--patch", R"({"data":{"mode":"debug"}})"});
  ASSERT_FALSE(config.ok);
  EXPECT_THAT(config.text, HasSubstr(kForbidden));
  // kubectl reads the object before patching it: the read is the request refused.
  EXPECT_THAT(config.text,
              HasSubstr(R"(cannot get resource "configmaps" in API group "" in the namespace "rb-shop")"));
  // The PATCH itself, as the webhook would send it: 403.
  kube::Client client(kube::loadKubeconfig(webhook_));
  EXPECT_EQ(statusCodeOf([&] {
              client.patch(kube::resources::ConfigMaps, "rb-shop", "settings", kube::PatchType::Merge,
                           {{"data", {{"mode", "debug"}}}});
            }),
            403);

  auto removal = asWebhook({"delete", "deployment", "web", "--namespace", "rb-shop", "--dry-run=server"});
  ASSERT_FALSE(removal.ok);
  EXPECT_THAT(removal.text, HasSubstr(kForbidden));
}

TEST_F(ChartRbacOnServer, ControllerCreatesSecretsOnlyInTheWatchedNamespace) {
  const std::string secret = R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"generated"},
                                  "stringData":{"secret":"0123"}})";
  auto watched = asController({"create", "--namespace", "rb-shop", "--filename", "-"}, secret);
  EXPECT_TRUE(watched.ok) << watched.text;
  EXPECT_EQ(testenv::controlPlane().kubectl({"get", "secret", "generated", "--namespace", "rb-shop",
                                             "--output", "jsonpath={.data.secret}"}),
            "MDEyMw==");

  auto other = asController({"create", "--namespace", "rb-other", "--filename", "-"}, secret);
  ASSERT_FALSE(other.ok);
  EXPECT_THAT(other.text, HasSubstr(kForbidden));

  // A Secret it generated goes with its AutoBuild (owner reference): the controller never deletes one.
  auto removal = asController({"delete", "secret", "generated", "--namespace", "rb-shop"});
  ASSERT_FALSE(removal.ok);
  EXPECT_THAT(removal.text, HasSubstr(kForbidden));
}

TEST_F(ChartRbacOnServer, ControllerTouchesOnlyItsOwnLease) {
  auto own = asController({"get", "lease", "rb-autobuild-controller", "--namespace", "rb-system"});
  ASSERT_FALSE(own.ok) << "no controller runs, so the Lease does not exist yet";
  EXPECT_THAT(own.text, HasSubstr("(NotFound)"));

  auto other = asController({"get", "lease", "someone-else", "--namespace", "rb-system"});
  ASSERT_FALSE(other.ok);
  EXPECT_THAT(other.text, HasSubstr(kForbidden));

  auto elsewhere = asController({"get", "lease", "rb-autobuild-controller", "--namespace", "rb-shop"});
  ASSERT_FALSE(elsewhere.ok);
  EXPECT_THAT(elsewhere.text, HasSubstr(kForbidden));
}

}  // namespace
}  // namespace autobuild::e2e
