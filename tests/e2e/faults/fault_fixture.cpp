#include "tests/e2e/faults/fault_fixture.h"

#include <atomic>
#include <iostream>
#include <sstream>

#include "api/autobuild.h"
#include "api/secret_references.h"
#include "api/webhook_id.h"
#include "kube/base64.h"
#include "kube/config.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/github_push.h"
#include "tests/e2e/support/http_client.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// The end of a process's log: enough to see why it failed without drowning the test's output.
std::string logTail(const OperatorProcess& process) {
  std::string logs = process.logs();
  constexpr std::size_t kTail = 6000;
  return logs.size() > kTail ? "...\n" + logs.substr(logs.size() - kTail) : logs;
}

json readyCondition(const json& autobuild) {
  for (const auto& c : autobuild.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c;
  }
  return json::object();
}

}  // namespace

void FaultTest::SetUpTestSuite() {
  auto& cp = testenv::controlPlane();
  cp.kubectl({"apply", "-f", std::string(AUTOBUILD_SOURCE_DIR) + "/crds/"});
  cp.waitForEstablished({"autobuilds.autobuild.dev"});
}

void FaultTest::SetUp() {
  client_ = std::make_shared<kube::Client>(kube::loadKubeconfig(testenv::controlPlane().kubeconfig()));
  static std::atomic<int> counter{0};
  ns_ = "faults-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  client_->create(kube::resources::Namespaces, "", {{"metadata", {{"name", ns_}}}});
}

void FaultTest::TearDown() {
  for (auto* group : {&webhooks_, &controllers_}) {
    for (auto& instance : *group) {
      if (instance->process->running()) {
        EXPECT_EQ(instance->process->terminate(), 0) << logTail(*instance->process);
      }
    }
    group->clear();
  }
}

FaultTest::OperatorInstance& FaultTest::startWebhook(const std::vector<std::string>& extra) {
  auto& cp = testenv::controlPlane();
  const std::string name = ns_ + "-webhook-" + std::to_string(webhooks_.size());
  auto instance = std::make_unique<OperatorInstance>();
  instance->proxy = std::make_unique<ApiServerProxy>(cp, name);
  instance->port = freePort();
  std::vector<std::string> args{"--kubeconfig",     instance->proxy->kubeconfig(),
                                "--namespace",      ns_,
                                "--listen-addr",    "127.0.0.1:" + std::to_string(instance->port),
                                "--metrics-addr",   "127.0.0.1:" + std::to_string(freePort()),
                                "--kube-api-qps",   "200",
                                "--kube-api-burst", "400"};
  args.insert(args.end(), extra.begin(), extra.end());
  instance->process =
      std::make_unique<OperatorProcess>(AUTOBUILD_WEBHOOK_BIN, args, cp.dir() + "/logs/" + name + ".log");
  int port = instance->port;
  EXPECT_TRUE(
      eventually([&] { return httpRequest(port, "GET", "/readyz", {}, "").status == 200; }, seconds(60)))
      << logTail(*instance->process);
  webhooks_.push_back(std::move(instance));
  return *webhooks_.back();
}

FaultTest::OperatorInstance& FaultTest::startController(const std::vector<std::string>& extra) {
  auto& cp = testenv::controlPlane();
  const std::string name = ns_ + "-controller-" + std::to_string(controllers_.size());
  auto instance = std::make_unique<OperatorInstance>();
  instance->proxy = std::make_unique<ApiServerProxy>(cp, name);
  instance->port = freePort();
  std::vector<std::string> args{"--kubeconfig",       instance->proxy->kubeconfig(),
                                "--namespace",        ns_,
                                "--health-addr",      "127.0.0.1:" + std::to_string(instance->port),
                                "--metrics-addr",     "127.0.0.1:" + std::to_string(freePort()),
                                "--webhook-base-url", kBaseUrl,
                                "--kube-api-qps",     "200",
                                "--kube-api-burst",   "400"};
  args.insert(args.end(), extra.begin(), extra.end());
  instance->process =
      std::make_unique<OperatorProcess>(AUTOBUILD_CONTROLLER_BIN, args, cp.dir() + "/logs/" + name + ".log");
  controllers_.push_back(std::move(instance));
  return *controllers_.back();
}

std::vector<int> FaultTest::webhookPorts() const {
  std::vector<int> ports;
  for (const auto& w : webhooks_) ports.push_back(w->port);
  return ports;
}

void FaultTest::createDeployment(const std::string& name) {
  client_->create(kube::resources::Deployments, ns_, deploymentManifest(name, "app"));
}

void FaultTest::createAutoBuild(const std::string& name, const std::string& target) {
  client_->create(api::AutoBuilds, ns_,
                  {{"apiVersion", api::kApiVersion},
                   {"kind", api::kKind},
                   {"metadata", {{"name", name}}},
                   {"spec", {{"source", {{"type", "GitHub"}}}, {"target", {{"name", target}}}}}});
}

std::vector<std::string> FaultTest::createApps(const std::string& prefix, int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    std::string name = prefix + "-" + (i < 10 ? "0" : "") + std::to_string(i);
    createDeployment(name);
    createAutoBuild(name, name);
    names.push_back(name);
  }
  return names;
}

