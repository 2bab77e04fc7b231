// The Helm chart as `helm template` renders it: what each value turns into, what the processes are
// told, and what they are allowed. No cluster is involved (chart_server_test.cpp applies the output).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/deploy/manifest.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<json> render(const std::vector<std::string>& options = {}) {
  std::vector<std::string> args = {"template", "autobuild", sourcePath("charts/autobuild"), "--namespace",
                                   "autobuild-system"};
  args.insert(args.end(), options.begin(), options.end());
  return parseManifests(helm(args), "helm template");
}

std::vector<json> renderAllOptions() {
  return render({"--values", sourcePath("tests/e2e/deploy/testdata/all-options.yaml")});
}

std::set<std::string> ids(const std::vector<json>& objects) {
  std::set<std::string> result;
  for (const auto& o : objects) result.insert(objectId(o));
  return result;
}

bool hasArg(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

std::vector<std::string> argsStartingWith(const std::vector<std::string>& args, const std::string& prefix) {
  std::vector<std::string> matching;
  for (const auto& a : args) {
    if (a.rfind(prefix, 0) == 0) matching.push_back(a);
  }
  return matching;
}

// What each process may do in the namespaces it serves (docs/install.md, "Permissions").
const json kControllerRules = json::parse(R"([
  {"apiGroups": ["autobuild.dev"], "resources": ["autobuilds"], "verbs": ["get", "list", "watch"]},
  {"apiGroups": ["autobuild.dev"], "resources": ["autobuilds/status"], "verbs": ["get", "patch", "update"]},
  {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch", "create"]},
  {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["get", "list", "watch", "patch"]},
  {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "patch", "delete"]},
  {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}
])");
const json kWebhookRules = json::parse(R"([
  {"apiGroups": ["autobuild.dev"], "resources": ["autobuilds"], "verbs": ["get", "list", "watch"]},
  {"apiGroups": ["autobuild.dev"], "resources": ["autobuilds/status"], "verbs": ["get", "patch"]},
  {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]},
  {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["get", "patch"]},
  {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "create", "delete"]},
  {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}
])");

json subject(const std::string& ns, const std::string& name) {
  return {{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}};
}

TEST(ChartCrd, IsTheRepositorysCrd) {
  EXPECT_EQ(readFile(sourcePath("charts/autobuild/crds/autobuild.dev_autobuilds.yaml")),
            readFile(sourcePath("crds/autobuild.dev_autobuilds.yaml")))
      << "copy crds/autobuild.dev_autobuilds.yaml into charts/autobuild/crds/";
}

TEST(ChartLint, StrictLintIsCleanWithDefaultAndAllOptions) {
  EXPECT_THAT(helm({"lint", "--strict", sourcePath("charts/autobuild")}), HasSubstr("0 chart(s) failed"));
  EXPECT_THAT(helm({"lint", "--strict", sourcePath("charts/autobuild"), "--values",
                    sourcePath("tests/e2e/deploy/testdata/all-options.yaml")}),
              HasSubstr("0 chart(s) failed"));
}

TEST(ChartDefaults, RenderAnAllNamespacesInstallation) {
  EXPECT_EQ(ids(render()), (std::set<std::string>{
                               "ServiceAccount/autobuild-system/autobuild-controller",
                               "ServiceAccount/autobuild-system/autobuild-webhook",
                               "ClusterRole//autobuild-controller",
                               "ClusterRole//autobuild-webhook",
                               "ClusterRoleBinding//autobuild-controller",
                               "ClusterRoleBinding//autobuild-webhook",
                               "Role/autobuild-system/autobuild-controller-leader-election",
                               "RoleBinding/autobuild-system/autobuild-controller-leader-election",
                               "Deployment/autobuild-system/autobuild-controller",
                               "Service/autobuild-system/autobuild-controller-metrics",
                               "Deployment/autobuild-system/autobuild-webhook",
                               "Service/autobuild-system/autobuild-webhook",
                               "PodDisruptionBudget/autobuild-system/autobuild-webhook",
                           }));
}

