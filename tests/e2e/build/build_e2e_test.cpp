// Builds end to end (SPEC section 6): a signed push to an AutoBuild with spec.build creates the build Job,
// and the Job's outcome decides the rollout. The test control plane has no kubelet, so build pods never
// run: the tests write the Job's status subresource as the Job controller would when the build ends.
#include <random>

#include "api/autobuild.h"
#include "kube/rfc3339.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/github_push.h"
#include "tests/e2e/support/operator_fixture.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;

constexpr const char* kImage = "registry.example.com/acme/web";
const kube::Resource kResourceQuotas{"", "v1", "resourcequotas", "ResourceQuota", true};

json buildSpec(int history_limit = 5) {
  return {{"source", {{"type", "GitHub"}, {"repository", "acme/web"}}},
          {"target", {{"name", "web"}, {"container", "web"}}},
          {"build",
           {{"image", kImage},
            {"timeout", "20m"},
            {"historyLimit", history_limit},
            {"template",
             {{"spec",
               {{"containers",
                 {{{"name", "build"},
                   {"image", "moby/buildkit:rootless"},
                   {"command", {"buildctl-daemonless.sh"}},
                   {"args",
                    {"build", "--frontend", "dockerfile.v0", "--opt", "context=$(GIT_URL)#$(GIT_REVISION)",
                     "--output", "type=image,name=$(IMAGE),push=true"}}}}}}}}}}}};
}

std::string envOf(const json& container, const std::string& name) {
  for (const auto& var : container.value("env", json::array())) {
    if (var.value("name", "") == name) return var.value("value", "");
  }
  return "";
}

class BuildTest : public OperatorFixture {
 protected:
  void SetUp() override {
    OperatorFixture::SetUp();
    createWorkload("Deployment", "web", {{"web", std::string(kImage) + ":1.0"}});
    ASSERT_TRUE(eventually([&] { return replicaSets("web").size() == 1; }));
  }

  HttpReply push(const std::string& secret, const std::string& sha, int replica = 0) {
    SignedPush p = signedGitHubPush(secret, sha, "fix login @deploy");
    return post(webhookPath("web"), p.headers, p.body, replica);
  }

  static std::string jobName(const std::string& sha) { return "web-" + sha.substr(0, 12); }

  std::vector<json> jobs() {
    kube::ListOptions options;
    options.label_selector = "autobuild.dev/autobuild=web";
    return client()->list(kube::resources::Jobs, ns_, options).items;
  }

  // Writes the Job's final status as the Job controller does when its pod succeeds or fails. The test
  // control plane runs no Job controller (no kubelet would run the pod), so this plays it whole: the
  // startTime too when the Job has none. Conditional on the resourceVersion, like any status write.
  void finishJob(const std::string& name, bool success, const std::string& reason = "",
                 const std::string& message = "") {
    ASSERT_TRUE(eventually([&] {
      json job = client()->get(kube::resources::Jobs, ns_, name);
      const auto status = job.value("status", json::object());
      job["status"] = finalStatus(status.value("startTime", kube::nowRfc3339()), success, reason, message);
      client()->update(kube::resources::Jobs, ns_, job, "status");
      return true;
    })) << "could not write the final status of Job "
        << name;
  }

  static json finalStatus(const std::string& started, bool success, const std::string& reason,
                          const std::string& message) {
    const std::string now = kube::nowRfc3339();
    auto condition = [&](const char* type, const std::string& why, const std::string& text) {
      return json{{"type", type},    {"status", "True"},     {"reason", why},
                  {"message", text}, {"lastProbeTime", now}, {"lastTransitionTime", now}};
    };
    json status = {{"startTime", started}, {"active", 0}, {"ready", 0}};
    if (success) {
      const std::string text = "Reached expected number of succeeded pods";
      status["succeeded"] = 1;
      status["completionTime"] = now;
      status["conditions"] = {condition("SuccessCriteriaMet", "CompletionsReached", text),
                              condition("Complete", "CompletionsReached", text)};
    } else {
      status["failed"] = 1;
      status["conditions"] = {condition("FailureTarget", reason, message),
                              condition("Failed", reason, message)};
    }
    return status;
  }

  json autobuild() { return client()->get(api::AutoBuilds, ns_, "web"); }

  bool lastTriggerIs(const std::string& result, const std::string& sha) {
    return eventually([&] {
      json last = autobuild()["status"].value("lastTrigger", json::object());
      return last.value("result", "") == result && last.value("revision", "") == sha;
    });
  }

