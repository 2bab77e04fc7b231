// The controller against a real control plane: kubectl applies the CRD, the autobuild-controller binary
// runs as a process, and the tests read what a user reads (status, Secrets, Events, Leases).
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "api/autobuild.h"
#include "api/secret_references.h"
#include "api/webhook_id.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/rfc3339.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/github_push.h"
#include "tests/e2e/support/operator_process.h"
#include "tests/testenv/control_plane.h"

namespace autobuild {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kBaseUrl = "https://hooks.example.com";

class ControllerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testenv::controlPlane().kubectl({"apply", "-f", std::string(AUTOBUILD_SOURCE_DIR) + "/crds/"});
    testenv::controlPlane().waitForEstablished({"autobuilds.autobuild.dev"});
  }

  void SetUp() override {
    client_ = std::make_shared<kube::Client>(kube::loadKubeconfig(testenv::controlPlane().kubeconfig()));
    static std::atomic<int> counter{0};
    ns_ = "ctl-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    client_->create(kube::resources::Namespaces, "", {{"metadata", {{"name", ns_}}}});
  }

  std::unique_ptr<e2e::OperatorProcess> startController(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--kubeconfig",     testenv::controlPlane().kubeconfig(),
                                  "--namespace",      ns_,
                                  "--metrics-addr",   "127.0.0.1:" + std::to_string(e2e::freePort()),
                                  "--health-addr",    "127.0.0.1:" + std::to_string(e2e::freePort()),
                                  "--kube-api-qps",   "500",
                                  "--kube-api-burst", "1000"};
    args.insert(args.end(), extra.begin(), extra.end());
    static std::atomic<int> n{0};
    return std::make_unique<e2e::OperatorProcess>(
        AUTOBUILD_CONTROLLER_BIN, args,
        testenv::controlPlane().dir() + "/logs/controller-" + ns_ + "-" + std::to_string(n++) + ".log");
  }

  void createDeployment(const std::string& name) {
    client_->create(kube::resources::Deployments, ns_, e2e::deploymentManifest(name, name));
  }

  json autobuild(const std::string& name, json spec_overrides = json::object()) {
    json spec = {{"source", {{"type", "GitHub"}, {"repository", "acme/" + name}}},
                 {"target", {{"name", name}}}};
    spec.merge_patch(spec_overrides);
    return {{"apiVersion", "autobuild.dev/v1alpha1"},
            {"kind", "AutoBuild"},
            {"metadata", {{"name", name}}},
            {"spec", spec}};
  }

  json getAutoBuild(const std::string& name) { return client_->get(api::AutoBuilds, ns_, name); }

  static json ready(const json& ab) {
    for (const auto& c : ab.value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == "Ready") return c;
    }
    return json::object();
  }

  // Waits until the AutoBuild's Ready condition has this reason (and its observedGeneration is current).
  json waitForReason(const std::string& name, const std::string& reason,
                     std::chrono::milliseconds timeout = seconds(30)) {
    json last;
    bool ok = e2e::eventually(
        [&] {
          last = getAutoBuild(name);
          json r = ready(last);
          return r.value("reason", "") == reason &&
                 last["status"].value("observedGeneration", 0) == last["metadata"].value("generation", -1);
        },
        timeout);
    EXPECT_TRUE(ok) << "AutoBuild " << ns_ << "/" << name << " never reached Ready reason " << reason
                    << "; last seen: " << last.dump();
    return last;
  }

  std::string secretValue(const std::string& name, const std::string& key = "secret") {
    auto v = api::secretValue(client_->get(kube::resources::Secrets, ns_, name), key);
    return v.value;
  }

  std::vector<json> events(const std::string& involved_name) {
    std::vector<json> out;
    for (auto& e : client_->list(kube::resources::Events, ns_).items) {
      if (e["involvedObject"].value("name", "") == involved_name) out.push_back(e);
    }
    return out;
  }

  bool hasEvent(const std::string& involved_name, const std::string& reason) {
    for (const auto& e : events(involved_name)) {
      if (e.value("reason", "") == reason) return true;
    }
    return false;
  }

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
};