TEST(ChartDefaults, ControllerIsLeaderElectedAndPublishesTheWebhookServiceURL) {
  auto objects = render();
  const json& controller = findObject(objects, "Deployment", "autobuild-controller");
  EXPECT_EQ(controller["spec"]["replicas"], 2);
  EXPECT_EQ(firstContainer(controller)["command"], json({"/usr/local/bin/autobuild-controller"}));
  EXPECT_THAT(containerArgs(controller),
              ElementsAre("--health-addr=0.0.0.0:8081", "--metrics-addr=0.0.0.0:9090", "--log-level=info",
                          "--log-format=json", "--workers=4",
                          "--webhook-service-url=http://autobuild-webhook.autobuild-system.svc",
                          "--leader-elect", "--leader-election-namespace=autobuild-system",
                          "--leader-election-id=autobuild-controller"));
}

TEST(ChartDefaults, WebhookServesPort80OfItsServiceWithTwoReplicasAndABudget) {
  auto objects = render();
  const json& webhook = findObject(objects, "Deployment", "autobuild-webhook");
  EXPECT_EQ(webhook["spec"]["replicas"], 2);
  EXPECT_EQ(firstContainer(webhook)["command"], json({"/usr/local/bin/autobuild-webhook"}));
  EXPECT_THAT(containerArgs(webhook),
              ElementsAre("--listen-addr=0.0.0.0:8080", "--metrics-addr=0.0.0.0:9090", "--log-level=info",
                          "--log-format=json", "--max-body-bytes=3145728", "--threads=2", "--workers=16",
                          "--trigger-rate=1", "--trigger-burst=5"));

  const json& service = findObject(objects, "Service", "autobuild-webhook");
  EXPECT_EQ(service["spec"]["type"], "ClusterIP");
  EXPECT_EQ(service["spec"]["selector"], webhook["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ(service["spec"]["ports"],
            json::parse(R"([{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                            {"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"}])"));

  const json& budget = findObject(objects, "PodDisruptionBudget", "autobuild-webhook");
  // Offline, helm assumes a current cluster; against a 1.20 one it renders policy/v1beta1
  // (ChartOnServer.DefaultValuesAreAccepted).
  EXPECT_EQ(budget["apiVersion"], "policy/v1");
  EXPECT_EQ(budget["spec"]["minAvailable"], 1);
  EXPECT_EQ(budget["spec"]["selector"]["matchLabels"], webhook["spec"]["selector"]["matchLabels"]);
}

TEST(ChartDefaults, ClusterRolesGrantEachProcessOnlyWhatItUses) {
  auto objects = render();
  EXPECT_EQ(findObject(objects, "ClusterRole", "autobuild-controller")["rules"], kControllerRules);
  EXPECT_EQ(findObject(objects, "ClusterRole", "autobuild-webhook")["rules"], kWebhookRules);
  const json& controller_binding = findObject(objects, "ClusterRoleBinding", "autobuild-controller");
  EXPECT_EQ(controller_binding["roleRef"]["name"], "autobuild-controller");
  EXPECT_EQ(controller_binding["subjects"],
            json::array({subject("autobuild-system", "autobuild-controller")}));
  const json& webhook_binding = findObject(objects, "ClusterRoleBinding", "autobuild-webhook");
  EXPECT_EQ(webhook_binding["roleRef"]["name"], "autobuild-webhook");
  EXPECT_EQ(webhook_binding["subjects"], json::array({subject("autobuild-system", "autobuild-webhook")}));
}

TEST(ChartDefaults, LeaseRoleReadsAndRenewsOnlyTheControllersLease) {
  auto objects = render();
  EXPECT_EQ(findObject(objects, "Role", "autobuild-controller-leader-election")["rules"], json::parse(R"([
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["autobuild-controller"],
     "verbs": ["get", "update"]}
  ])"));
  EXPECT_EQ(findObject(objects, "RoleBinding", "autobuild-controller-leader-election")["subjects"],
            json::array({subject("autobuild-system", "autobuild-controller")}));
}

