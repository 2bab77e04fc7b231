// autobuild-webhook against hostile clients (docs/security.md): a catalogue of malformed, oversized,
// ambiguous, slow, forged and replayed requests, each with the exact answer it must get, and afterwards
// proof that none of them rolled anything out and that no secret leaked into logs, status, Events or
// metrics.
#include <cctype>
#include <chrono>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "api/autobuild.h"
#include "tests/e2e/support/eventually.h"
#include "tests/e2e/support/operator_fixture.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;

// The webhook this suite starts itself refuses bodies over this many bytes.
constexpr std::size_t kBodyLimit = 65536;

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string millisecondsSinceEpoch(std::chrono::system_clock::time_point at) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
}

// One request of the catalogue: the bytes sent as they are, and the answer expected. An expected status
// of 0 means the server must close the connection without answering.
struct Row {
  std::string name;
  std::string bytes;
  int status;
  std::string reason;  // the "reason" of the JSON answer
  bool slow = false;   // waits for a server timeout: run concurrently with the others
};

// A request as a client writes it: request line, Host, Content-Length for a non-empty body, extra fields.
std::string request(const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                    bool content_length = true) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (content_length) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

// A push to main of `sha` as GitHub sends it; `message` decides whether it would roll out.
std::string githubPush(const std::string& sha, const std::string& message) {
  json commit = {{"id", sha}, {"message", message}, {"timestamp", "2026-11-23T10:00:00Z"}};
  return json{{"ref", "refs/heads/main"},
              {"before", std::string(40, '0')},
              {"after", sha},
              {"repository", {{"full_name", "acme/web"}}},
              {"head_commit", commit},
              {"commits", {commit}}}
      .dump();
}

class HostileRequestTest : public OperatorFixture {
 protected:
  void SetUp() override {
    OperatorFixture::SetUp();
    port_ = freePort();
    metrics_port_ = freePort();
    webhook_ = std::make_unique<OperatorProcess>(
        AUTOBUILD_WEBHOOK_BIN,
        std::vector<std::string>{"--kubeconfig", testenv::controlPlane().kubeconfig(), "--listen-addr",
                                 "127.0.0.1:" + std::to_string(port_), "--metrics-addr",
                                 "127.0.0.1:" + std::to_string(metrics_port_), "--max-body-bytes",
                                 std::to_string(kBodyLimit), "--trigger-burst", "100"},
        testenv::controlPlane().dir() + "/logs/hostile-webhook.log");
    ASSERT_TRUE(eventually([&] {
      try {
        return httpRequest(port_, "GET", "/readyz", {}, "").status == 200;
      } catch (const std::runtime_error&) {
        return false;
      }
    })) << webhook_->logs();
  }

  void TearDown() override { EXPECT_EQ(webhook_->terminate(), 0) << webhook_->logs(); }

  // Waits until this suite's webhook serves `path` (it watches the AutoBuild on its own).
  void waitServed(const std::string& path) {
    ASSERT_TRUE(eventually([&] {
      return httpRequest(port_, "POST", path, {{"Content-Type", "application/json"}}, "{}").status != 404;
    }));
  }

  // The answer to `bytes`, or status 0 when the server closed the connection without one.
  HttpReply send(const std::string& bytes) {
    try {
      return rawHttpRequest(port_, bytes);
    } catch (const std::runtime_error&) {
      return HttpReply{};
    }
  }

  int port_ = 0;
  int metrics_port_ = 0;
  std::unique_ptr<OperatorProcess> webhook_;
};

