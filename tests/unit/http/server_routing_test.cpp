// Routing, request fields and the keep-alive loop, over real sockets.
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "raw_client.h"
#include "test_support.h"
#include "webhook/http/server.h"

namespace autobuild::http {
namespace {

using testing::httpRequest;
using testing::RawClient;

class ServerRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    router.add(testing::healthRoute("/healthz"));
    router.add(testing::healthRoute("/readyz"));

    Route hooks;
    hooks.path = "/hooks/";
    hooks.prefix = true;
    hooks.methods = {"POST"};
    hooks.dispatch = Dispatch::WorkerPool;
    hooks.handler = [this](const Request& request) {
      std::lock_guard lock(mutex_);
      last_ = request;
      ++hook_calls_;
      Response response;
      response.status = 202;
      response.headers.add("X-Handled-By", "hooks");
      response.body = nlohmann::json{{"path", request.path}, {"tail", request.path_tail}}.dump();
      return response;
    };
    router.add(hooks);

    Route faulty;
    faulty.path = "/faulty";
    faulty.methods = {"GET"};
    faulty.handler = [](const Request& request) -> Response {
      if (request.query == "throw") throw std::runtime_error("handler exploded");
      Response response;
      if (request.query == "reserved") response.headers.add("Content-Length", "0");
      if (request.query == "injection") response.headers.add("X-Note", "a\r\nSet-Cookie: x=1");
      if (request.query == "defer") response.defer_to_worker_pool = true;
      return response;
    };
    router.add(faulty);

    // Answers on the IO thread unless asked to defer; records where each call ran.
    Route staged;
    staged.path = "/staged/";
    staged.prefix = true;
    staged.methods = {"POST"};
    staged.dispatch = Dispatch::IoThreadFirst;
    staged.handler = [this](const Request& request) {
      {
        std::lock_guard lock(mutex_);
        staged_calls_.push_back({request.on_worker_pool, std::this_thread::get_id(), request.body});
      }
      Response response;
      if (request.query == "defer" && !request.on_worker_pool) {
        response.defer_to_worker_pool = true;
        return response;
      }
      if (request.query == "defer-again") response.defer_to_worker_pool = true;
      response.status = request.on_worker_pool ? 202 : 200;
      response.body = request.path_tail;
      return response;
    };
    router.add(staged);

    ServerOptions options = testing::testOptions();
    options.access_log = [this](const AccessLogEntry& entry) {
      std::lock_guard lock(mutex_);
      log_.push_back({std::string(entry.method), std::string(entry.path), std::string(entry.route),
                      entry.status, entry.request_body_bytes, entry.response_bytes,
                      std::string(entry.remote_address)});
    };
    server_ = std::make_unique<HttpServer>(options, std::move(router));
    server_->start();
  }

  struct Logged {
    std::string method, path, route;
    int status;
    std::size_t request_body_bytes, response_bytes;
    std::string remote_address;
  };

  std::optional<Request> lastHookRequest() {
    std::lock_guard lock(mutex_);
    return last_;
  }
  int hookCalls() {
    std::lock_guard lock(mutex_);
    return hook_calls_;
  }
  std::vector<Logged> accessLog() {
    std::lock_guard lock(mutex_);
    return log_;
  }

  struct StagedCall {
    bool on_worker_pool;
    std::thread::id thread;
    std::string body;
  };
  std::vector<StagedCall> stagedCalls() {
    std::lock_guard lock(mutex_);
    return staged_calls_;
  }

  std::mutex mutex_;
  std::vector<StagedCall> staged_calls_;
  std::optional<Request> last_;
  int hook_calls_ = 0;
  std::vector<Logged> log_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerRoutingTest, AnswersAnIoThreadRoute) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/healthz")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(response->header("Content-Type"), "text/plain");
  EXPECT_EQ(response->header("Content-Length"), "2");
}

TEST_F(ServerRoutingTest, AnswersAWorkerRouteWithItsStatusHeadersAndBody) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/hooks/abc", {"X-GitHub-Event: push"}, R"({"a":1})")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->header("X-Handled-By"), "hooks");
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(response->body), (nlohmann::json{{"path", "/hooks/abc"}, {"tail", "abc"}}));
}

TEST_F(ServerRoutingTest, GivesTheHandlerTheRequestAsSent) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/hooks/abc?x=1&y=%20",
                                      {"X-Gitlab-Token: s3cret", "x-custom: one"}, "payload=%7B%7D")));
  ASSERT_TRUE(client.readResponse());
  const auto request = lastHookRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->target, "/hooks/abc?x=1&y=%20");
  EXPECT_EQ(request->path, "/hooks/abc");
  EXPECT_EQ(request->query, "x=1&y=%20");
  EXPECT_EQ(request->decoded_path, "/hooks/abc");
  EXPECT_EQ(request->path_tail, "abc");
  EXPECT_EQ(request->version, 11);
  EXPECT_EQ(request->body, "payload=%7B%7D");
  ASSERT_NE(request->headers.find("X-GITLAB-TOKEN"), nullptr);
  EXPECT_EQ(*request->headers.find("X-GITLAB-TOKEN"), "s3cret");
  ASSERT_NE(request->headers.find("X-Custom"), nullptr);
  EXPECT_EQ(*request->headers.find("X-Custom"), "one");
  EXPECT_EQ(request->remote_address, "127.0.0.1");
  EXPECT_NE(request->remote_port, 0);
  EXPECT_FALSE(request->tls);
}