std::string FaultTest::secretOf(const std::string& autobuild) {
  return api::secretValue(client_->get(kube::resources::Secrets, ns_, autobuild + "-webhook"), "secret")
      .value;
}

std::string FaultTest::expectedPath(const std::string& autobuild) {
  return api::webhookPath(api::webhookId(secretOf(autobuild), ns_, autobuild));
}

bool FaultTest::readyWithRightUrl(const json& autobuild, std::string* why) {
  const std::string name = autobuild["metadata"].value("name", "");
  json ready = readyCondition(autobuild);
  json status = autobuild.value("status", json::object());
  std::string problem;
  if (ready.value("status", "") != "True" || ready.value("reason", "") != "WebhookReady") {
    problem = "Ready is " + ready.dump();
  } else if (status.value("observedGeneration", 0) != autobuild["metadata"].value("generation", -1)) {
    problem = "observedGeneration " + std::to_string(status.value("observedGeneration", 0)) +
              " of generation " + std::to_string(autobuild["metadata"].value("generation", -1));
  } else {
    std::string path = expectedPath(name);
    if (status.value("webhookPath", "") != path || status.value("webhookURL", "") != kBaseUrl + path) {
      problem = "URL " + status.value("webhookURL", "") + ", expected " + kBaseUrl + path;
    }
  }
  if (why) *why = problem.empty() ? "" : "AutoBuild " + name + ": " + problem;
  return problem.empty();
}