TEST(ChartDefaults, PodsRunHardenedWithProbesResourcesAndTheirPodName) {
  auto objects = render();
  for (const std::string name : {"autobuild-controller", "autobuild-webhook"}) {
    SCOPED_TRACE(name);
    const json& deployment = findObject(objects, "Deployment", name);
    const json& pod = deployment["spec"]["template"]["spec"];
    EXPECT_EQ(pod["serviceAccountName"], name);
    EXPECT_EQ(pod["securityContext"], json::parse(R"({"runAsNonRoot": true, "runAsUser": 65532,
      "runAsGroup": 65532, "seccompProfile": {"type": "RuntimeDefault"}})"));
    const json& container = firstContainer(deployment);
    EXPECT_EQ(container["image"], "autobuild:0.1.0");
    EXPECT_EQ(container["imagePullPolicy"], "IfNotPresent");
    EXPECT_EQ(container["securityContext"],
              json::parse(R"({"runAsNonRoot": true, "readOnlyRootFilesystem": true,
      "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
      "seccompProfile": {"type": "RuntimeDefault"}})"));
    EXPECT_THAT(container["env"],
                Contains(json::parse(
                    R"({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})")));
    EXPECT_TRUE(container["resources"]["requests"].contains("cpu"));
    EXPECT_TRUE(container["resources"]["requests"].contains("memory"));
    EXPECT_TRUE(container["resources"]["limits"].contains("cpu"));
    EXPECT_TRUE(container["resources"]["limits"].contains("memory"));
    EXPECT_THAT(container["ports"],
                Contains(json::parse(R"({"name": "metrics", "containerPort": 9090, "protocol": "TCP"})")));
    EXPECT_EQ(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    EXPECT_EQ(container["readinessProbe"]["httpGet"]["path"], "/readyz");
  }
  EXPECT_EQ(firstContainer(findObject(objects, "Deployment",
                                      "autobuild-controller"))["readinessProbe"]["httpGet"]["port"],
            "health");
  EXPECT_EQ(firstContainer(
                findObject(objects, "Deployment", "autobuild-webhook"))["readinessProbe"]["httpGet"]["port"],
            "http");
}

TEST(ChartAllOptions, WatchedNamespacesGetRolesAndNothingClusterWide) {
  auto objects = renderAllOptions();
  EXPECT_THAT(objectsOfKind(objects, "ClusterRole"), ::testing::IsEmpty());
  EXPECT_THAT(objectsOfKind(objects, "ClusterRoleBinding"), ::testing::IsEmpty());
  for (const std::string ns : {"shop", "blog"}) {
    SCOPED_TRACE(ns);
    std::map<std::string, json> roles, bindings;
    for (const auto& role : objectsOfKind(objects, "Role")) {
      if (role["metadata"]["namespace"] == ns) roles[role["metadata"]["name"]] = role;
    }
    for (const auto& binding : objectsOfKind(objects, "RoleBinding")) {
      if (binding["metadata"]["namespace"] == ns) bindings[binding["metadata"]["name"]] = binding;
    }
    ASSERT_EQ(roles.size(), 2u);
    EXPECT_EQ(roles["autobuild-controller"]["rules"], kControllerRules);
    EXPECT_EQ(roles["autobuild-webhook"]["rules"], kWebhookRules);
    ASSERT_EQ(bindings.size(), 2u);
    EXPECT_EQ(bindings["autobuild-controller"]["subjects"],
              json::array({subject("autobuild-system", "ab-ctl")}));
    EXPECT_EQ(bindings["autobuild-webhook"]["subjects"],
              json::array({subject("autobuild-system", "ab-hook")}));
  }
  for (const std::string name : {"autobuild-controller", "autobuild-webhook"}) {
    EXPECT_EQ(argsStartingWith(containerArgs(findObject(objects, "Deployment", name)), "--namespace="),
              (std::vector<std::string>{"--namespace=shop", "--namespace=blog"}))
        << name;
  }
  const json& sa = findObject(objects, "ServiceAccount", "ab-ctl");
  EXPECT_EQ(sa["metadata"]["annotations"], json({{"example.com/role", "ctl"}}));
  findObject(objects, "ServiceAccount", "ab-hook");
  EXPECT_EQ(findObject(objects, "RoleBinding", "autobuild-controller-leader-election")["subjects"],
            json::array({subject("autobuild-system", "ab-ctl")}));
}

TEST(ChartAllOptions, PublicURLServiceAndWebhookTLS) {
  auto objects = renderAllOptions();
  auto controller = containerArgs(findObject(objects, "Deployment", "autobuild-controller"));
  EXPECT_TRUE(hasArg(controller, "--webhook-base-url=https://hooks.example.com")) << "trailing / trimmed";
  EXPECT_TRUE(
      hasArg(controller, "--webhook-service-url=https://autobuild-webhook.autobuild-system.svc:8443"));

  const json& webhook = findObject(objects, "Deployment", "autobuild-webhook");
  auto args = containerArgs(webhook);
  EXPECT_TRUE(hasArg(args, "--tls-cert=/etc/autobuild/tls/tls.crt"));
  EXPECT_TRUE(hasArg(args, "--tls-key=/etc/autobuild/tls/tls.key"));
  const json& pod = webhook["spec"]["template"]["spec"];
  EXPECT_EQ(pod["volumes"], json::parse(R"([{"name": "tls", "secret": {"secretName": "webhook-tls"}}])"));
  EXPECT_EQ(firstContainer(webhook)["volumeMounts"],
            json::parse(R"([{"name": "tls", "mountPath": "/etc/autobuild/tls", "readOnly": true}])"));
  EXPECT_EQ(firstContainer(webhook)["readinessProbe"]["httpGet"]["scheme"], "HTTPS");
  EXPECT_EQ(firstContainer(webhook)["livenessProbe"]["httpGet"]["scheme"], "HTTPS");

  const json& service = findObject(objects, "Service", "autobuild-webhook");
  EXPECT_EQ(service["spec"]["type"], "LoadBalancer");
  EXPECT_EQ(service["metadata"]["annotations"], json({{"example.com/lb", "internal"}}));
  EXPECT_EQ(service["spec"]["ports"][0],
            json::parse(R"({"name": "https", "port": 8443, "targetPort": "https", "protocol": "TCP"})"));
  EXPECT_EQ(findObject(objects, "PodDisruptionBudget", "autobuild-webhook")["spec"]["minAvailable"], 2);
}

TEST(ChartAllOptions, IngressExposesOnlyTheHooksPathWithTLS) {
  auto objects = renderAllOptions();
  const json& ingress = findObject(objects, "Ingress", "autobuild-webhook");
  EXPECT_EQ(ingress["apiVersion"], "networking.k8s.io/v1");
  EXPECT_EQ(ingress["metadata"]["annotations"], json({{"cert-manager.io/cluster-issuer", "letsencrypt"}}));
  EXPECT_EQ(ingress["spec"]["ingressClassName"], "nginx");
  EXPECT_EQ(ingress["spec"]["tls"],
            json::parse(R"([{"hosts": ["hooks.example.com"], "secretName": "hooks-tls"}])"));
  EXPECT_EQ(ingress["spec"]["rules"], json::parse(R"([{"host": "hooks.example.com", "http": {"paths": [
    {"path": "/hooks/", "pathType": "Prefix",
     "backend": {"service": {"name": "autobuild-webhook", "port": {"name": "https"}}}}]}}])"));
}