  // The message of an Event on the AutoBuild with `reason`, "" when none came.
  std::string eventMessage(const std::string& reason) {
    std::string message;
    eventually([&] {
      for (const auto& e : client()->list(kube::resources::Events, ns_).items) {
        if (e.value("reason", "") == reason && e["involvedObject"].value("kind", "") == "AutoBuild") {
          message = e.value("message", "");
          return true;
        }
      }
      return false;
    });
    return message;
  }

  std::string containerImage() {
    return getWorkload("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"];
  }
};

TEST_F(BuildTest, APushCreatesTheBuildJobAndAnswersBuildStarted) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  HttpReply reply = push(secret, sha);
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.json()["result"], "BuildStarted");
  EXPECT_EQ(reply.json()["reason"], "BuildStarted");
  EXPECT_EQ(reply.json()["revision"], sha);

  json job = client()->get(kube::resources::Jobs, ns_, jobName(sha));
  json ab = autobuild();
  EXPECT_EQ(job["metadata"]["labels"]["autobuild.dev/autobuild"], "web");
  EXPECT_EQ(job["metadata"]["labels"]["autobuild.dev/revision"], sha.substr(0, 12));
  const json& owner = job["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "AutoBuild");
  EXPECT_EQ(owner["uid"], ab["metadata"]["uid"]);
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(job["spec"]["activeDeadlineSeconds"], 1200);
  const json& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(envOf(pod["containers"][0], "GIT_URL"), "https://git.example.com/acme/web.git");
  EXPECT_EQ(envOf(pod["containers"][0], "GIT_REVISION"), sha);
  EXPECT_EQ(envOf(pod["containers"][0], "GIT_BRANCH"), "main");
  EXPECT_EQ(envOf(pod["containers"][0], "IMAGE"), std::string(kImage) + ":" + sha.substr(0, 12));

  EXPECT_TRUE(lastTriggerIs("BuildStarted", sha)) << autobuild().dump();
  EXPECT_NE(eventMessage("BuildStarted").find(jobName(sha)), std::string::npos);
  EXPECT_TRUE(eventually([&] {
    json build = autobuild()["status"].value("build", json::object());
    return build.value("current", json::object()).value("jobName", "") == jobName(sha) &&
           build["current"].value("phase", "") == "Running";
  })) << autobuild().dump();
  EXPECT_EQ(containerImage(), std::string(kImage) + ":1.0") << "nothing rolls out before the build ends";
}

TEST_F(BuildTest, ARedeliveryToAnotherReplicaCreatesNothing) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  SignedPush p = signedGitHubPush(secret, sha, "fix login @deploy");
  ASSERT_EQ(post(webhookPath("web"), p.headers, p.body, 0).status, 202);
  HttpReply again = post(webhookPath("web"), p.headers, p.body, 1);
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.json()["result"], "BuildStarted");
  EXPECT_NE(again.json()["message"].get<std::string>().find("exists already"), std::string::npos);
  EXPECT_EQ(jobs().size(), 1u);
}

TEST_F(BuildTest, ASucceededBuildRollsTheImageOut) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  ASSERT_EQ(push(secret, sha).status, 202);
  finishJob(jobName(sha), true);

  const std::string image = std::string(kImage) + ":" + sha.substr(0, 12);
  EXPECT_TRUE(eventually([&] { return containerImage() == image; })) << autobuild().dump();
  EXPECT_TRUE(eventually([&] {
    for (const auto& rs : replicaSets("web")) {
      if (rs["spec"]["template"]["spec"]["containers"][0]["image"] == image) return true;
    }
    return false;
  }));
  EXPECT_EQ(templateRevision("Deployment", "web"), sha);
  EXPECT_TRUE(lastTriggerIs("RolledOut", sha)) << autobuild().dump();
  EXPECT_NE(eventMessage("Triggered").find(jobName(sha)), std::string::npos);
  EXPECT_TRUE(eventually([&] {
    json build = autobuild()["status"].value("build", json::object());
    return !build.contains("current") &&
           build.value("last", json::object()).value("phase", "") == "Succeeded";
  })) << autobuild().dump();
}

class FailedBuildTest : public BuildTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(FailedBuildTest, RollsNothingOutAndSaysWhy) {
  const std::string reason = GetParam();
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  ASSERT_EQ(push(secret, sha).status, 202);
  finishJob(jobName(sha), false, reason, "the build did not finish: " + reason);

