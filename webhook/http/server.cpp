#include "webhook/http/server.h"

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "webhook/http/connection.h"
#include "webhook/http/listen_address.h"
#include "webhook/http/server_context.h"
#include "webhook/http/tls_context.h"

namespace autobuild::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// After a failed accept (e.g. out of file descriptors), wait before the next so the loop does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

void requirePositive(bool ok, std::string_view option) {
  if (!ok) throw std::invalid_argument("server options: " + std::string(option) + " must be positive");
}

void validate(const ServerOptions& options) {
  requirePositive(options.threads > 0, "threads");
  requirePositive(options.max_body_bytes > 0, "max_body_bytes");
  requirePositive(options.max_header_bytes > 0, "max_header_bytes");
  requirePositive(options.header_read_timeout.count() > 0, "header_read_timeout");
  requirePositive(options.request_timeout.count() > 0, "request_timeout");
  requirePositive(options.idle_timeout.count() > 0, "idle_timeout");
  requirePositive(options.write_timeout.count() > 0, "write_timeout");
  requirePositive(options.max_connections > 0, "max_connections");
  requirePositive(options.worker_threads > 0, "worker_threads");
  requirePositive(options.worker_queue_capacity > 0, "worker_queue_capacity");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    throw std::invalid_argument("server options: tls_cert_file and tls_key_file must be set together");
  }
  parseListenAddress(options.listen_address);
}