TEST(ChartAllOptions, ServiceMonitorScrapesTheMetricsPortOfBothServices) {
  auto objects = renderAllOptions();
  const json& monitor = findObject(objects, "ServiceMonitor", "autobuild");
  EXPECT_EQ(monitor["apiVersion"], "monitoring.coreos.com/v1");
  EXPECT_EQ(monitor["metadata"]["labels"]["release"], "prometheus");
  EXPECT_EQ(monitor["spec"]["endpoints"],
            json::parse(R"([{"port": "metrics", "path": "/metrics", "interval": "15s"}])"));
  EXPECT_EQ(monitor["spec"]["namespaceSelector"], json::parse(R"({"matchNames": ["autobuild-system"]})"));
  for (const std::string name : {"autobuild-controller-metrics", "autobuild-webhook"}) {
    SCOPED_TRACE(name);
    const json& service = findObject(objects, "Service", name);
    for (const auto& [key, value] : monitor["spec"]["selector"]["matchLabels"].items()) {
      EXPECT_EQ(service["metadata"]["labels"][key], value) << key;
    }
    EXPECT_THAT(service["spec"]["ports"],
                Contains(json::parse(
                    R"({"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP"})")));
  }
}

TEST(ChartAllOptions, ImageReplicasLoggingTuningAndPlacementReachBothProcesses) {
  auto objects = renderAllOptions();
  const json& controller = findObject(objects, "Deployment", "autobuild-controller");
  const json& webhook = findObject(objects, "Deployment", "autobuild-webhook");
  EXPECT_EQ(controller["spec"]["replicas"], 3);
  EXPECT_EQ(webhook["spec"]["replicas"], 3);
  auto controller_args = containerArgs(controller);
  EXPECT_TRUE(hasArg(controller_args, "--workers=8"));
  EXPECT_EQ(controller_args.back(), "--kube-api-qps=20");
  auto webhook_args = containerArgs(webhook);
  for (const std::string arg : {"--max-body-bytes=1048576", "--threads=4", "--workers=32",
                                "--trigger-rate=0.5", "--trigger-burst=10"}) {
    EXPECT_TRUE(hasArg(webhook_args, arg)) << arg;
  }
  EXPECT_EQ(webhook_args.back(), "--max-connections=2000");
  EXPECT_EQ(
      firstContainer(controller)["resources"],
      json::parse(
          R"({"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "2", "memory": "512Mi"}})"));
  EXPECT_EQ(
      firstContainer(webhook)["resources"],
      json::parse(
          R"({"requests": {"cpu": "200m", "memory": "128Mi"}, "limits": {"cpu": "2", "memory": "512Mi"}})"));
  for (const json* deployment : {&controller, &webhook}) {
    SCOPED_TRACE((*deployment)["metadata"]["name"].get<std::string>());
    auto args = containerArgs(*deployment);
    EXPECT_TRUE(hasArg(args, "--log-level=debug"));
    EXPECT_TRUE(hasArg(args, "--log-format=text"));
    const json& container = firstContainer(*deployment);
    EXPECT_EQ(container["image"], "registry.example.com/autobuild:0.1.0-rc1");
    EXPECT_EQ(container["imagePullPolicy"], "Always");
    const json& pod = (*deployment)["spec"]["template"];
    EXPECT_EQ(pod["metadata"]["annotations"], json({{"example.com/scrape", "true"}}));
    EXPECT_EQ(pod["spec"]["imagePullSecrets"], json::parse(R"([{"name": "regcred"}])"));
    EXPECT_EQ(pod["spec"]["nodeSelector"], json({{"kubernetes.io/os", "linux"}}));
    EXPECT_EQ(pod["spec"]["tolerations"],
              json::parse(
                  R"([{"key": "dedicated", "operator": "Equal", "value": "ops", "effect": "NoSchedule"}])"));
    EXPECT_EQ(pod["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
                 ["weight"],
              100);
  }
}

