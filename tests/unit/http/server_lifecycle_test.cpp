// Starting, stopping and the options the server refuses.
#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "test_support.h"
#include "webhook/http/server.h"

namespace autobuild::http {
namespace {

using testing::Gate;
using testing::httpRequest;
using testing::RawClient;
using namespace std::chrono_literals;

Router routesWithBlockingHook(Gate& gate, std::atomic<int>& finished) {
  Router router;
  router.add(testing::healthRoute());
  Route hooks;
  hooks.path = "/hooks/";
  hooks.prefix = true;
  hooks.methods = {"POST"};
  hooks.dispatch = Dispatch::WorkerPool;
  hooks.handler = [&gate, &finished](const Request&) {
    gate.pass();
    ++finished;
    Response response;
    response.status = 202;
    response.body = "{}";
    return response;
  };
  router.add(hooks);
  return router;
}

TEST(ServerLifecycle, StopLetsARequestInProgressFinishAndClosesItsConnection) {
  Gate gate;
  std::atomic<int> finished{0};
  ServerOptions options = testing::testOptions();
  options.stop_timeout = 30s;
  HttpServer server(options, routesWithBlockingHook(gate, finished));
  server.start();

  RawClient busy(server.port());
  ASSERT_TRUE(busy.send(httpRequest("POST", "/hooks/abc", {}, "{}")));
  ASSERT_TRUE(gate.waitForArrivals(1));
  EXPECT_EQ(server.inFlight(), 1u);

  RawClient idle(server.port());
  ASSERT_TRUE(idle.send(httpRequest("GET", "/healthz")));
  ASSERT_TRUE(idle.readResponse());

  auto stopped = std::async(std::launch::async, [&] { server.stop(); });
  // A kept-alive connection with nothing in progress is closed at once; the busy one is waited for.
  EXPECT_TRUE(idle.waitForClose());
  EXPECT_EQ(stopped.wait_for(200ms), std::future_status::timeout) << "stop() did not wait for the request";
  EXPECT_TRUE(testing::eventually([&] { return !RawClient(server.port()).connected(); }))
      << "a stopping server kept accepting connections";

  gate.open();
  const auto response = busy.readResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->header("Connection"), "close");
  EXPECT_TRUE(busy.waitForClose());
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(server.inFlight(), 0u);
  EXPECT_EQ(server.connections(), 0u);
}

TEST(ServerLifecycle, AConnectionAcceptedBeforeStopHasItsFirstRequestAnswered) {
  Gate gate;
  std::atomic<int> finished{0};
  ServerOptions options = testing::testOptions();
  options.stop_timeout = 30s;
  HttpServer server(options, routesWithBlockingHook(gate, finished));
  server.start();

  RawClient busy(server.port());  // keeps stop() waiting while the fresh connection speaks
  ASSERT_TRUE(busy.send(httpRequest("POST", "/hooks/abc", {}, "{}")));
  ASSERT_TRUE(gate.waitForArrivals(1));
  RawClient fresh(server.port());
  ASSERT_TRUE(testing::eventually([&] { return server.connections() == 2u; }));

  auto stopped = std::async(std::launch::async, [&] { server.stop(); });
  ASSERT_TRUE(testing::eventually([&] { return !RawClient(server.port()).connected(); }));
  // A load balancer sent this connection here before the stop: its request is answered, not reset.
  ASSERT_TRUE(fresh.send(httpRequest("GET", "/healthz")));
  const auto answer = fresh.readResponse();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("Connection"), "close");
  EXPECT_TRUE(fresh.waitForClose());

  gate.open();
  ASSERT_TRUE(busy.readResponse());
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
}