  EXPECT_TRUE(lastTriggerIs("Failed", sha)) << autobuild().dump();
  std::string message = autobuild()["status"]["lastTrigger"].value("message", "");
  EXPECT_NE(message.find(reason), std::string::npos) << message;
  std::string event = eventMessage("BuildFailed");
  EXPECT_NE(event.find(reason), std::string::npos) << event;
  EXPECT_NE(event.find("kubectl logs job/" + jobName(sha) + " -n " + ns_), std::string::npos) << event;
  EXPECT_TRUE(eventually([&] {
    return autobuild()["status"]["build"]["last"].value("phase", "") == "Failed";
  })) << autobuild().dump()
      << "\nJob: " << client()->get(kube::resources::Jobs, ns_, jobName(sha)).dump();
  EXPECT_EQ(containerImage(), std::string(kImage) + ":1.0");
  EXPECT_EQ(templateRevision("Deployment", "web"), "");
  EXPECT_EQ(replicaSets("web").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(FailureAndTimeout, FailedBuildTest,
                         ::testing::Values("BackoffLimitExceeded", "DeadlineExceeded"));

TEST_F(BuildTest, ANewerRevisionCancelsTheOlderBuild) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string older = randomHex(40);
  std::string newer = randomHex(40);
  ASSERT_EQ(push(secret, older).status, 202);
  HttpReply reply = push(secret, newer);
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_NE(reply.json()["message"].get<std::string>().find(jobName(older)), std::string::npos) << reply.body;
  EXPECT_TRUE(eventually([&] {
    auto all = jobs();
    return all.size() == 1 && all[0]["metadata"]["name"] == jobName(newer);
  })) << "the older Job is deleted";
}

TEST_F(BuildTest, FinishedJobsBeyondTheHistoryLimitAreDeleted) {
  std::string secret = createAutoBuild("web", buildSpec(1));
  std::string first = randomHex(40);
  std::string second = randomHex(40);
  ASSERT_EQ(push(secret, first).status, 202);
  finishJob(jobName(first), true);
  ASSERT_TRUE(lastTriggerIs("RolledOut", first));
  ASSERT_EQ(push(secret, second).status, 202);
  finishJob(jobName(second), false, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  EXPECT_TRUE(eventually([&] {
    auto all = jobs();
    return all.size() == 1 && all[0]["metadata"]["name"] == jobName(second);
  })) << "the oldest finished Job goes";
  EXPECT_TRUE(lastTriggerIs("Failed", second));
}

TEST_F(BuildTest, AJobTheApiServerRefusesIsAnErrorAndStartsNothing) {
  std::string secret = createAutoBuild("web", buildSpec());
  client()->create(kResourceQuotas, ns_,
                   {{"metadata", {{"name", "no-jobs"}}}, {"spec", {{"hard", {{"count/jobs.batch", "0"}}}}}});
  // Once the API server enforces the quota, a Job of anyone else is refused too.
  json probe = {
      {"metadata", {{"name", "probe"}}},
      {"spec",
       {{"template",
         {{"spec",
           {{"restartPolicy", "Never"}, {"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}}}}}};
  ASSERT_TRUE(eventually([&] {
    try {
      client()->create(kube::resources::Jobs, ns_, probe);
    } catch (const kube::ApiError& e) {
      return e.isForbidden();
    }
    client()->remove(kube::resources::Jobs, ns_, "probe", kube::Propagation::Background);
    return false;
  }));
  std::string sha = randomHex(40);
  HttpReply reply = push(secret, sha);
  ASSERT_EQ(reply.status, 500) << reply.body;
  EXPECT_EQ(reply.json()["result"], "Failed");
  std::string message = reply.json()["message"];
  EXPECT_NE(message.find("start the build of " + ns_ + "/web"), std::string::npos) << message;
  EXPECT_NE(message.find("403"), std::string::npos) << message;
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(containerImage(), std::string(kImage) + ":1.0");
}

TEST_F(BuildTest, ASucceededBuildWhoseTargetIsGoneRollsNothingOutAndSaysWhy) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  ASSERT_EQ(push(secret, sha).status, 202);
  client()->remove(kube::resources::Deployments, ns_, "web");
  finishJob(jobName(sha), true);
  EXPECT_TRUE(lastTriggerIs("Failed", sha)) << autobuild().dump();
  std::string event = eventMessage("TriggerRejected");
  EXPECT_NE(event.find(jobName(sha)), std::string::npos) << event;
  EXPECT_NE(event.find("nothing rolled out"), std::string::npos) << event;
}

TEST_F(BuildTest, AControllerRestartedMidBuildFinishesTheRollout) {
  std::string secret = createAutoBuild("web", buildSpec());
  std::string sha = randomHex(40);
  ASSERT_EQ(push(secret, sha).status, 202);
  restartController([&] { finishJob(jobName(sha), true); });
  EXPECT_TRUE(eventually([&] { return containerImage() == std::string(kImage) + ":" + sha.substr(0, 12); },
                         std::chrono::seconds(60)))
      << autobuild().dump();
  EXPECT_TRUE(lastTriggerIs("RolledOut", sha)) << autobuild().dump();
}

}  // namespace
}  // namespace autobuild::e2e
