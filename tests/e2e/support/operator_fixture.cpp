#include "tests/e2e/support/operator_fixture.h"

#include <atomic>

#include "api/autobuild.h"
#include "api/secret_references.h"
#include "kube/config.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/rbac_credentials.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

struct Operator {
  std::shared_ptr<kube::Client> client;
  std::unique_ptr<OperatorProcess> controller;
  std::vector<std::string> controller_args;
  std::string controller_log;
  std::vector<std::unique_ptr<OperatorProcess>> webhooks;
  std::vector<int> ports;
};

Operator* op = nullptr;

std::string address() {
  return "127.0.0.1:" + std::to_string(freePort());
}

}  // namespace

void OperatorFixture::SetUpTestSuite() {
  if (op) return;
  auto& cp = testenv::controlPlane();
  cp.kubectl({"apply", "-f", std::string(AUTOBUILD_SOURCE_DIR) + "/crds/"});
  cp.waitForEstablished({"autobuilds.autobuild.dev"});
  op = new Operator;
  op->client = std::make_shared<kube::Client>(kube::loadKubeconfig(cp.kubeconfig()));
  std::string logs = cp.dir() + "/logs/";
  // With AUTOBUILD_E2E_CREDENTIALS=chart the binaries run with the tokens of the ServiceAccounts the Helm
  // chart creates, holding exactly the chart's RBAC (all namespaces); otherwise as cluster admin.
  std::vector<std::string> controller_args{"--kubeconfig", cp.kubeconfig()};
  std::vector<std::string> webhook_args{"--kubeconfig", cp.kubeconfig()};
  const char* credentials = std::getenv("AUTOBUILD_E2E_CREDENTIALS");
  if (credentials && std::string(credentials) == "chart") {
    ChartRbac rbac = applyChartRbac(cp, {});
    // No --leader-elect: the suite stops the API server for longer than the renew deadline, after
    // which a leader exits (as client-go's do), and the suite shares one controller.
    controller_args = rbac.controller_args;
    webhook_args = rbac.webhook_args;
  }
  controller_args.insert(controller_args.end(),
                         {"--metrics-addr", address(), "--health-addr", address(), "--webhook-base-url",
                          "http://127.0.0.1", "--kube-api-qps", "200"});
  op->controller_args = controller_args;
  op->controller_log = logs + "controller.log";
  op->controller =
      std::make_unique<OperatorProcess>(AUTOBUILD_CONTROLLER_BIN, controller_args, op->controller_log);
  for (int i = 0; i < 2; ++i) {
    int port = freePort();
    op->ports.push_back(port);
    std::vector<std::string> args = webhook_args;
    args.insert(args.end(), {"--listen-addr", "127.0.0.1:" + std::to_string(port), "--metrics-addr",
                             address(), "--trigger-burst", "20", "--max-body-bytes", "1048576"});
    op->webhooks.push_back(std::make_unique<OperatorProcess>(AUTOBUILD_WEBHOOK_BIN, args,
                                                             logs + "webhook-" + std::to_string(i) + ".log"));
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(eventually([&] { return httpRequest(op->ports[i], "GET", "/readyz", {}, "").status == 200; }))
        << op->webhooks[i]->logs();
  }
}

void OperatorFixture::TearDownTestSuite() {
  if (!op) return;
  // SIGTERM drains and exits 0: checked here for every replica, after every suite.
  for (auto& w : op->webhooks) EXPECT_EQ(w->terminate(), 0) << w->logs();
  // After a failed set-up some processes may never have started.
  if (op->controller) {
    EXPECT_EQ(op->controller->terminate(), 0) << op->controller->logs();
  }
  delete op;
  op = nullptr;
}

void OperatorFixture::SetUp() {
  static std::atomic<int> counter{0};
  ns_ = "hook-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  client()->create(kube::resources::Namespaces, "", {{"metadata", {{"name", ns_}}}});
}

int OperatorFixture::webhookPort(int replica) {
  return op->ports.at(replica);
}
OperatorProcess& OperatorFixture::webhook(int replica) {
  return *op->webhooks.at(replica);
}
std::shared_ptr<kube::Client> OperatorFixture::client() {
  return op->client;
}