TEST_F(ServerRoutingTest, NeverResolvesDotSegmentsOrEscapesToReachAnotherRoute) {
  for (const std::string path :
       {"/hooks/../healthz", "/hooks/%2e%2e/healthz", "/hooks/..%2Fhealthz", "/hooks/"}) {
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(httpRequest("POST", path, {}, "{}")));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 202) << path << " did not reach the /hooks/ handler";
    const auto request = lastHookRequest();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->path, path);
    EXPECT_EQ(request->path_tail, path.substr(7));
    if (path != "/hooks/") {
      EXPECT_EQ(request->decoded_path, std::nullopt) << path;
    }
  }
}

TEST_F(ServerRoutingTest, AnswersUnknownPathsWith404) {
  for (const std::string path : {"/nope", "/healthz/", "//healthz", "/HEALTHZ", "/hooks", "/healthz%2F"}) {
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(httpRequest("GET", path)));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    const auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["result"], "Rejected");
    EXPECT_EQ(body["reason"], "NotFound");
    EXPECT_TRUE(body["message"].is_string());
  }
}

TEST_F(ServerRoutingTest, AQueryDoesNotChangeTheRoute) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/healthz?verbose=1")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServerRoutingTest, AnswersAMethodTheRouteDoesNotAllowWith405AndAllow) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("DELETE", "/healthz")));
  const auto refused = client.readResponse();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  EXPECT_EQ(refused->header("Allow"), "GET, HEAD");
  EXPECT_EQ(nlohmann::json::parse(refused->body)["reason"], "MethodNotAllowed");

  // Nothing was left unread, so the connection goes on.
  ASSERT_TRUE(client.send(httpRequest("GET", "/hooks/abc")));
  const auto hooks = client.readResponse();
  ASSERT_TRUE(hooks);
  EXPECT_EQ(hooks->status, 405);
  EXPECT_EQ(hooks->header("Allow"), "POST");
  EXPECT_EQ(hookCalls(), 0);
}

TEST_F(ServerRoutingTest, AnswersA405WithAnUnreadBodyAndThenCloses) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("PUT", "/hooks/abc", {}, std::string(1000, 'x'))));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoutingTest, ServesSeveralRequestsOnAKeptAliveConnection) {
  RawClient client(server_->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(httpRequest("POST", "/hooks/k" + std::to_string(i), {}, "{}")));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 202);
    EXPECT_EQ(response->header("Connection"), std::nullopt);
  }
  EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(ServerRoutingTest, AnswersPipelinedRequestsInOrder) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/hooks/first", {}, "{}") + httpRequest("GET", "/readyz") +
                          httpRequest("POST", "/hooks/second", {}, "{}")));
  const auto first = client.readResponse();
  const auto second = client.readResponse();
  const auto third = client.readResponse();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(nlohmann::json::parse(first->body)["tail"], "first");
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(nlohmann::json::parse(third->body)["tail"], "second");
}

TEST_F(ServerRoutingTest, HonoursConnectionClose) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/healthz", {"Connection: close"})));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
}