TEST_F(ControllerTest, GeneratesTheSecretAndPublishesTheWebhookUrl) {
  auto controller = startController({"--webhook-base-url", kBaseUrl});
  createDeployment("web");
  json created = client_->create(api::AutoBuilds, ns_, autobuild("web"));

  json ab = waitForReason("web", "WebhookReady");
  EXPECT_EQ(ready(ab).value("status", ""), "True");

  json secret = client_->get(kube::resources::Secrets, ns_, "web-webhook");
  EXPECT_EQ(secret["metadata"]["labels"].value("app.kubernetes.io/managed-by", ""), "autobuild");
  ASSERT_EQ(secret["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0].value("uid", ""), created["metadata"].value("uid", ""));
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0].value("kind", ""), "AutoBuild");
  std::string value = secretValue("web-webhook");
  EXPECT_EQ(value.size(), 64u);
  EXPECT_EQ(value.find_first_not_of("0123456789abcdef"), std::string::npos);

  std::string path = "/hooks/" + api::webhookId(value, ns_, "web");
  EXPECT_EQ(ab["status"].value("webhookPath", ""), path);
  EXPECT_EQ(ab["status"].value("webhookURL", ""), std::string(kBaseUrl) + path);
  EXPECT_TRUE(
      e2e::eventually([&] { return hasEvent("web", "WebhookReady") && hasEvent("web", "SecretCreated"); }));

  // What a user sees with kubectl: the printer columns, and the URL at -o wide.
  std::string wide = testenv::controlPlane().kubectl({"get", "ab", "web", "-n", ns_, "-o", "wide"});
  EXPECT_NE(wide.find("GitHub"), std::string::npos) << wide;
  EXPECT_NE(wide.find("True"), std::string::npos) << wide;
  EXPECT_NE(wide.find(std::string(kBaseUrl) + path), std::string::npos) << wide;
  EXPECT_EQ(controller->terminate(), 0) << controller->logs();
}

TEST_F(ControllerTest, WithoutBaseUrlPublishesTheInClusterServiceUrl) {
  auto controller = startController();
  createDeployment("api");
  client_->create(api::AutoBuilds, ns_, autobuild("api"));
  json ab = waitForReason("api", "WebhookReady");
  EXPECT_EQ(
      ab["status"].value("webhookURL", "").rfind("http://autobuild-webhook.autobuild-system.svc/hooks/", 0),
      0u)
      << ab["status"].dump();
  EXPECT_NE(ready(ab).value("message", "").find("in-cluster Service URL"), std::string::npos)
      << ready(ab).dump();
}

TEST_F(ControllerTest, TargetCreatedAfterTheAutoBuildTurnsReadyTrue) {
  auto controller = startController();
  client_->create(api::AutoBuilds, ns_, autobuild("late"));
  json ab = waitForReason("late", "TargetNotFound");
  EXPECT_EQ(ready(ab).value("status", ""), "False");
  EXPECT_EQ(ready(ab).value("message", ""), "Deployment " + ns_ + "/late not found");
  // The URL is published already, so it can be configured before the app exists.
  EXPECT_FALSE(ab["status"].value("webhookPath", "").empty());
  EXPECT_TRUE(e2e::eventually([&] { return hasEvent("late", "TargetNotFound"); }));

  createDeployment("late");
  waitForReason("late", "WebhookReady");
}

TEST_F(ControllerTest, StatefulSetAndDaemonSetTargets) {
  auto controller = startController();
  client_->create(api::AutoBuilds, ns_, autobuild("db", {{"target", {{"kind", "StatefulSet"}}}}));
  client_->create(api::AutoBuilds, ns_, autobuild("agent", {{"target", {{"kind", "DaemonSet"}}}}));
  EXPECT_EQ(ready(waitForReason("db", "TargetNotFound")).value("message", ""),
            "StatefulSet " + ns_ + "/db not found");
  EXPECT_EQ(ready(waitForReason("agent", "TargetNotFound")).value("message", ""),
            "DaemonSet " + ns_ + "/agent not found");
  json pod_template = {{"metadata", {{"labels", {{"app", "x"}}}}},
                       {"spec", {{"containers", {{{"name", "x"}, {"image", "busybox:1"}}}}}}};
  client_->create(kube::resources::StatefulSets, ns_,
                  {{"metadata", {{"name", "db"}}},
                   {"spec",
                    {{"serviceName", "db"},
                     {"selector", {{"matchLabels", {{"app", "x"}}}}},
                     {"template", pod_template}}}});
  client_->create(kube::resources::DaemonSets, ns_,
                  {{"metadata", {{"name", "agent"}}},
                   {"spec", {{"selector", {{"matchLabels", {{"app", "x"}}}}}, {"template", pod_template}}}});
  waitForReason("db", "WebhookReady");
  waitForReason("agent", "WebhookReady");
}