void OperatorFixture::restartController(const std::function<void()>& while_stopped) {
  EXPECT_EQ(op->controller->terminate(), 0) << op->controller->logs();
  if (while_stopped) while_stopped();
  // The new process appends to the same log, so a failing test shows both lives.
  op->controller =
      std::make_unique<OperatorProcess>(AUTOBUILD_CONTROLLER_BIN, op->controller_args, op->controller_log);
}

static const kube::Resource& resourceOf(const std::string& kind) {
  if (kind == "StatefulSet") return kube::resources::StatefulSets;
  if (kind == "DaemonSet") return kube::resources::DaemonSets;
  return kube::resources::Deployments;
}

void OperatorFixture::createWorkload(const std::string& kind, const std::string& name,
                                     const std::vector<std::pair<std::string, std::string>>& containers,
                                     int replicas) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [c, image] : containers) list.push_back({{"name", c}, {"image", image}});
  nlohmann::json spec = {
      {"selector", {{"matchLabels", {{"app", name}}}}},
      {"template", {{"metadata", {{"labels", {{"app", name}}}}}, {"spec", {{"containers", list}}}}}};
  if (kind != "DaemonSet") spec["replicas"] = replicas;
  if (kind == "StatefulSet") spec["serviceName"] = name;
  client()->create(resourceOf(kind), ns_, {{"metadata", {{"name", name}}}, {"spec", spec}});
}

std::string OperatorFixture::createAutoBuild(const std::string& name, const nlohmann::json& spec) {
  nlohmann::json full = {{"source", {{"type", "GitHub"}}}, {"target", {{"name", name}}}};
  if (spec.is_object()) full.merge_patch(spec);  // {} in a call is null, not an empty object
  client()->create(api::AutoBuilds, ns_,
                   {{"apiVersion", api::kApiVersion},
                    {"kind", api::kKind},
                    {"metadata", {{"name", name}}},
                    {"spec", full}});
  nlohmann::json ab;
  bool ready = eventually([&] {
    ab = client()->get(api::AutoBuilds, ns_, name);
    for (const auto& c : ab["status"].value("conditions", nlohmann::json::array())) {
      if (c.value("type", "") == "Ready" && c.value("status", "") == "True") return true;
    }
    return false;
  });
  EXPECT_TRUE(ready) << "AutoBuild never Ready: " << ab.dump();
  std::string secret_name =
      full.contains("secretRef") ? full["secretRef"].value("name", name + "-webhook") : name + "-webhook";
  auto value = api::secretValue(client()->get(kube::resources::Secrets, ns_, secret_name), "secret").value;
  // The webhook serves the path once its own watch has seen the status: wait for it on both replicas.
  std::string path = ab["status"].value("webhookPath", "");
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(eventually([&] {
      return httpRequest(webhookPort(i), "POST", path, {{"Content-Type", "application/json"}}, "{}").status !=
             404;
    }));
  }
  return value;
}

std::string OperatorFixture::webhookPath(const std::string& autobuild) {
  return client()->get(api::AutoBuilds, ns_, autobuild)["status"].value("webhookPath", "");
}

nlohmann::json OperatorFixture::getWorkload(const std::string& kind, const std::string& name) {
  return client()->get(resourceOf(kind), ns_, name);
}

std::vector<nlohmann::json> OperatorFixture::replicaSets(const std::string& deployment) {
  std::vector<nlohmann::json> out;
  for (auto& rs : client()->list(kube::resources::ReplicaSets, ns_).items) {
    for (const auto& owner : rs["metadata"].value("ownerReferences", nlohmann::json::array())) {
      if (owner.value("kind", "") == "Deployment" && owner.value("name", "") == deployment) out.push_back(rs);
    }
  }
  return out;
}

std::string OperatorFixture::templateRevision(const std::string& kind, const std::string& name) {
  auto w = getWorkload(kind, name);
  return w["spec"]["template"]["metadata"]
      .value("annotations", nlohmann::json::object())
      .value("autobuild.dev/revision", "");
}

HttpReply OperatorFixture::post(const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                const std::string& body, int replica) {
  return httpRequest(webhookPort(replica), "POST", path, headers, body);
}

}  // namespace autobuild::e2e