std::vector<PushTarget> FaultTest::waitUntilServed(const std::vector<std::string>& autobuilds) {
  std::string why;
  bool ready = eventually(
      [&] {
        for (const auto& name : autobuilds) {
          if (!readyWithRightUrl(client_->get(api::AutoBuilds, ns_, name), &why)) return false;
        }
        return true;
      },
      seconds(120), std::chrono::milliseconds(500));
  EXPECT_TRUE(ready) << why;
  std::vector<PushTarget> targets;
  for (const auto& name : autobuilds) {
    PushTarget target{name, expectedPath(name), secretOf(name)};
    for (std::size_t replica = 0; replica < webhooks_.size(); ++replica) {
      EXPECT_TRUE(eventually([&] { return serves(static_cast<int>(replica), target.path); }, seconds(60)))
          << "webhook replica " << replica << " never served " << name;
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

bool FaultTest::serves(int replica, const std::string& path) {
  return httpRequest(webhooks_.at(static_cast<std::size_t>(replica))->port, "POST", path,
                     {{"Content-Type", "application/json"}}, "{}")
             .status != 404;
}

PushOutcome FaultTest::pushTo(int replica, const std::string& autobuild) {
  std::string sha = randomHex(40);
  std::string path = client_->get(api::AutoBuilds, ns_, autobuild)["status"].value("webhookPath", "");
  PushOutcome outcome =
      postPush(webhooks_.at(static_cast<std::size_t>(replica))->port, path,
               signedGitHubPush(secretOf(autobuild), sha, "check " + sha + " @deploy"), seconds(60));
  outcome.autobuild = autobuild;
  outcome.revision = sha;
  outcome.replica = outcome.status != 0 ? replica : -1;
  return outcome;
}

FaultTest::WatchedChanges FaultTest::changeWatchedObjects(const std::string& deleted,
                                                          const std::string& rotated,
                                                          const std::string& created,
                                                          const std::string& target) {
  WatchedChanges changes{
      deleted, client_->get(api::AutoBuilds, ns_, deleted)["status"].value("webhookPath", ""), rotated,
      client_->get(api::AutoBuilds, ns_, rotated)["status"].value("webhookPath", ""), created};
  client_->remove(api::AutoBuilds, ns_, deleted);
  client_->patch(kube::resources::Secrets, ns_, rotated + "-webhook", kube::PatchType::Merge,
                 {{"data", {{"secret", kube::base64Encode(randomHex(64))}}}});
  createAutoBuild(created, target);
  return changes;
}

void FaultTest::expectCachesConverged(const WatchedChanges& changes) {
  for (std::size_t replica = 0; replica < webhooks_.size(); ++replica) {
    int r = static_cast<int>(replica);
    EXPECT_TRUE(eventually([&] { return !serves(r, changes.deleted_path); }, seconds(90)))
        << "webhook replica " << r << " still serves the deleted AutoBuild " << changes.deleted;
    EXPECT_TRUE(eventually([&] { return !serves(r, changes.rotated_old_path); }, seconds(90)))
        << "webhook replica " << r << " still serves " << changes.rotated
        << "'s path from before the rotation";
  }
  for (const auto& name : {changes.rotated, changes.created}) {
    std::string why;
    EXPECT_TRUE(eventually([&] { return readyWithRightUrl(client_->get(api::AutoBuilds, ns_, name), &why); },
                           seconds(90)))
        << why;
    for (std::size_t replica = 0; replica < webhooks_.size(); ++replica) {
      PushOutcome last;
      EXPECT_TRUE(eventually(
          [&] {
            last = pushTo(static_cast<int>(replica), name);
            return last.status == 202;
          },
          seconds(90), std::chrono::milliseconds(500)))
          << "webhook replica " << replica << " never rolled " << name << " out: " << last.status << " "
          << last.error;
    }
  }
}

void FaultTest::expectAnswersMatchRollouts(const std::string& what, const std::vector<PushOutcome>& outcomes,
                                           RevisionLog& log, const std::vector<std::string>& deployments) {
  ASSERT_TRUE(log.catchUp(seconds(60))) << "the watch of Deployments never caught up";
  EXPECT_EQ(log.gap(), "") << "the watch of Deployments missed events: the count below cannot be trusted";

  std::map<std::string, const PushOutcome*> by_revision;
  std::set<std::string> accepted;
  std::map<std::string, int> codes;  // "503 APIUnavailable" -> count
  int unanswered = 0;
  for (const auto& o : outcomes) {
    by_revision[o.revision] = &o;
    if (o.status == 0) {
      ++unanswered;
      ADD_FAILURE() << what << ": delivery of " << o.revision << " to " << o.autobuild
                    << " got no answer: " << o.error;
      continue;
    }
    ++codes[std::to_string(o.status) + " " + o.reason];
    if (o.status == 202) {
      EXPECT_EQ(o.result, "RolledOut") << o.error;
      accepted.insert(o.revision);
    } else if (o.status >= 500 || o.status == 429) {
      EXPECT_FALSE(o.retry_after.empty()) << what << ": " << o.status << " without Retry-After: " << o.error;
    } else if (o.status == 200) {
      EXPECT_EQ(o.result, "Ignored") << o.error;
    } else {
      ADD_FAILURE() << what << ": delivery to " << o.autobuild << " answered " << o.status
                    << ", neither 202 nor retryable nor Ignored: " << o.error;
    }
  }

  auto seen = log.revisions();
  std::set<std::string> rolled;
  for (const auto& d : deployments) rolled.insert(seen[d].begin(), seen[d].end());
  for (const auto& revision : accepted) {
    EXPECT_TRUE(rolled.count(revision)) << what << ": 202 for " << revision << " ("
                                        << by_revision[revision]->autobuild << ") but it never rolled out";
  }
  for (const auto& revision : rolled) {
    if (accepted.count(revision)) continue;
    auto it = by_revision.find(revision);
    ADD_FAILURE() << what << ": " << revision << " rolled out without a 202: "
                  << (it == by_revision.end()
                          ? std::string("no delivery carried it")
                          : "answered " + std::to_string(it->second->status) + " " + it->second->error);
  }

  // Counted a second way: each rollout is one change of the pod template, one step of the generation.
  long long generations_moved = 0;
  for (const auto& d : deployments) {
    generations_moved +=
        client_->get(kube::resources::Deployments, ns_, d)["metadata"].value("generation", 1) - 1;
  }
  EXPECT_EQ(generations_moved, static_cast<long long>(accepted.size()))
      << what << ": the Deployments' generations moved " << generations_moved << " times for "
      << accepted.size() << " answers 202";

  // And the workload controller rolled each Deployment to its last revision: a ReplicaSet carries it.
  std::string missing;
  EXPECT_TRUE(eventually(
      [&] {
        std::set<std::string> replica_set_revisions;
        for (const auto& rs : client_->list(kube::resources::ReplicaSets, ns_).items) {
          replica_set_revisions.insert(rs["spec"]["template"]["metadata"]
                                           .value("annotations", json::object())
                                           .value("autobuild.dev/revision", ""));
        }
        for (const auto& d : deployments) {
          std::string current =
              client_->get(kube::resources::Deployments, ns_, d)["spec"]["template"]["metadata"]
                  .value("annotations", json::object())
                  .value("autobuild.dev/revision", "");
          if (!current.empty() && !replica_set_revisions.count(current)) {
            missing = d + " at " + current;
            return false;
          }
        }
        return true;
      },
      seconds(60), std::chrono::milliseconds(500)))
      << what << ": no ReplicaSet for " << missing;

  std::ostringstream summary;
  summary << what << ": " << outcomes.size() << " deliveries;";
  for (const auto& [code, count] : codes) summary << " " << code << ": " << count << ";";
  summary << " unanswered: " << unanswered << "; rollouts seen: " << rolled.size()
          << "; generations moved: " << generations_moved;
  std::cout << "[ numbers  ] " << summary.str() << std::endl;
  RecordProperty(what, summary.str());
}

std::map<std::string, int> FaultTest::listsSince(const OperatorInstance& instance, Clock::time_point since) {
  std::map<std::string, int> lists;
  for (const auto& r : instance.proxy->requests()) {
    if (r.at >= since && r.isList()) ++lists[r.resource()];
  }
  return lists;
}

std::set<std::string> FaultTest::watchedBefore(const OperatorInstance& instance, Clock::time_point before) {
  std::set<std::string> watched;
  for (const auto& r : instance.proxy->requests()) {
    if (r.at < before && r.isWatch()) watched.insert(r.resource());
  }
  return watched;
}

}  // namespace autobuild::e2e