TEST_F(ServerRoutingTest, ClosesAnHttp10ConnectionAfterItsRequest) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/1.0\r\n\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoutingTest, AnswersHeadWithTheLengthButNoBody) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("HEAD", "/healthz") + httpRequest("GET", "/healthz")));
  const auto head = client.readResponse(std::chrono::seconds(10), /*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "2");
  // Had the HEAD answer carried a body, it would be read as the start of this one.
  const auto get = client.readResponse();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "ok");
}

TEST_F(ServerRoutingTest, AnswersExpectContinueBeforeTheBody) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(
      "POST /hooks/abc HTTP/1.1\r\nHost: test\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = client.readResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send(R"({"a":1})"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(lastHookRequest()->body, R"({"a":1})");
}

TEST_F(ServerRoutingTest, AnswersAThrowingHandlerWith500) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/faulty?throw")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  const auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["reason"], "InternalError");
  EXPECT_EQ(body["message"].get<std::string>().find("exploded"), std::string::npos)
      << "internal detail leaked";
}

TEST_F(ServerRoutingTest, AnswersAnUnsendableResponseWith500) {
  for (const char* query : {"reserved", "injection"}) {
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(httpRequest("GET", std::string("/faulty?") + query)));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << query;
    EXPECT_EQ(response->status, 500) << query;
    EXPECT_EQ(response->header("Set-Cookie"), std::nullopt);
  }
}

TEST_F(ServerRoutingTest, AnswersAnIoThreadFirstRouteOnTheIoThreadWhenItDoesNotDefer) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/staged/fast", {}, "body")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "fast");
  const auto calls = stagedCalls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].on_worker_pool);
}

TEST_F(ServerRoutingTest, CallsADeferringHandlerAgainOnTheWorkerPoolWithTheSameRequest) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/staged/slow?defer", {}, "the body")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202) << "the worker's answer, not the deferral";
  EXPECT_EQ(response->body, "slow");
  const auto calls = stagedCalls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[0].on_worker_pool);
  EXPECT_TRUE(calls[1].on_worker_pool);
  EXPECT_NE(calls[0].thread, calls[1].thread);
  EXPECT_EQ(calls[1].body, "the body");

  // The connection goes on as usual.
  ASSERT_TRUE(client.send(httpRequest("POST", "/staged/next", {}, "")));
  const auto next = client.readResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerRoutingTest, AnswersADeferralWhereNoneCanBeWith500) {
  // From the worker pool of an IoThreadFirst route, and from an IoThread route.
  for (const std::string target : {"/staged/x?defer-again", "/faulty?defer"}) {
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(httpRequest(target.starts_with("/staged") ? "POST" : "GET", target, {}, "")));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 500) << target;
    EXPECT_EQ(nlohmann::json::parse(response->body)["reason"], "InternalError") << target;
  }
}

TEST_F(ServerRoutingTest, RefusesMalformedRequestsWith400) {
  const std::vector<std::string> requests = {
      "GARBAGE\r\n\r\n",
      "GET /healthz HTTP/1.1\r\n\r\n",                                 // no Host
      "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",           // two Hosts
      "GET http://test/healthz HTTP/1.1\r\nHost: test\r\n\r\n",        // absolute form
      "GET * HTTP/1.1\r\nHost: test\r\n\r\n",                          // asterisk form
      "GET /healthz HTTP/1.1\r\nHost: test\r\nBad Header: x\r\n\r\n",  // space in a field name
  };
  for (const auto& request : requests) {
    RawClient client(server_->port());
    ASSERT_TRUE(client.send(request));
    const auto response = client.readResponse();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 400) << request;
    EXPECT_EQ(nlohmann::json::parse(response->body)["reason"], "BadRequest") << request;
  }
}

TEST_F(ServerRoutingTest, RefusesVersionsOtherThanHttp1) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("GET /healthz HTTP/2.0\r\nHost: test\r\n\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoutingTest, ReportsEachResponseToTheAccessLog) {
  {
    RawClient client(server_->port());
    ASSERT_TRUE(
        client.send(httpRequest("POST", "/hooks/logged", {}, "12345") + httpRequest("GET", "/missing")));
    const auto first = client.readResponse();
    const auto second = client.readResponse();
    ASSERT_TRUE(first && second);
  }
  ASSERT_TRUE(testing::eventually([&] { return accessLog().size() >= 2; }));
  const auto log = accessLog();
  EXPECT_EQ(log[0].method, "POST");
  EXPECT_EQ(log[0].path, "/hooks/logged");
  EXPECT_EQ(log[0].route, "/hooks/");
  EXPECT_EQ(log[0].status, 202);
  EXPECT_EQ(log[0].request_body_bytes, 5u);
  EXPECT_GT(log[0].response_bytes, 0u);
  EXPECT_EQ(log[0].remote_address, "127.0.0.1");
  EXPECT_EQ(log[1].method, "GET");
  EXPECT_EQ(log[1].path, "/missing");
  EXPECT_EQ(log[1].route, "");
  EXPECT_EQ(log[1].status, 404);
}

TEST_F(ServerRoutingTest, CountsNoRequestInFlightOnceAnswered) {
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/healthz")));
  ASSERT_TRUE(client.readResponse());
  EXPECT_TRUE(testing::eventually([&] { return server_->inFlight() == 0; }));
}

TEST(ServerListen, ServesOnIpv6Loopback) {
  Router router;
  router.add(testing::healthRoute());
  ServerOptions options = testing::testOptions();
  options.listen_address = "[::1]:0";
  HttpServer server(options, std::move(router));
  try {
    server.start();
  } catch (const std::runtime_error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("::1"), server.port()}, ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::string request = httpRequest("GET", "/healthz", {"Connection: close"});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string answer;
  char chunk[1024];
  for (;;) {
    const std::size_t got = socket.read_some(boost::asio::buffer(chunk), ec);
    answer.append(chunk, got);
    if (ec) break;
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
}

}  // namespace
}  // namespace autobuild::http