TEST(ChartOptions, IngressHostIsThePublicURLWhenNoExternalURLIsSet) {
  auto https = render({"--set", "ingress.enabled=true", "--set", "ingress.host=hooks.example.org", "--set",
                       "ingress.tls.enabled=true"});
  EXPECT_TRUE(hasArg(containerArgs(findObject(https, "Deployment", "autobuild-controller")),
                     "--webhook-base-url=https://hooks.example.org"));
  EXPECT_FALSE(findObject(https, "Ingress", "autobuild-webhook")["spec"]["tls"][0].contains("secretName"))
      << "no secretName: the Ingress controller's default certificate";
  auto http = render({"--set", "ingress.enabled=true", "--set", "ingress.host=hooks.example.org"});
  EXPECT_TRUE(hasArg(containerArgs(findObject(http, "Deployment", "autobuild-controller")),
                     "--webhook-base-url=http://hooks.example.org"));
  EXPECT_FALSE(findObject(http, "Ingress", "autobuild-webhook")["spec"].contains("tls"));
}

TEST(ChartOptions, WithoutRbacCreateThereIsNoRbacObject) {
  auto objects = render({"--set", "rbac.create=false"});
  for (const std::string kind : {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}) {
    EXPECT_THAT(objectsOfKind(objects, kind), ::testing::IsEmpty()) << kind;
  }
  EXPECT_EQ(objectsOfKind(objects, "ServiceAccount").size(), 2u);
}

TEST(ChartOptions, ExistingServiceAccountsAreUsedAndBoundAsNamed) {
  auto objects = render({"--set", "controller.serviceAccount.create=false", "--set",
                         "controller.serviceAccount.name=ops-controller", "--set",
                         "webhook.serviceAccount.create=false"});
  EXPECT_THAT(objectsOfKind(objects, "ServiceAccount"), ::testing::IsEmpty());
  EXPECT_EQ(findObject(objects, "Deployment",
                       "autobuild-controller")["spec"]["template"]["spec"]["serviceAccountName"],
            "ops-controller");
  EXPECT_EQ(findObject(objects, "Deployment",
                       "autobuild-webhook")["spec"]["template"]["spec"]["serviceAccountName"],
            "default");
  EXPECT_EQ(findObject(objects, "ClusterRoleBinding", "autobuild-controller")["subjects"],
            json::array({subject("autobuild-system", "ops-controller")}));
  EXPECT_EQ(findObject(objects, "ClusterRoleBinding", "autobuild-webhook")["subjects"],
            json::array({subject("autobuild-system", "default")}));
}

