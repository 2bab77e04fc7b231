#include "controller/probe_server.h"

#include <chrono>
#include <stdexcept>
// Boost 1.74's asio uses std::exchange without including <utility> in C++20 mode.
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace autobuild::controller {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct ProbeServer::State {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::function<bool()> ready;
};

namespace {

// One request per connection, answered and closed; a client that does not send a request within the
// deadline is dropped.
class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  ProbeSession(tcp::socket socket, const std::function<bool()>& ready)
      : stream_(std::move(socket)), ready_(ready) {}

  void start() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->answer(ec); });
  }

 private:
  void answer(beast::error_code ec) {
    if (ec) return;
    http::status status = http::status::not_found;
    std::string body = "not found\n";
    if (request_.method() != http::verb::get) {
      status = http::status::method_not_allowed;
      body = "method not allowed\n";
    } else if (request_.target() == "/healthz") {
      status = http::status::ok;
      body = "ok\n";
    } else if (request_.target() == "/readyz") {
      bool ok = ready_();
      status = ok ? http::status::ok : http::status::service_unavailable;
      body = ok ? "ok\n" : "not ready\n";
    }
    response_.result(status);
    response_.set(http::field::content_type, "text/plain");
    response_.keep_alive(false);
    response_.body() = std::move(body);
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  const std::function<bool()>& ready_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void acceptLoop(tcp::acceptor& acceptor, const std::function<bool()>& ready) {
  acceptor.async_accept([&acceptor, &ready](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<ProbeSession>(std::move(socket), ready)->start();
    acceptLoop(acceptor, ready);
  });
}

}  // namespace

ProbeServer::ProbeServer(const std::string& address, std::function<bool()> ready)
    : state_(std::make_unique<State>()) {
  state_->ready = std::move(ready);
  auto colon = address.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--health-addr " + address + ": expected host:port");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    tcp::endpoint endpoint(asio::ip::make_address(host),
                           static_cast<unsigned short>(std::stoi(address.substr(colon + 1))));
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(asio::socket_base::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const std::exception& e) {
    throw std::runtime_error("--health-addr " + address + ": cannot listen: " + e.what());
  }
  acceptLoop(state_->acceptor, state_->ready);
  thread_ = std::thread([this] { state_->io.run(); });
}

ProbeServer::~ProbeServer() {
  asio::post(state_->io, [this] {
    beast::error_code ignored;
    state_->acceptor.close(ignored);
  });
  state_->io.stop();
  thread_.join();
}

unsigned short ProbeServer::port() const {
  return state_->acceptor.local_endpoint().port();
}

}  // namespace autobuild::controller
