// autobuild-webhook end to end (SPEC sections 3 and 4): deliveries shaped as each provider sends them,
// against real processes and a real control plane whose controller-manager turns a patched Deployment
// into a new ReplicaSet.
#include <random>
#include <thread>

#include "api/autobuild.h"
#include "kube/base64.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/operator_fixture.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

std::string uuid() {
  std::string h = randomHex(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

// A delivery as the provider would send it for a push of `sha` to main with `message`.
struct Delivery {
  Headers headers;
  std::string body;
};

Delivery gitPush(const std::string& source, const std::string& secret, const std::string& sha,
                 const std::string& message, const std::string& branch = "main") {
  json commit = {{"id", sha},
                 {"message", message},
                 {"timestamp", "2026-11-23T10:00:00Z"},
                 {"author", {{"name", "Ada"}}}};
  json repo = {{"full_name", "acme/web"}, {"clone_url", "https://git.example.com/acme/web.git"}};
  json body = {{"ref", "refs/heads/" + branch},
               {"before", std::string(40, '0')},
               {"after", sha},
               {"repository", repo},
               {"commits", {commit}}};
  Headers h{{"Content-Type", "application/json"}};
  if (source == "GitHub") {
    body["head_commit"] = commit;
    std::string raw = body.dump();
    h.insert(h.end(), {{"X-GitHub-Event", "push"},
                       {"X-GitHub-Delivery", uuid()},
                       {"X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, raw)}});
    return {h, raw};
  }
  if (source == "GitLab") {
    body.erase("repository");
    body["object_kind"] = "push";
    body["checkout_sha"] = sha;
    body["project"] = {{"path_with_namespace", "acme/web"},
                       {"git_http_url", "https://git.example.com/acme/web.git"}};
    body["repository"] = {{"name", "web"}, {"git_http_url", "https://git.example.com/acme/web.git"}};
    h.insert(h.end(),
             {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", secret}, {"X-Gitlab-Event-UUID", uuid()}});
    return {h, body.dump()};
  }
  if (source == "Gitee") {
    body["head_commit"] = commit;
    std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
    h.insert(h.end(), {{"X-Gitee-Event", "Push Hook"},
                       {"X-Gitee-Timestamp", ts},
                       {"X-Gitee-Token", hmacSha256Base64(secret, ts + "\n" + secret)}});
    return {h, body.dump()};
  }
  // Gogs and Gitea sign the same way under their own header names.
  std::string raw = body.dump();
  std::string prefix = source == "Gogs" ? "X-Gogs-" : "X-Gitea-";
  h.insert(h.end(), {{prefix + "Event", "push"},
                     {prefix + "Delivery", uuid()},
                     {prefix + "Signature", hmacSha256Hex(secret, raw)}});
  return {h, raw};
}

class WebhookTest : public OperatorFixture {
 protected:
  // Waits for the Deployment's controller to create a ReplicaSet whose template carries `revision`.
  bool replicaSetWithRevision(const std::string& deployment, const std::string& revision) {
    return eventually([&] {
      for (const auto& rs : replicaSets(deployment)) {
        if (rs["spec"]["template"]["metadata"]
                .value("annotations", json::object())
                .value("autobuild.dev/revision", "") == revision) {
          return true;
        }
      }
      return false;
    });
  }
};

class GitSourceTest : public WebhookTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(GitSourceTest, ASignedPushWithTheKeywordRollsTheDeploymentOut) {
  const std::string source = GetParam();
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  ASSERT_TRUE(eventually([&] { return replicaSets("web").size() == 1; }));
  std::string secret = createAutoBuild("web", {{"source", {{"type", source}, {"repository", "acme/web"}}}});
  std::string sha = randomHex(40);

  Delivery d = gitPush(source, secret, sha, "fix login ✓ @deploy\n\nlonger description");
  HttpReply reply = post(webhookPath("web"), d.headers, d.body);
  ASSERT_EQ(reply.status, 202) << reply.body;
  json answer = reply.json();
  EXPECT_EQ(answer["result"], "RolledOut");
  EXPECT_EQ(answer["autobuild"], ns_ + "/web");
  EXPECT_EQ(answer["revision"], sha);

  EXPECT_TRUE(replicaSetWithRevision("web", sha));
  EXPECT_EQ(replicaSets("web").size(), 2u);
  auto tmpl = getWorkload("Deployment", "web")["spec"]["template"];
  EXPECT_EQ(
      tmpl["metadata"]["annotations"]["autobuild.dev/trigger"].get<std::string>().rfind(source + "/", 0), 0u);
  EXPECT_FALSE(tmpl["metadata"]["annotations"].value("autobuild.dev/triggered-at", "").empty());
  EXPECT_EQ(tmpl["spec"]["containers"][0]["image"], "registry.example.com/acme/web:1.0")
      << "a git push keeps the image";

  json ab = client()->get(api::AutoBuilds, ns_, "web");
  ASSERT_TRUE(eventually([&] {
    ab = client()->get(api::AutoBuilds, ns_, "web");
    return ab["status"].value("triggerCount", 0) == 1;
  })) << ab.dump();
  EXPECT_EQ(ab["status"]["lastTrigger"]["result"], "RolledOut");
  EXPECT_EQ(ab["status"]["lastTrigger"]["revision"], sha);
  EXPECT_EQ(ab["status"]["lastTrigger"]["source"], source);
  EXPECT_EQ(ab["status"]["lastTrigger"]["branch"], "main");
  EXPECT_EQ(ab["status"]["lastTrigger"]["message"], "fix login ✓ @deploy");
  EXPECT_TRUE(eventually([&] {
    for (const auto& e : client()->list(kube::resources::Events, ns_).items) {
      if (e["involvedObject"].value("name", "") == "web" && e.value("reason", "") == "Triggered") return true;
    }
    return false;
  }));

  // The same push again (a new delivery of the same commit) rolls out nothing.
  Delivery again = gitPush(source, secret, sha, "fix login ✓ @deploy");
  reply = post(webhookPath("web"), again.headers, again.body);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["reason"], "AlreadyAtRevision") << reply.body;
}

INSTANTIATE_TEST_SUITE_P(Sources, GitSourceTest,
                         ::testing::Values("GitHub", "GitLab", "Gitee", "Gogs", "Gitea"));

TEST_F(WebhookTest, DockerHubPushChangesOnlyTheNamedContainersImageAndKeepsTheRegistryHost) {
  createWorkload("Deployment", "web",
                 {{"sidecar", "registry.example.com:5000/acme/proxy:7"},
                  {"web", "registry.example.com:5000/acme/web:1.0"}});
  createAutoBuild("web", {{"source", {{"type", "DockerHub"}, {"repository", "acme/web"}, {"tags", {"1.*"}}}},
                          {"target", {{"container", "web"}}}});
  json body = {{"push_data", {{"tag", "1.1"}, {"pushed_at", 1763892000}, {"pusher", "ada"}}},
               {"repository", {{"repo_name", "acme/web"}, {"namespace", "acme"}, {"name", "web"}}}};
  HttpReply reply = post(webhookPath("web"), {{"Content-Type", "application/json"}}, body.dump());
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.json()["revision"], "acme/web:1.1@1763892000");
  auto containers = getWorkload("Deployment", "web")["spec"]["template"]["spec"]["containers"];
  EXPECT_EQ(containers[0]["image"], "registry.example.com:5000/acme/proxy:7");
  EXPECT_EQ(containers[1]["image"], "registry.example.com:5000/acme/web:1.1");
  EXPECT_TRUE(replicaSetWithRevision("web", "acme/web:1.1@1763892000"));

  // A tag outside spec.source.tags is ignored.
  body["push_data"]["tag"] = "2.0";
  reply = post(webhookPath("web"), {{"Content-Type", "application/json"}}, body.dump());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["reason"], "TagNotMatched") << reply.body;
}

TEST_F(WebhookTest, ApiTriggerWithTheSecretKeyRollsOut) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {{"source", {{"type", "API"}}}});
  HttpReply reply = post(webhookPath("web"), {{"Content-Type", "application/json"}},
                         json{{"secret_key", secret}, {"revision", "build-42"}, {"tag", "1.2"}}.dump());
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.json()["revision"], "build-42");
  EXPECT_TRUE(replicaSetWithRevision("web", "build-42"));
  EXPECT_EQ(getWorkload("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["image"],
            "registry.example.com/acme/web:1.2");

  reply =
      post(webhookPath("web"), {{"Content-Type", "application/json"}}, json{{"secret_key", "wrong"}}.dump());
  EXPECT_EQ(reply.status, 401) << reply.body;
}

TEST_F(WebhookTest, StatefulSetAndDaemonSetTargetsRollOut) {
  createWorkload("StatefulSet", "db", {{"db", "registry.example.com/acme/db:1"}});
  createWorkload("DaemonSet", "agent", {{"agent", "registry.example.com/acme/agent:1"}});
  std::string db_secret = createAutoBuild("db", {{"target", {{"kind", "StatefulSet"}}}});
  std::string agent_secret = createAutoBuild("agent", {{"target", {{"kind", "DaemonSet"}}}});
  for (auto [name, kind, secret] :
       {std::tuple{"db", "StatefulSet", db_secret}, std::tuple{"agent", "DaemonSet", agent_secret}}) {
    std::string sha = randomHex(40);
    Delivery d = gitPush("GitHub", secret, sha, "ship it @deploy");
    HttpReply reply = post(webhookPath(name), d.headers, d.body);
    EXPECT_EQ(reply.status, 202) << kind << ": " << reply.body;
    EXPECT_EQ(templateRevision(kind, name), sha) << kind;
    // The workload's controller sees a new template: its generation moved on.
    EXPECT_EQ(getWorkload(kind, name)["metadata"].value("generation", 0), 2) << kind;
  }
}

TEST_F(WebhookTest, ScaledToZeroTargetAnswers409AndChangesNothing) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}}, 0);
  std::string secret = createAutoBuild("web", {});
  std::string before = getWorkload("Deployment", "web")["metadata"].value("resourceVersion", "");
  Delivery d = gitPush("GitHub", secret, randomHex(40), "ship @deploy");
  HttpReply reply = post(webhookPath("web"), d.headers, d.body);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.json()["reason"], "TargetNotRunning");
  EXPECT_EQ(reply.json()["message"], "Deployment " + ns_ + "/web is not running: it is scaled to 0 replicas");
  EXPECT_EQ(getWorkload("Deployment", "web")["metadata"].value("resourceVersion", ""), before);
}