TEST_F(ControllerTest, SecretWithoutTheKeyIsSecretInvalidUntilFixed) {
  auto controller = startController();
  createDeployment("web");
  client_->create(kube::resources::Secrets, ns_,
                  {{"metadata", {{"name", "mine"}}}, {"stringData", {{"token", "s3cret-value-for-tests"}}}});
  client_->create(api::AutoBuilds, ns_, autobuild("web", {{"secretRef", {{"name", "mine"}}}}));
  json ab = waitForReason("web", "SecretInvalid");
  EXPECT_EQ(ready(ab).value("message", ""), "Secret " + ns_ + "/mine has no key \"secret\"");
  EXPECT_FALSE(ab["status"].contains("webhookPath"));

  client_->patch(kube::resources::Secrets, ns_, "mine", kube::PatchType::Merge,
                 {{"stringData", {{"secret", "s3cret-value-for-tests"}}}});
  ab = waitForReason("web", "WebhookReady");
  EXPECT_EQ(ab["status"].value("webhookPath", ""),
            "/hooks/" + api::webhookId("s3cret-value-for-tests", ns_, "web"));
}

TEST_F(ControllerTest, SpecTheSchemaAcceptsButTheControllerRejectsIsInvalidSpec) {
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web", {{"source", {{"branches", {"main", "[release"}}}}}));
  json ab = waitForReason("web", "InvalidSpec");
  EXPECT_EQ(ready(ab).value("status", ""), "False");
  EXPECT_NE(ready(ab).value("message", "").find("spec.source.branches[1]"), std::string::npos)
      << ready(ab).dump();
  EXPECT_TRUE(e2e::eventually([&] { return hasEvent("web", "InvalidSpec"); }));

  client_->patch(api::AutoBuilds, ns_, "web", kube::PatchType::Merge,
                 {{"spec", {{"source", {{"branches", {"main", "release-*"}}}}}}});
  waitForReason("web", "WebhookReady");
}

TEST_F(ControllerTest, SpecTheSchemaRejectsFailsInKubectlWithTheApiServersMessage) {
  std::string manifest = autobuild("web", {{"source", {{"type", "Bitbucket"}}}}).dump();
  try {
    testenv::controlPlane().kubectl({"apply", "-n", ns_, "-f", "-"}, manifest);
    FAIL() << "kubectl accepted source type Bitbucket";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("spec.source.type"), std::string::npos) << message;
    EXPECT_NE(message.find("Unsupported value: \"Bitbucket\""), std::string::npos) << message;
  }
}

TEST_F(ControllerTest, SuspendedAutoBuild) {
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web", {{"suspend", true}}));
  json ab = waitForReason("web", "Suspended");
  EXPECT_EQ(ready(ab).value("status", ""), "False");
  client_->patch(api::AutoBuilds, ns_, "web", kube::PatchType::Merge, {{"spec", {{"suspend", false}}}});
  waitForReason("web", "WebhookReady");
}