TEST_F(HostileRequestTest, EveryHostileRequestGetsItsExactAnswerAndNothingRollsOutOrLeaks) {
  createWorkload("Deployment", "web", {{"web", "registry.example.com/acme/web:1.0"}});
  createWorkload("Deployment", "replay", {{"web", "registry.example.com/acme/web:1.0"}});
  ASSERT_TRUE(
      eventually([&] { return replicaSets("web").size() == 1 && replicaSets("replay").size() == 1; }));
  const std::string secret = createAutoBuild("web", {{"source", {{"repository", "acme/web"}}}});
  const std::string lab_secret =
      createAutoBuild("lab", {{"source", {{"type", "GitLab"}}}, {"target", {{"name", "web"}}}});
  const std::string gitee_secret =
      createAutoBuild("gitee", {{"source", {{"type", "Gitee"}}}, {"target", {{"name", "web"}}}});
  const std::string replay_secret = createAutoBuild("replay", {});
  const std::string path = webhookPath("web");
  const std::string lab_path = webhookPath("lab");
  const std::string gitee_path = webhookPath("gitee");
  const std::string replay_path = webhookPath("replay");
  for (const auto& p : {path, lab_path, gitee_path, replay_path}) waitServed(p);
  const std::string id = path.substr(std::string("/hooks/").size());

  // GitHub headers signing `body` with `key`.
  auto signedBy = [](const std::string& key, const std::string& body) {
    return std::vector<std::pair<std::string, std::string>>{
        {"Content-Type", "application/json"},
        {"X-GitHub-Event", "push"},
        {"X-GitHub-Delivery", randomHex(32)},
        {"X-Hub-Signature-256", "sha256=" + hmacSha256Hex(key, body)}};
  };
  // A correctly signed delivery of `body` to the GitHub AutoBuild: only the body is hostile.
  auto signedPost = [&](const std::string& body) {
    return request("POST", path, signedBy(secret, body), body);
  };

  const std::string quiet = githubPush(randomHex(40), "no keyword here");  // would be Ignored
  const std::string rolling = githubPush(randomHex(40), "ship @deploy");   // would roll out if accepted
  // json::dump refuses invalid UTF-8, so the bytes go in after it.
  std::string invalid_utf8_message = githubPush(randomHex(40), "bad BYTES here");
  invalid_utf8_message.replace(invalid_utf8_message.find("BYTES"), 5, "\xc3\x28");
  const std::string deep =
      R"({"ref":"refs/heads/main","x":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  auto withField = [&](const std::string& field, const json& value) {
    json body = json::parse(rolling);
    body[field] = value;
    return body.dump();
  };
  // Without head_commit, the head commit is read from `commits`.
  auto withoutHeadCommit = [&](const std::string& field, const json& value) {
    json body = json::parse(rolling);
    body.erase("head_commit");
    body[field] = value;
    return body.dump();
  };
  auto chunked = [&](const std::string& chunks) {
    return request("POST", path, {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}},
                   chunks, false);
  };
  std::string many_headers;
  for (int i = 0; i < 10000; ++i) many_headers += "X-Filler-" + std::to_string(i) + ": v\r\n";
  const std::string big_chunk = std::string(kBodyLimit + 1024, ' ');
  std::ostringstream big_chunk_hex;
  big_chunk_hex << std::hex << big_chunk.size();
  const auto now = std::chrono::system_clock::now();
  const std::string stale_ts = millisecondsSinceEpoch(now - std::chrono::hours(2));
  const std::string future_ts = millisecondsSinceEpoch(now + std::chrono::hours(2));
  const std::string gitee_body = json{{"ref", "refs/heads/main"}, {"after", randomHex(40)}}.dump();
  auto gitee = [&](const std::string& ts) {
    return request("POST", gitee_path,
                   {{"Content-Type", "application/json"},
                    {"X-Gitee-Event", "Push Hook"},
                    {"X-Gitee-Timestamp", ts},
                    {"X-Gitee-Token", hmacSha256Base64(gitee_secret, ts + "\n" + gitee_secret)}},
                   gitee_body);
  };
  const std::string lab_body = json{{"object_kind", "push"}, {"ref", "refs/heads/main"}}.dump();
  auto gitlab = [&](const std::string& token_line) {
    return "POST " + lab_path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Gitlab-Event: Push Hook\r\n" +
           token_line + "Content-Length: " + std::to_string(lab_body.size()) + "\r\n\r\n" + lab_body;
  };
  std::string wrong_signature = hmacSha256Hex(secret, rolling);
  wrong_signature[0] = wrong_signature[0] == '0' ? '1' : '0';
  const std::string replayed = githubPush(randomHex(40), "ship @deploy");
  const auto replay_headers = [&] {
    auto h = signedBy(replay_secret, replayed);
    h[2].second = "replayed-delivery-" + randomHex(8);
    return h;
  }();
  // The replay target rolls out once from the first copy; the second copy is the hostile one.
  HttpReply first = send(request("POST", replay_path, replay_headers, replayed));
  ASSERT_EQ(first.status, 202) << first.body;

  const std::vector<Row> rows = {
      // Bodies: correctly signed, so only the body is at fault.
      {"malformed JSON", signedPost(R"({"ref": "refs/heads/main", })"), 400, "BadRequest"},
      {"truncated JSON", signedPost(rolling.substr(0, rolling.size() / 2)), 400, "BadRequest"},
      {"empty body", signedPost(""), 400, "BadRequest"},
      {"JSON array instead of object", signedPost("[" + rolling + "]"), 400, "BadRequest"},
      {"10,000 levels of nesting", signedPost(deep), 400, "BadRequest"},
      {"exponent beyond double for after",
       signedPost(R"({"ref":"refs/heads/main","after":1e400,"repository":{"full_name":"acme/web"}})"), 400,
       "BadRequest"},
      {"number literal beyond double",
       signedPost(R"({"ref":"refs/heads/main","after":)" + std::string(400, '9') + "}"), 400, "BadRequest"},
      {"duplicate keys (last is a tag)",
       signedPost(R"({"ref":"refs/heads/main","ref":"refs/tags/v1","after":")" + randomHex(40) +
                  R"(","repository":{"full_name":"acme/web"},"head_commit":{"id":"a","message":"x"}})"),
       200, "EventNotHandled"},
      {"ref is a number", signedPost(withField("ref", 5)), 400, "BadRequest"},
      {"after is an array", signedPost(withField("after", json::array())), 400, "BadRequest"},
      {"commits is a string (no head_commit)", signedPost(withoutHeadCommit("commits", "x")), 400,
       "BadRequest"},
      {"head_commit is a number", signedPost(withField("head_commit", 1)), 400, "BadRequest"},
      {"repository is a string", signedPost(withField("repository", "acme/web")), 400, "BadRequest"},
      {"head_commit.message is a number",
       signedPost(withField("head_commit", {{"id", randomHex(40)}, {"message", 3}})), 400, "BadRequest"},
      {"invalid UTF-8 body", signedPost("\xff\xfe\xfd"), 400, "BadRequest"},
      {"NUL byte in body", signedPost(std::string("{\"ref\":\"a\0b\"}", 14)), 400, "BadRequest"},
      {"invalid UTF-8 in commit message (kept, no keyword)", signedPost(invalid_utf8_message), 200,
       "KeywordAbsent"},
      // Size limits.
      {"Content-Length over the limit",
       request("POST", path, {{"Content-Type", "application/json"}, {"Content-Length", "10485760"}}, "{}",
               false),
       413, "PayloadTooLarge"},
      {"10,000 header fields",
       "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many_headers + "Content-Length: 0\r\n\r\n", 431,
       "HeadersTooLarge"},
      {"one 100 KiB header field", request("POST", path, {{"X-Big", std::string(100 * 1024, 'a')}}, quiet),
       431, "HeadersTooLarge"},
      // Slow clients: held open until the server's timeouts (header 10 s, whole request 30 s).
      {"slowloris header never finished", "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n", 0,
       "", true},
      {"slowloris body never finished",
       "POST " + path +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
       0, "", true},
      // Chunked encoding.
      {"chunk size not hex", chunked("zz\r\n{}\r\n0\r\n\r\n"), 400, "BadRequest"},
      {"chunk size overflowing 64 bits", chunked("fffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"), 400,
       "BadRequest"},
      {"chunk shorter than its size (waits for the rest)", chunked("10\r\n{}\r\n0\r\n\r\n"), 0, "", true},
      {"chunk extension, unsigned", chunked("2;name=value\r\n{}\r\n0\r\n\r\n"), 401, "Unauthorized"},
      {"chunked body over the limit", chunked(big_chunk_hex.str() + "\r\n" + big_chunk + "\r\n0\r\n\r\n"),
       413, "PayloadTooLarge"},
      // Smuggling: anything two parsers could frame differently.
      {"Content-Length with Transfer-Encoding",
       request("POST", path, {{"Transfer-Encoding", "chunked"}}, "0\r\n\r\n"), 400, "BadRequest"},
      {"two Content-Lengths", request("POST", path, {{"Content-Length", "2"}}, "{}"), 400, "BadRequest"},
      {"Content-Length not a number", request("POST", path, {{"Content-Length", "+2"}}, "{}", false), 400,
       "BadRequest"},
      {"Transfer-Encoding gzip", request("POST", path, {{"Transfer-Encoding", "gzip"}}, "", false), 400,
       "BadRequest"},
      {"Transfer-Encoding gzip, chunked",
       request("POST", path, {{"Transfer-Encoding", "gzip, chunked"}}, "", false), 400, "BadRequest"},
      {"two Host fields", request("POST", path, {{"Host", "evil.example.com"}}, quiet), 400, "BadRequest"},
      {"HTTP/1.1 without Host", "POST " + path + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400, "BadRequest"},
      {"HTTP/1.0 with Transfer-Encoding",
       "POST " + path + " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "BadRequest"},
      {"HTTP/1.0 without Host, unsigned",
       "POST " + path +
           " HTTP/1.0\r\nContent-Type: application/json\r\n"
           "Content-Length: 2\r\n\r\n{}",
       401, "Unauthorized"},
      // Bytes the grammar forbids.
      {"NUL byte in a header value",
       request("POST", path, {{"X-GitHub-Event", std::string("pu\0sh", 5)}}, quiet), 400, "BadRequest"},
      {"NUL byte in the path", request("POST", path + std::string("\0", 1), {}, quiet), 400, "BadRequest"},
      {"invalid UTF-8 in the signature",
       request("POST", path,
               {{"X-GitHub-Event", "push"},
                {"Content-Type", "application/json"},
                {"X-Hub-Signature-256", "sha256=\xff\xfe"}},
               quiet),
       401, "Unauthorized"},
      {"HTTP/2.0 request line", "POST " + path + " HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 400, "BadRequest"},
      {"absolute-form target", request("POST", "http://127.0.0.1" + path, signedBy(secret, quiet), quiet),
       400, "BadRequest"},
      {"asterisk-form target", request("OPTIONS", "*", {}, ""), 400, "BadRequest"},
      // Paths: only the exact /hooks/<id> reaches the AutoBuild.
      {"dot segments to /metrics", request("POST", "/hooks/../metrics", signedBy(secret, quiet), quiet), 404,
       "NotFound"},
      {"encoded dot segments", request("POST", "/hooks/%2e%2e/metrics", signedBy(secret, quiet), quiet), 404,
       "NotFound"},
      {"encoded slash after the id", request("POST", path + "%2f", signedBy(secret, quiet), quiet), 404,
       "NotFound"},
      {"trailing slash", request("POST", path + "/", signedBy(secret, quiet), quiet), 404, "NotFound"},
      {"id one character short",
       request("POST", path.substr(0, path.size() - 1), signedBy(secret, quiet), quiet), 404, "NotFound"},
      {"id one character long", request("POST", path + "0", signedBy(secret, quiet), quiet), 404, "NotFound"},
      {"upper-case id", request("POST", "/hooks/" + upper(id), signedBy(secret, quiet), quiet), 404,
       "NotFound"},
      {"percent-encoded id",
       request("POST", "/hooks/%" + upper(randomHex(2)) + id.substr(1), signedBy(secret, quiet), quiet), 404,
       "NotFound"},
      {"query string after the id", request("POST", path + "?id=" + id, signedBy(secret, quiet), quiet), 200,
       "KeywordAbsent"},
      // Methods.
      {"PUT", request("PUT", path, signedBy(secret, quiet), quiet), 405, "MethodNotAllowed"},
      {"DELETE", request("DELETE", path, {}, ""), 405, "MethodNotAllowed"},
      {"OPTIONS", request("OPTIONS", path, {}, ""), 405, "MethodNotAllowed"},
      {"GET", request("GET", path, {}, ""), 405, "MethodNotAllowed"},
      {"lower-case post", request("post", path, signedBy(secret, quiet), quiet), 405, "MethodNotAllowed"},
      // Credentials.
      {"no signature",
       request("POST", path, {{"Content-Type", "application/json"}, {"X-GitHub-Event", "push"}}, rolling),
       401, "Unauthorized"},
      {"signature of the right length, wrong value",
       request("POST", path,
               {{"Content-Type", "application/json"},
                {"X-GitHub-Event", "push"},
                {"X-Hub-Signature-256", "sha256=" + wrong_signature}},
               rolling),
       401, "Unauthorized"},
      {"signature by another AutoBuild's secret",
       request("POST", path, signedBy(lab_secret, rolling), rolling), 401, "Unauthorized"},
      {"signature of a different body", request("POST", path, signedBy(secret, quiet), rolling), 401,
       "Unauthorized"},
      {"signature without the sha256= prefix",
       request("POST", path,
               {{"Content-Type", "application/json"},
                {"X-GitHub-Event", "push"},
                {"X-Hub-Signature-256", hmacSha256Hex(secret, rolling)}},
               rolling),
       401, "Unauthorized"},
      {"GitLab token with a trailing newline", gitlab("X-Gitlab-Token: " + lab_secret + "\n\r\n"), 400,
       "BadRequest"},
      {"GitLab token with one more character", gitlab("X-Gitlab-Token: " + lab_secret + "x\r\n"), 401,
       "Unauthorized"},
      {"GitLab token of another AutoBuild", gitlab("X-Gitlab-Token: " + secret + "\r\n"), 401,
       "Unauthorized"},
      {"Gitee timestamp two hours old", gitee(stale_ts), 401, "Unauthorized"},
      {"Gitee timestamp two hours ahead", gitee(future_ts), 401, "Unauthorized"},
      {"Gitee timestamp not a number", gitee("yesterday"), 401, "Unauthorized"},
      {"unsupported content type", request("POST", path, {{"Content-Type", "text/plain"}}, quiet), 415,
       "UnsupportedMediaType"},
      {"signed, but no event header",
       request("POST", path,
               {{"Content-Type", "application/json"},
                {"X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, quiet)}},
               quiet),
       400, "BadRequest"},
      // Replay: the second copy of a delivery that already rolled out.
      {"replayed delivery", request("POST", replay_path, replay_headers, replayed), 200, "Duplicate"},
  };
  ASSERT_GE(rows.size(), 40u);

  std::vector<std::future<HttpReply>> slow;
  for (const Row& row : rows) {
    if (row.slow)
      slow.push_back(std::async(std::launch::async, [&, bytes = row.bytes] { return send(bytes); }));
  }
  std::size_t next_slow = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    HttpReply reply = row.slow ? slow[next_slow++].get() : send(row.bytes);
    EXPECT_EQ(reply.status, row.status) << reply.body;
    if (row.status != 0) {
      const json answer = reply.json();
      EXPECT_TRUE(answer.is_object()) << reply.body;
      if (answer.is_object()) {
        EXPECT_EQ(answer.value("reason", ""), row.reason) << reply.body;
      }
    }
  }

  // Nothing rolled out: the target's template carries no revision and it still has one ReplicaSet.
  // The wait also lets the webhooks' info lines reach their logs, which they do within a second.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(templateRevision("Deployment", "web"), "");
  EXPECT_EQ(replicaSets("web").size(), 1u);

  // No secret in the logs, the AutoBuilds' status, the Events or the metrics.
  std::ifstream controller_log(testenv::controlPlane().dir() + "/logs/controller.log");
  std::string exposed =
      std::string(std::istreambuf_iterator<char>(controller_log), std::istreambuf_iterator<char>());
  exposed += webhook_->logs() + webhook(0).logs() + webhook(1).logs();
  for (const auto& name : {"web", "lab", "gitee", "replay"}) {
    exposed += client()->get(api::AutoBuilds, ns_, name)["status"].dump();
  }
  for (const auto& event : client()->list(kube::resources::Events, ns_).items) exposed += event.dump();
  HttpReply metrics = httpRequest(metrics_port_, "GET", "/metrics", {}, "");
  ASSERT_EQ(metrics.status, 200);
  exposed += metrics.body;
  for (const auto& s : {secret, lab_secret, gitee_secret, replay_secret}) {
    EXPECT_EQ(exposed.find(s), std::string::npos)
        << "a secret appears in the logs, status, Events or metrics";
  }
}

}  // namespace
}  // namespace autobuild::e2e