TEST_F(WebhookTest, PausedTargetAnswers409) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  client()->patch(kube::resources::Deployments, ns_, "web", kube::PatchType::Merge,
                  {{"spec", {{"paused", true}}}});
  std::string secret = createAutoBuild("web", {});
  Delivery d = gitPush("GitHub", secret, randomHex(40), "ship @deploy");
  HttpReply reply = post(webhookPath("web"), d.headers, d.body);
  EXPECT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(reply.json()["message"], "Deployment " + ns_ + "/web is not running: its rollout is paused");
}

TEST_F(WebhookTest, TheSameDeliveryToTwoReplicasRollsOutOnce) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  ASSERT_TRUE(eventually([&] { return replicaSets("web").size() == 1; }));
  std::string sha = randomHex(40);
  Delivery d = gitPush("GitHub", secret, sha, "ship @deploy");
  std::string path = webhookPath("web");
  HttpReply a, b;
  std::thread ta([&] { a = post(path, d.headers, d.body, 0); });
  std::thread tb([&] { b = post(path, d.headers, d.body, 1); });
  ta.join();
  tb.join();
  EXPECT_EQ((a.status == 202) + (b.status == 202), 1) << a.body << "\n" << b.body;
  EXPECT_EQ((a.status == 200) + (b.status == 200), 1) << a.body << "\n" << b.body;
  EXPECT_TRUE(replicaSetWithRevision("web", sha));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(replicaSets("web").size(), 2u) << "one rollout, one new ReplicaSet";
  EXPECT_EQ(getWorkload("Deployment", "web")["metadata"].value("generation", 0), 2);

  // The same replica again: its delivery log answers Duplicate.
  HttpReply c = post(path, d.headers, d.body, a.status == 202 ? 0 : 1);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(c.json()["reason"], "Duplicate") << c.body;
}