TEST_F(ControllerTest, SecretThatCannotBeCreatedIsSecretNotFound) {
  // A quota of no more Secrets than the namespace has makes the creation fail, as RBAC or a quota would
  // in a real cluster.
  ASSERT_TRUE(e2e::eventually([&] { return !client_->list(kube::resources::Secrets, ns_).items.empty(); }));
  std::size_t existing = client_->list(kube::resources::Secrets, ns_).items.size();
  client_->create({"", "v1", "resourcequotas", "ResourceQuota", true}, ns_,
                  {{"metadata", {{"name", "no-more-secrets"}}},
                   {"spec", {{"hard", {{"secrets", std::to_string(existing)}}}}}});
  ASSERT_TRUE(e2e::eventually([&] {
    auto q = client_->get({"", "v1", "resourcequotas", "ResourceQuota", true}, ns_, "no-more-secrets");
    return q.contains("status") && q["status"].contains("used");
  }));
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web"));
  json ab = waitForReason("web", "SecretNotFound");
  std::string message = ready(ab).value("message", "");
  EXPECT_NE(message.find("Secret " + ns_ + "/web-webhook does not exist and could not be created"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("exceeded quota"), std::string::npos) << message;
}

TEST_F(ControllerTest, RotatingTheSecretChangesTheUrlWithinSeconds) {
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web"));
  std::string before = waitForReason("web", "WebhookReady")["status"].value("webhookPath", "");
  client_->patch(kube::resources::Secrets, ns_, "web-webhook", kube::PatchType::Merge,
                 {{"stringData", {{"secret", "rotated-secret-value-0123456789"}}}});
  std::string expected = "/hooks/" + api::webhookId("rotated-secret-value-0123456789", ns_, "web");
  EXPECT_NE(expected, before);
  EXPECT_TRUE(e2e::eventually(
      [&] { return getAutoBuild("web")["status"].value("webhookPath", "") == expected; }, seconds(10)));
}

TEST_F(ControllerTest, DeletedGeneratedSecretIsRecreatedWithANewValue) {
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web"));
  std::string before = waitForReason("web", "WebhookReady")["status"].value("webhookPath", "");
  std::string old_value = secretValue("web-webhook");
  client_->remove(kube::resources::Secrets, ns_, "web-webhook");
  ASSERT_TRUE(e2e::eventually([&] {
    std::string v = secretValue("web-webhook");
    return !v.empty() && v != old_value;
  }));
  std::string expected = "/hooks/" + api::webhookId(secretValue("web-webhook"), ns_, "web");
  EXPECT_TRUE(
      e2e::eventually([&] { return getAutoBuild("web")["status"].value("webhookPath", "") == expected; }));
  EXPECT_NE(expected, before);
  EXPECT_TRUE(e2e::eventually([&] { return hasEvent("web", "SecretRecreated"); }));
}

TEST_F(ControllerTest, DeletingTheAutoBuildGarbageCollectsTheGeneratedSecret) {
  auto controller = startController();
  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("web"));
  waitForReason("web", "WebhookReady");
  client_->remove(api::AutoBuilds, ns_, "web");
  EXPECT_TRUE(e2e::eventually(
      [&] {
        try {
          client_->get(kube::resources::Secrets, ns_, "web-webhook");
          return false;
        } catch (const kube::ApiError& e) {
          return e.isNotFound();
        }
      },
      seconds(60)));
}

TEST_F(ControllerTest, FiveHundredAutoBuildsCreatedAtOnceAllBecomeReady) {
  auto controller = startController({"--workers", "8"});
  createDeployment("web");
  constexpr int kCount = 500;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < kCount; i += 4) {
        json ab = autobuild("app-" + std::to_string(i), {{"target", {{"name", "web"}}}});
        client_->create(api::AutoBuilds, ns_, ab);
      }
    });
  }
  for (auto& t : writers) t.join();
  std::size_t ready_count = 0;
  EXPECT_TRUE(e2e::eventually(
      [&] {
        ready_count = 0;
        for (const auto& ab : client_->listAll(api::AutoBuilds, ns_).items) {
          json r = ready(ab);
          if (r.value("reason", "") == "WebhookReady" && !ab["status"].value("webhookPath", "").empty())
            ++ready_count;
        }
        return ready_count == kCount;
      },
      seconds(180), seconds(1)))
      << ready_count << " of " << kCount << " Ready";
}

TEST_F(ControllerTest, EventsHaveARateLimitOfTheirOwnThatNeverHoldsBackTheStatus) {
  // One Event at once, the next after 100 s: every status is written long before.
  auto controller =
      startController({"--webhook-base-url", kBaseUrl, "--event-qps", "0.01", "--event-burst", "1"});
  createDeployment("web");
  const std::vector<std::string> names{"a", "b", "c"};
  for (const auto& name : names) {
    client_->create(api::AutoBuilds, ns_, autobuild(name, {{"target", {{"name", "web"}}}}));
  }
  for (const auto& name : names) {
    EXPECT_EQ(ready(waitForReason(name, "WebhookReady")).value("status", ""), "True");
  }
  auto controller_events = [&] {
    std::size_t n = 0;
    for (const auto& e : client_->list(kube::resources::Events, ns_).items) {
      if (e["source"].value("component", "") == "autobuild-controller") ++n;
    }
    return n;
  };
  // Six were recorded (SecretCreated and WebhookReady of each); the burst lets one through.
  EXPECT_TRUE(e2e::eventually([&] { return controller_events() == 1; }));
  std::this_thread::sleep_for(seconds(2));
  EXPECT_EQ(controller_events(), 1u);
  EXPECT_EQ(controller->terminate(), 0) << controller->logs();
}