TEST(ChartOptions, OneControllerWithoutLeaderElectionNeedsNoLease) {
  auto objects = render({"--set", "leaderElection.enabled=false", "--set", "controller.replicas=1"});
  auto args = containerArgs(findObject(objects, "Deployment", "autobuild-controller"));
  EXPECT_FALSE(hasArg(args, "--leader-elect"));
  EXPECT_THAT(argsStartingWith(args, "--leader-election"), ::testing::IsEmpty());
  EXPECT_THAT(objectsOfKind(objects, "Role"), ::testing::IsEmpty());
}

TEST(ChartOptions, ReleaseNameAndOverridesNameEverything) {
  auto objects = render({"--set", "fullnameOverride=hooks"});
  findObject(objects, "Deployment", "hooks-controller");
  findObject(objects, "Service", "hooks-webhook");
  EXPECT_TRUE(hasArg(containerArgs(findObject(objects, "Deployment", "hooks-controller")),
                     "--webhook-service-url=http://hooks-webhook.autobuild-system.svc"));
  EXPECT_TRUE(hasArg(containerArgs(findObject(objects, "Deployment", "hooks-controller")),
                     "--leader-election-id=hooks-controller"));
}

struct WrongValue {
  std::vector<std::string> options;
  std::string message;  // what helm says, which names the value
};

TEST(ChartValues, WrongValuesFailWithAMessageNamingTheValue) {
  const std::vector<WrongValue> cases = {
      {{"--set", "controller.replicas=two"}, "at '/controller/replicas': got string, want integer"},
      {{"--set", "controller.replica=3"}, "at '/controller': additional properties 'replica' not allowed"},
      {{"--set", "log.level=verbose"},
       "at '/log/level': value must be one of 'trace', 'debug', 'info', 'warn', 'error'"},
      {{"--set", "log.format=xml"}, "at '/log/format': value must be one of 'json', 'text'"},
      {{"--set", "image.pullPolicy=Sometimes"}, "at '/image/pullPolicy': value must be one of"},
      {{"--set", "image.repository="}, "at '/image/repository': minLength: got 0, want 1"},
      {{"--set", "webhook.externalURL=hooks.example.com"},
       "at '/webhook/externalURL': 'hooks.example.com' does not match"},
      {{"--set", "webhook.maxBodyBytes=10"}, "at '/webhook/maxBodyBytes': minimum: got 10, want 1,024"},
      {{"--set", "webhook.service.port=70000"}, "at '/webhook/service/port'"},
      {{"--set", "webhook.triggerRate=0"}, "at '/webhook/triggerRate'"},
      {{"--set", "ingress.host=https://hooks.example.com"}, "at '/ingress/host'"},
      {{"--set-json", R"(watchNamespaces=["Shop"])"},
       "at '/watchNamespaces/0': 'Shop' does not match pattern"},
      {{"--set-json", R"(watchNamespaces=["shop","shop"])"},
       "at '/watchNamespaces': items at 0 and 1 are equal"},
      {{"--set", "controller.extraArgs[0]=kube-api-qps=20"}, "at '/controller/extraArgs/0'"},
      {{"--set", "serviceMonitor.interval=often"}, "at '/serviceMonitor/interval'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.options.back());
    std::vector<std::string> args = {"template", "autobuild", sourcePath("charts/autobuild")};
    args.insert(args.end(), c.options.begin(), c.options.end());
    auto result = runHelm(args);
    EXPECT_NE(result.exit_code, 0);
    EXPECT_THAT(result.err, HasSubstr("values don't meet the specifications of the schema"));
    EXPECT_THAT(result.err, HasSubstr(c.message));
  }
}

TEST(ChartValues, ContradictoryValuesFailWithTheChartsExplanation) {
  auto replicas = runHelm(
      {"template", "autobuild", sourcePath("charts/autobuild"), "--set", "leaderElection.enabled=false"});
  EXPECT_NE(replicas.exit_code, 0);
  EXPECT_THAT(replicas.err, HasSubstr("controller.replicas is 2 but leaderElection.enabled is false"));

  auto ingress =
      runHelm({"template", "autobuild", sourcePath("charts/autobuild"), "--set", "ingress.enabled=true"});
  EXPECT_NE(ingress.exit_code, 0);
  EXPECT_THAT(ingress.err, HasSubstr("ingress.enabled is true but ingress.host is empty"));
}

}  // namespace
}  // namespace autobuild::e2e