TEST_F(WebhookTest, AConcurrentEditOfAnotherFieldSurvivesTriggers) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  std::atomic<bool> stop{false};
  std::atomic<int> edits{0};
  std::thread editor([&] {
    while (!stop) {
      int n = ++edits;
      client()->patch(
          kube::resources::Deployments, ns_, "web", kube::PatchType::StrategicMerge,
          {{"spec", {{"template", {{"metadata", {{"annotations", {{"team/edit", std::to_string(n)}}}}}}}}}});
      // Someone else's edits, 50 a second: many land between a trigger's read and its patch.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::string sha;
  for (int i = 0; i < 5; ++i) {
    sha = randomHex(40);
    Delivery d = gitPush("GitHub", secret, sha, "ship @deploy");
    HttpReply reply = post(webhookPath("web"), d.headers, d.body, i % 2);
    EXPECT_EQ(reply.status, 202) << reply.body;
  }
  stop = true;
  editor.join();
  auto annotations = getWorkload("Deployment", "web")["spec"]["template"]["metadata"]["annotations"];
  EXPECT_EQ(annotations.value("autobuild.dev/revision", ""), sha);
  EXPECT_EQ(annotations.value("team/edit", ""), std::to_string(edits.load()))
      << "the last edit by someone else survived";
}

TEST_F(WebhookTest, ApiServerStoppedMidRequestAnswers503AndTheRetryAfterItSucceeds) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  std::string path = webhookPath("web");
  std::string sha = randomHex(40);
  Delivery d = gitPush("GitHub", secret, sha, "ship @deploy");

  testenv::controlPlane().stopApiServer();
  HttpReply reply = post(path, d.headers, d.body);
  testenv::controlPlane().startApiServer();
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.headers["retry-after"].empty());
  EXPECT_EQ(reply.json()["result"], "Failed");
  EXPECT_NE(reply.json().value("message", "").find("nothing was changed"), std::string::npos) << reply.body;
  EXPECT_EQ(templateRevision("Deployment", "web"), "");

  // The provider's redelivery (same delivery id) is handled, not taken for a duplicate.
  HttpReply retry;
  ASSERT_TRUE(eventually([&] {
    retry = post(path, d.headers, d.body);
    return retry.status != 503;
  }));
  EXPECT_EQ(retry.status, 202) << retry.body;
  EXPECT_EQ(templateRevision("Deployment", "web"), sha);
}

