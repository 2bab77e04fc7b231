// The limits the server enforces before any handler runs: sizes, timeouts, framing, connections, queue.
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "raw_client.h"
#include "test_support.h"
#include "webhook/http/server.h"

namespace autobuild::http {
namespace {

using testing::Gate;
using testing::httpRequest;
using testing::RawClient;
using namespace std::chrono_literals;

std::string reasonOf(const testing::RawResponse& response) {
  return nlohmann::json::parse(response.body).value("reason", "");
}

class ServerLimitsTest : public ::testing::Test {
 protected:
  void startServer(const std::function<void(ServerOptions&)>& adjust = {}) {
    Router router;
    router.add(testing::healthRoute());
    Route hooks;
    hooks.path = "/hooks/";
    hooks.prefix = true;
    hooks.methods = {"POST"};
    hooks.dispatch = Dispatch::WorkerPool;
    hooks.handler = [this](const Request& request) {
      ++hook_calls_;
      if (block_hooks_) gate_.pass();
      Response response;
      response.status = 202;
      response.body = nlohmann::json{{"received", request.body.size()}, {"body", request.body}}.dump();
      return response;
    };
    router.add(hooks);

    ServerOptions options = testing::testOptions();
    options.access_log = [this](const AccessLogEntry& entry) {
      std::lock_guard lock(mutex_);
      logged_statuses_.push_back(entry.status);
    };
    if (adjust) adjust(options);
    server_ = std::make_unique<HttpServer>(options, std::move(router));
    server_->start();
  }

  void TearDown() override {
    gate_.open();
    if (server_) server_->stop();
  }

  std::vector<int> loggedStatuses() {
    std::lock_guard lock(mutex_);
    return logged_statuses_;
  }

  std::atomic<int> hook_calls_{0};
  std::atomic<bool> block_hooks_{false};
  Gate gate_;
  std::mutex mutex_;
  std::vector<int> logged_statuses_;
  std::unique_ptr<HttpServer> server_;
};

TEST(ServerOptionsDefaults, FollowTheSpec) {
  const ServerOptions options;
  EXPECT_EQ(options.max_body_bytes, 3u * 1024 * 1024);
  EXPECT_EQ(options.max_header_bytes, 64u * 1024);
  EXPECT_EQ(options.header_read_timeout, 10s);
  EXPECT_EQ(options.request_timeout, 30s);
  EXPECT_EQ(options.listen_address, "0.0.0.0:8080");
}

TEST_F(ServerLimitsTest, RefusesAnOversizedBodyByContentLengthWithoutReadingIt) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  // The header announces 10 MiB and no body follows: the answer can only come from the header.
  ASSERT_TRUE(client.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\nContent-Length: 10485760\r\n\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(reasonOf(*response), "PayloadTooLarge");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(hook_calls_, 0);
  EXPECT_TRUE(testing::eventually([&] { return loggedStatuses() == std::vector<int>{413}; }));
}

TEST_F(ServerLimitsTest, RefusesAnOversizedBodyBeforeAskingForItWithExpectContinue) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(
      "POST /hooks/abc HTTP/1.1\r\nHost: test\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(hook_calls_, 0);
}

TEST_F(ServerLimitsTest, AcceptsABodyExactlyAtTheLimit) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("POST", "/hooks/abc", {}, std::string(1024, 'x'))));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(nlohmann::json::parse(response->body)["received"], 1024);
}

TEST_F(ServerLimitsTest, RefusesAChunkedBodyThatGrowsPastTheLimit) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  std::string request = "POST /hooks/abc HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'x') + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(client.send(request));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(reasonOf(*response), "PayloadTooLarge");
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(hook_calls_, 0);
}

TEST_F(ServerLimitsTest, RefusesAChunkAnnouncedPastTheLimitBeforeItsData) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  ASSERT_TRUE(
      client.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(hook_calls_, 0);
}