// The whole answer to a connection over the limit, written without waiting for the client to read.
std::string tooManyConnectionsAnswer(std::chrono::seconds retry_after) {
  const Response response =
      rejectionResponse(503, "TooManyConnections", "the server has too many open connections; retry later");
  return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + response.content_type +
         "\r\nContent-Length: " + std::to_string(response.body.size()) +
         "\r\nRetry-After: " + std::to_string(retry_after.count()) + "\r\nConnection: close\r\n\r\n" +
         response.body;
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions options, Router router)
      : context(std::make_shared<ServerContext>(std::move(options), std::move(router))),
        endpoint(parseListenAddress(context->options.listen_address)),
        acceptor(asio::make_strand(io)),
        accept_retry(acceptor.get_executor()),
        refusal(tooManyConnectionsAnswer(context->options.retry_after)) {
    const auto& o = context->options;
    if (!o.tls_cert_file.empty()) {
      tls = std::make_unique<ReloadingTlsContext>(o.tls_cert_file, o.tls_key_file, o.tls_check_interval);
    }
  }

  void listen() {
    const auto fail = [&](std::string_view step, const error_code& ec) {
      error_code ignored;
      acceptor.close(ignored);
      throw std::runtime_error("listen on " + context->options.listen_address + ": " + std::string(step) +
                               ": " + ec.message());
    };
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) fail("open", ec);
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) fail("set SO_REUSEADDR", ec);
    acceptor.bind(endpoint, ec);
    if (ec) fail("bind", ec);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) fail("listen", ec);
    port = acceptor.local_endpoint().port();
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [this](error_code ec, tcp::socket socket) { onAccept(ec, std::move(socket)); });
  }

  void onAccept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      if (context->stopping.load()) return;
      spdlog::warn("http: accept on {} failed: {}", context->options.listen_address, ec.message());
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](error_code wait_ec) {
        if (!wait_ec && !context->stopping.load()) accept();
      });
      return;
    }
    serve(std::move(socket));
    // Once stopping, the acceptor's close (queued behind this handler on its strand) takes the rest.
    if (!context->stopping.load()) accept();
  }

  void serve(tcp::socket socket) {
    if (context->connections.size() >= context->options.max_connections) {
      refuse(std::move(socket));
    } else if (tls) {
      serveTlsConnection(context, std::move(socket), tls->current());
    } else {
      servePlainConnection(context, std::move(socket));
    }
  }

  // Runs on the acceptor's strand. A client whose connect() returned before the stop has a connection
  // the kernel completed; closing the listening socket would reset the ones still in its accept queue,
  // so they are taken first and served like every connection accepted before the stop.
  void closeAcceptor() {
    error_code ec;
    acceptor.non_blocking(true, ec);
    while (!ec) {
      tcp::socket socket(asio::make_strand(io));
      acceptor.accept(socket, ec);
      if (!ec) serve(std::move(socket));
    }
    acceptor.close(ec);
    accept_retry.cancel();
  }

  // Over the connection limit: a plain client gets a 503 if its socket takes it at once; a TLS client
  // would need a handshake first, which is the work being refused, so it is just closed.
  void refuse(tcp::socket socket) {
    error_code ec;
    if (!tls) {
      socket.non_blocking(true, ec);
      if (!ec) socket.write_some(asio::buffer(refusal), ec);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    if (context->options.access_log) {
      AccessLogEntry entry;
      entry.status = 503;
      try {
        context->options.access_log(entry);
      } catch (const std::exception& e) {
        spdlog::error("http: access log callback failed: {}", e.what());
      }
    }
  }

  void runIo() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: IO thread caught an exception, continuing: {}", e.what());
      }
    }
  }

  void stop() {
    const auto& o = context->options;
    context->stopping.store(true);
    if (!started) {
      context->workers.stop();
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + o.stop_timeout;
    // Connections taken from the accept queue must be registered before the wait for them below. An IO
    // thread held by a handler delays that; the stop timeout bounds it like the rest.
    auto closed = std::make_shared<std::promise<void>>();
    asio::post(acceptor.get_executor(), [this, closed] {
      closeAcceptor();
      closed->set_value();
    });
    closed->get_future().wait_until(deadline);
    for (const auto& connection : context->connections.live()) connection->closeIfIdle();
    if (!context->connections.waitUntilEmpty(deadline)) {
      spdlog::warn("http: {} connections still open {} ms after stop began; closing them",
                   context->connections.size(), o.stop_timeout.count());
      for (const auto& connection : context->connections.live()) connection->close();
    }
    // With the acceptor and every socket closed the IO threads run out of work and return. A handler
    // still running after a forced close posts its answer to a context nobody runs: it is dropped.
    keep_running.reset();
    for (auto& thread : threads) thread.join();
    context->workers.stop();
  }

  // Declaration order is destruction order reversed: the io_context outlives the objects using it.
  std::shared_ptr<ServerContext> context;
  tcp::endpoint endpoint;
  std::unique_ptr<ReloadingTlsContext> tls;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  const std::string refusal;
  // A connection waiting for a worker has no operation pending: this keeps the IO threads in run() for
  // its answer until stop() is done waiting.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};
  bool started = false;
  std::once_flag stop_once;
};

HttpServer::HttpServer(ServerOptions options, Router router) {
  validate(options);
  impl_ = std::make_unique<Impl>(std::move(options), std::move(router));
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  if (impl_->started) throw std::logic_error("http server: start() called twice");
  if (impl_->context->stopping.load()) throw std::logic_error("http server: start() after stop()");
  impl_->listen();
  impl_->started = true;
  impl_->accept();
  impl_->keep_running.emplace(impl_->io.get_executor());
  const std::size_t count = impl_->context->options.threads;
  impl_->threads.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    impl_->threads.emplace_back([impl = impl_.get()] { impl->runIo(); });
  spdlog::info("http: listening on {} (port {}){}", impl_->context->options.listen_address,
               impl_->port.load(), impl_->tls ? " with TLS" : "");
}

void HttpServer::stop() {
  std::call_once(impl_->stop_once, [impl = impl_.get()] { impl->stop(); });
}

std::uint16_t HttpServer::port() const {
  return impl_->port.load();
}
std::size_t HttpServer::inFlight() const {
  return impl_->context->in_flight.load();
}
std::size_t HttpServer::connections() const {
  return impl_->context->connections.size();
}
std::size_t HttpServer::queuedRequests() const {
  return impl_->context->workers.queued();
}

}  // namespace autobuild::http