// Every row of SPEC section 3's response table, each with its exact code and message.
TEST_F(WebhookTest, BadRequestsGetTheirCodeAndChangeNothing) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  ASSERT_TRUE(eventually([&] { return replicaSets("web").size() == 1; }));
  std::string secret = createAutoBuild("web", {{"source", {{"repository", "acme/web"}}}});
  std::string path = webhookPath("web");
  auto signedHeaders = [&](const std::string& body) {
    return Headers{{"Content-Type", "application/json"},
                   {"X-GitHub-Event", "push"},
                   {"X-GitHub-Delivery", uuid()},
                   {"X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, body)}};
  };
  std::string good = gitPush("GitHub", secret, randomHex(40), "x @deploy").body;

  // 404: unknown ids, all with the same body.
  HttpReply unknown1 = post("/hooks/" + std::string(40, 'a'), signedHeaders(good), good);
  HttpReply unknown2 = post("/hooks/short", signedHeaders(good), good);
  HttpReply unknown3 = post(path + "/", signedHeaders(good), good);
  HttpReply unknown4 = post("/hooks/../metrics", signedHeaders(good), good);
  HttpReply unknown5 = post("/hooks/%2e%2e/healthz", signedHeaders(good), good);
  for (const auto* r : {&unknown1, &unknown2, &unknown3, &unknown4, &unknown5}) {
    EXPECT_EQ(r->status, 404) << r->body;
    EXPECT_EQ(r->body, unknown1.body);
  }
  EXPECT_EQ(unknown1.json()["message"], "no webhook at this URL");

  // 401: wrong or missing signature, the same body whichever.
  Headers wrong = signedHeaders(good);
  wrong.back().second = "sha256=" + std::string(64, '0');
  HttpReply bad_sig = post(path, wrong, good);
  Headers missing = signedHeaders(good);
  missing.pop_back();
  HttpReply no_sig = post(path, missing, good);
  EXPECT_EQ(bad_sig.status, 401);
  EXPECT_EQ(no_sig.status, 401);
  EXPECT_EQ(bad_sig.body, no_sig.body);
  EXPECT_FALSE(bad_sig.json().contains("autobuild")) << "an unauthenticated caller learns no name";

  // 400: malformed body, truncated JSON, missing event header, wrong types.
  std::string truncated = good.substr(0, good.size() / 2);
  HttpReply r = post(path, signedHeaders(truncated), truncated);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.json().value("message", "").find("JSON"), std::string::npos) << r.body;
  Headers no_event = signedHeaders(good);
  no_event.erase(no_event.begin() + 1);
  r = post(path, no_event, good);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json()["message"], "missing header X-GitHub-Event");
  std::string wrong_type = R"({"ref":"refs/heads/main","after":"abc","head_commit":{"id":42}})";
  r = post(path, signedHeaders(wrong_type), wrong_type);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.json().value("message", "").find("head_commit.id"), std::string::npos) << r.body;

  // 405 and 415.
  r = httpRequest(webhookPort(), "GET", path, {}, "");
  EXPECT_EQ(r.status, 405) << r.body;
  EXPECT_EQ(r.headers["allow"], "POST");
  Headers text = signedHeaders(good);
  text.front().second = "text/plain";
  r = post(path, text, good);
  EXPECT_EQ(r.status, 415) << r.body;

  // 413: over --max-body-bytes (1 MiB here), refused from Content-Length before any of it is sent.
  r = rawHttpRequest(webhookPort(), "POST " + path +
                                        " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        "Content-Length: 10485760\r\n\r\n");
  EXPECT_EQ(r.status, 413) << r.body;

  // 200 Ignored with each reason a push can earn.
  auto ignoredFor = [&](const std::string& body, Headers headers = {}) {
    if (headers.empty()) headers = signedHeaders(body);
    HttpReply x = post(path, headers, body);
    EXPECT_EQ(x.status, 200) << x.body;
    return x.json().value("reason", "");
  };
  EXPECT_EQ(ignoredFor(gitPush("GitHub", secret, randomHex(40), "no keyword here").body), "KeywordAbsent");
  EXPECT_EQ(ignoredFor(gitPush("GitHub", secret, randomHex(40), "x @deploy", "feature/x").body),
            "BranchNotMatched");
  json other_repo = json::parse(good);
  other_repo["repository"]["full_name"] = "acme/other";
  other_repo["repository"]["clone_url"] = "https://git.example.com/acme/other.git";
  EXPECT_EQ(ignoredFor(other_repo.dump()), "RepositoryMismatch");
  json deletion = json::parse(good);
  deletion["deleted"] = true;
  deletion["after"] = std::string(40, '0');
  EXPECT_EQ(ignoredFor(deletion.dump()), "EventNotHandled");
  json tag = json::parse(good);
  tag["ref"] = "refs/tags/v1";
  EXPECT_EQ(ignoredFor(tag.dump()), "EventNotHandled");
  Headers ping = signedHeaders("{}");
  ping[1].second = "ping";
  EXPECT_EQ(ignoredFor("{}", ping), "Ping");

  EXPECT_EQ(templateRevision("Deployment", "web"), "") << "none of these rolled anything out";
  EXPECT_EQ(replicaSets("web").size(), 1u);
}