TEST_F(ServerLimitsTest, AssemblesAChunkedBodyWithinTheLimit) {
  startServer([](ServerOptions& o) { o.max_body_bytes = 1024; });
  RawClient client(server_->port());
  ASSERT_TRUE(
      client.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(nlohmann::json::parse(response->body)["body"], "hello world");
}

TEST_F(ServerLimitsTest, RefusesTenThousandHeadersWith431) {
  startServer();
  RawClient client(server_->port());
  std::string request = "POST /hooks/abc HTTP/1.1\r\nHost: test\r\n";
  for (int i = 0; i < 10000; ++i) request += "X-Header-" + std::to_string(i) + ": value\r\n";
  request += "Content-Length: 2\r\n\r\n{}";
  ASSERT_GT(request.size(), 64u * 1024);
  client.send(request);  // the server may stop reading once it has answered
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(reasonOf(*response), "HeadersTooLarge");
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(hook_calls_, 0);
}

TEST_F(ServerLimitsTest, RefusesOneHugeHeaderFieldWith431) {
  startServer([](ServerOptions& o) { o.max_header_bytes = 4096; });
  RawClient client(server_->port());
  client.send(httpRequest("GET", "/healthz", {"X-Big: " + std::string(8192, 'a')}));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
}

TEST_F(ServerLimitsTest, ClosesAConnectionThatSendsNothing) {
  startServer([](ServerOptions& o) { o.header_read_timeout = 300ms; });
  RawClient client(server_->port());
  ASSERT_TRUE(client.connected());
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
}

TEST_F(ServerLimitsTest, ClosesAConnectionWhoseHeaderTrickles) {
  startServer([](ServerOptions& o) { o.header_read_timeout = 500ms; });
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\n"));
  // Fifty lines a tenth of a second apart: each one within any per-read timeout, the whole far past 500 ms.
  int sent = 0;
  for (; sent < 50; ++sent) {
    if (!client.send("X-Slow-" + std::to_string(sent) + ": a\r\n")) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_LT(sent, 50) << "the server kept reading a header that never ended";
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
  EXPECT_EQ(hook_calls_, 0);
}

TEST_F(ServerLimitsTest, ClosesARequestWhoseBodyNeverFinishes) {
  startServer([](ServerOptions& o) {
    o.header_read_timeout = 5s;
    o.request_timeout = 600ms;
  });
  RawClient client(server_->port());
  ASSERT_TRUE(client.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789"));
  int sent = 0;
  for (; sent < 90; ++sent) {
    if (!client.send("x")) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_LT(sent, 90) << "the server kept reading a body that never ended";
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
  EXPECT_EQ(hook_calls_, 0);
  EXPECT_TRUE(testing::eventually([&] { return server_->inFlight() == 0; }));
}

TEST_F(ServerLimitsTest, ClosesAKeptAliveConnectionLeftIdle) {
  startServer([](ServerOptions& o) { o.idle_timeout = 300ms; });
  RawClient client(server_->port());
  ASSERT_TRUE(client.send(httpRequest("GET", "/healthz")));
  ASSERT_TRUE(client.readResponse());
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
}

class AmbiguousFramingTest : public ServerLimitsTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(AmbiguousFramingTest, IsRefusedWith400AndTheConnectionClosed) {
  startServer();
  RawClient client(server_->port());
  // A smuggled second request rides behind the first: it must never be answered.
  ASSERT_TRUE(client.send(GetParam() + httpRequest("GET", "/healthz")));
  const auto response = client.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(reasonOf(*response), "BadRequest");
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread(), "");
  EXPECT_EQ(hook_calls_, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, AmbiguousFramingTest,
    ::testing::Values(
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: "
        "chunked\r\n\r\n0\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: "
        "5\r\n\r\n0\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\nhello",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nContent-Length: +5\r\n\r\nhello",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /hooks/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
        "chunked\r\n\r\n0\r\n\r\n",
        "POST /hooks/a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));

TEST_F(ServerLimitsTest, RefusesConnectionsBeyondTheLimit) {
  startServer([](ServerOptions& o) { o.max_connections = 2; });
  auto first = std::make_unique<RawClient>(server_->port());
  RawClient second(server_->port());
  for (RawClient* client : {first.get(), &second}) {
    ASSERT_TRUE(client->send(httpRequest("GET", "/healthz")));
    ASSERT_TRUE(client->readResponse());
  }
  ASSERT_EQ(server_->connections(), 2u);

  RawClient third(server_->port());
  const auto refused = third.readResponse();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(reasonOf(*refused), "TooManyConnections");
  EXPECT_EQ(refused->header("Retry-After"), "1");
  EXPECT_TRUE(third.waitForClose());

  // The connections already open are unaffected, and a freed slot is taken again.
  ASSERT_TRUE(second.send(httpRequest("GET", "/healthz")));
  const auto still_served = second.readResponse();
  ASSERT_TRUE(still_served);
  EXPECT_EQ(still_served->status, 200);
  first.reset();
  ASSERT_TRUE(testing::eventually([&] { return server_->connections() < 2; }));
  RawClient fourth(server_->port());
  ASSERT_TRUE(fourth.send(httpRequest("GET", "/healthz")));
  const auto served = fourth.readResponse();
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(ServerLimitsTest, AnswersAFullWorkerQueueWith503WhileHealthzStillAnswers) {
  block_hooks_ = true;
  startServer([](ServerOptions& o) {
    o.threads = 1;
    o.worker_threads = 1;
    o.worker_queue_capacity = 1;
  });
  RawClient running(server_->port());
  ASSERT_TRUE(running.send(httpRequest("POST", "/hooks/running", {}, "{}")));
  ASSERT_TRUE(gate_.waitForArrivals(1));
  RawClient queued(server_->port());
  ASSERT_TRUE(queued.send(httpRequest("POST", "/hooks/queued", {}, "{}")));
  ASSERT_TRUE(testing::eventually([&] { return server_->queuedRequests() == 1; }));

  RawClient shed(server_->port());
  ASSERT_TRUE(shed.send(httpRequest("POST", "/hooks/shed", {}, "{}")));
  const auto overloaded = shed.readResponse();
  ASSERT_TRUE(overloaded);
  EXPECT_EQ(overloaded->status, 503);
  EXPECT_EQ(reasonOf(*overloaded), "Overloaded");
  EXPECT_EQ(overloaded->header("Retry-After"), "1");

  // The one IO thread is free while the worker is stuck: health checks, and the shed client's next request.
  RawClient health(server_->port());
  ASSERT_TRUE(health.send(httpRequest("GET", "/healthz")));
  const auto healthy = health.readResponse();
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  ASSERT_TRUE(shed.send(httpRequest("GET", "/healthz")));
  const auto shed_healthy = shed.readResponse();
  ASSERT_TRUE(shed_healthy);
  EXPECT_EQ(shed_healthy->status, 200);
  EXPECT_TRUE(testing::eventually([&] { return server_->inFlight() == 2; }));  // running and queued

  gate_.open();
  const auto first = running.readResponse();
  const auto second = queued.readResponse();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(second->status, 202);
  EXPECT_EQ(hook_calls_, 2);
}

}  // namespace
}  // namespace autobuild::http