TEST_F(ControllerTest, AnEventRateThatIsNotPositiveIsRefused) {
  auto controller = startController({"--event-qps", "0"});
  EXPECT_TRUE(e2e::eventually([&] { return !controller->running(); }, seconds(10)));
  EXPECT_NE(controller->terminate(), 0);
  EXPECT_NE(controller->logs().find("--event-qps"), std::string::npos) << controller->logs();
}

TEST_F(ControllerTest, LeaderElectionOneReconcilesAndTheStandbyTakesOverWhenTheLeaderDies) {
  std::vector<std::string> le{"--leader-elect",
                              "--leader-election-namespace",
                              ns_,
                              "--leader-elect-lease-duration",
                              "4",
                              "--leader-elect-renew-deadline",
                              "3",
                              "--leader-elect-retry-period",
                              "0.5"};
  auto a = startController(le);
  auto b = startController(le);
  json lease;
  ASSERT_TRUE(e2e::eventually([&] {
    lease = client_->get(kube::resources::Leases, ns_, "autobuild-controller");
    return !lease["spec"].value("holderIdentity", "").empty();
  }));
  std::string holder = lease["spec"]["holderIdentity"];
  bool a_leads = holder.find("_" + std::to_string(a->pid())) != std::string::npos;
  bool b_leads = holder.find("_" + std::to_string(b->pid())) != std::string::npos;
  ASSERT_NE(a_leads, b_leads) << holder;
  auto& leader = a_leads ? a : b;
  auto& standby = a_leads ? b : a;

  createDeployment("web");
  client_->create(api::AutoBuilds, ns_, autobuild("one"));
  waitForReason("one", "TargetNotFound");
  EXPECT_TRUE(e2e::eventually([&] { return leader->logs().find("leading") != std::string::npos; }));
  // Info lines reach the log within a second: what the standby has not written by then it did not do.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(standby->logs().find("leading"), std::string::npos) << standby->logs();
  EXPECT_EQ(standby->logs().find("Ready="), std::string::npos) << "the standby reconciled:\n"
                                                               << standby->logs();

  leader->kill();
  std::string last_renewal =
      client_->get(kube::resources::Leases, ns_, "autobuild-controller")["spec"].value("renewTime", "");
  json taken;
  ASSERT_TRUE(e2e::eventually(
      [&] {
        taken = client_->get(kube::resources::Leases, ns_, "autobuild-controller");
        return taken["spec"].value("holderIdentity", "") != holder;
      },
      seconds(15)));
  EXPECT_NE(taken["spec"].value("holderIdentity", "").find("_" + std::to_string(standby->pid())),
            std::string::npos);
  EXPECT_EQ(taken["spec"].value("leaseTransitions", 0), lease["spec"].value("leaseTransitions", 0) + 1);
  // client-go's guarantee, read off the Lease: the standby acquires it once the lease duration (4 s) has
  // passed since it last saw the record change, which it sees within one of its waits, checking after
  // every wait; a wait is the retry period plus up to 1.2 more (client-go's jitter): 4 s + 2 x 1.1 s after
  // the last renewal, plus the round trips of the renewal and of the standby's reads, which take up to a
  // few hundred milliseconds on a loaded machine under AddressSanitizer: 0.5 s allowed for them.
  auto renewed = kube::parseRfc3339(last_renewal);
  auto acquired = kube::parseRfc3339(taken["spec"].value("acquireTime", ""));
  ASSERT_TRUE(renewed && acquired) << taken.dump();
  EXPECT_LT(*acquired - *renewed, std::chrono::milliseconds(6700)) << taken.dump();
  EXPECT_TRUE(e2e::eventually([&] { return standby->logs().find("leading") != std::string::npos; }));

  client_->create(api::AutoBuilds, ns_, autobuild("two", {{"target", {{"name", "web"}}}}));
  waitForReason("two", "WebhookReady");
  EXPECT_EQ(standby->terminate(), 0) << standby->logs();
  // Released on shutdown.
  EXPECT_EQ(
      client_->get(kube::resources::Leases, ns_, "autobuild-controller")["spec"].value("holderIdentity", ""),
      "");
}

}  // namespace
}  // namespace autobuild