TEST_F(WebhookTest, SuspendedAutoBuildIsIgnored) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  std::string path = webhookPath("web");
  client()->patch(api::AutoBuilds, ns_, "web", kube::PatchType::Merge, {{"spec", {{"suspend", true}}}});
  // Pushes sent before a replica's cache sees the change still roll out; wait until both answer Suspended.
  HttpReply r;
  auto suspended = [&](int replica) {
    Delivery d = gitPush("GitHub", secret, randomHex(40), "x @deploy");
    r = post(path, d.headers, d.body, replica);
    return r.status == 200 && r.json()["reason"] == "Suspended";
  };
  ASSERT_TRUE(eventually([&] { return suspended(0); })) << r.body;
  ASSERT_TRUE(eventually([&] { return suspended(1); })) << r.body;
  std::string before = templateRevision("Deployment", "web");
  EXPECT_TRUE(suspended(0)) << r.body;
  EXPECT_TRUE(suspended(1)) << r.body;
  EXPECT_EQ(templateRevision("Deployment", "web"), before) << "nothing rolled out while suspended";
}

TEST_F(WebhookTest, RateLimitAnswers429WithRetryAfter) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  std::string path = webhookPath("web");
  // Burst 20 in this suite: the 21st trigger within a second or so is refused.
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 30 && limited == 0; ++i) {
    Delivery d = gitPush("GitHub", secret, randomHex(40), "x @deploy");
    HttpReply r = post(path, d.headers, d.body);
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["retry-after"];
      EXPECT_EQ(r.json()["reason"], "RateLimited");
    }
  }
  EXPECT_EQ(limited, 1);
  EXPECT_FALSE(retry_after.empty());
}

TEST_F(WebhookTest, RotatedSecretMovesTheUrlAndTheOldOneAnswers404) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  std::string secret = createAutoBuild("web", {});
  std::string old_path = webhookPath("web");
  client()->patch(kube::resources::Secrets, ns_, "web-webhook", kube::PatchType::Merge,
                  {{"stringData", {{"secret", "a-new-secret-after-rotation"}}}});
  ASSERT_TRUE(eventually([&] { return webhookPath("web") != old_path; }));
  Delivery d = gitPush("GitHub", "a-new-secret-after-rotation", randomHex(40), "x @deploy");
  HttpReply r;
  ASSERT_TRUE(eventually([&] {
    r = post(old_path, d.headers, d.body);
    return r.status == 404;
  })) << r.body;
  ASSERT_TRUE(eventually([&] {
    r = post(webhookPath("web"), d.headers, d.body);
    return r.status == 202;
  })) << r.body;
}

}  // namespace
}  // namespace autobuild::e2e