TEST(ServerLifecycle, AConnectionStillInTheAcceptQueueWhenStopBeginsIsAnsweredNotReset) {
  Gate gate;
  std::atomic<int> finished{0};
  ServerOptions options = testing::testOptions();
  options.threads = 1;
  options.stop_timeout = 30s;
  Router router = routesWithBlockingHook(gate, finished);
  Route held;
  held.path = "/held";
  held.methods = {"POST"};
  held.dispatch = Dispatch::IoThread;  // holds the only IO thread, so nothing is accepted meanwhile
  held.handler = [&gate](const Request&) {
    gate.pass();
    return Response{};
  };
  router.add(held);
  HttpServer server(options, std::move(router));
  server.start();

  RawClient busy(server.port());
  ASSERT_TRUE(busy.send(httpRequest("POST", "/held", {}, "{}")));
  ASSERT_TRUE(gate.waitForArrivals(1));
  // connect() returns once the kernel has completed the connection; the server has not accepted it.
  RawClient queued(server.port());
  ASSERT_TRUE(queued.connected());
  EXPECT_EQ(server.connections(), 1u);

  auto stopped = std::async(std::launch::async, [&] { server.stop(); });
  EXPECT_EQ(stopped.wait_for(100ms), std::future_status::timeout);
  gate.open();
  ASSERT_TRUE(busy.readResponse());
  ASSERT_TRUE(queued.send(httpRequest("GET", "/healthz")));
  const auto answer = queued.readResponse();
  ASSERT_TRUE(answer) << "a connection the kernel completed before the stop was reset";
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->header("Connection"), "close");
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(RawClient(server.port()).connected());
}

TEST(ServerLifecycle, StopClosesWhatIsLeftAfterItsTimeout) {
  Gate gate;
  std::atomic<int> finished{0};
  ServerOptions options = testing::testOptions();
  options.stop_timeout = 300ms;
  options.request_timeout = 60s;
  options.header_read_timeout = 60s;
  HttpServer server(options, routesWithBlockingHook(gate, finished));
  server.start();

  // A request whose body is still coming: in progress, but no handler holds it.
  RawClient slow(server.port());
  ASSERT_TRUE(slow.send("POST /hooks/abc HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n{"));
  ASSERT_TRUE(testing::eventually([&] { return server.inFlight() == 1; }));

  auto stopped = std::async(std::launch::async, [&] { server.stop(); });
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(slow.waitForClose());
  EXPECT_EQ(slow.unread(), "");
  EXPECT_EQ(finished, 0);
}

TEST(ServerLifecycle, StopWithoutStartAndTwiceIsHarmless) {
  Gate gate;
  std::atomic<int> finished{0};
  HttpServer never_started(testing::testOptions(), routesWithBlockingHook(gate, finished));
  never_started.stop();

  HttpServer server(testing::testOptions(), routesWithBlockingHook(gate, finished));
  server.start();
  server.stop();
  server.stop();
  EXPECT_THROW(server.start(), std::logic_error);
}

TEST(ServerLifecycle, RefusesToListenOnAnAddressInUse) {
  Gate gate;
  std::atomic<int> finished{0};
  HttpServer first(testing::testOptions(), routesWithBlockingHook(gate, finished));
  first.start();

  ServerOptions options = testing::testOptions();
  options.listen_address = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second(options, routesWithBlockingHook(gate, finished));
  try {
    second.start();
    FAIL() << "two servers listened on one port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(options.listen_address), std::string::npos) << e.what();
  }
}

TEST(ServerLifecycle, RefusesInvalidOptionsNamingThem) {
  const auto refusal = [](const std::function<void(ServerOptions&)>& adjust) -> std::string {
    ServerOptions options = testing::testOptions();
    adjust(options);
    try {
      HttpServer server(options, Router{});
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(refusal([](ServerOptions& o) { o.threads = 0; }).find("threads"), std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.worker_threads = 0; }).find("worker_threads"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.worker_queue_capacity = 0; }).find("worker_queue_capacity"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.max_body_bytes = 0; }).find("max_body_bytes"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.max_connections = 0; }).find("max_connections"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.header_read_timeout = 0ms; }).find("header_read_timeout"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.tls_cert_file = "/tmp/cert.pem"; }).find("tls_key_file"),
            std::string::npos);
  EXPECT_NE(refusal([](ServerOptions& o) { o.listen_address = "nowhere"; }).find("nowhere"),
            std::string::npos);
}

}  // namespace
}  // namespace autobuild::http
