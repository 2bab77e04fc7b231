#include "tests/e2e/faults/api_server_proxy.h"

#include <array>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace autobuild::e2e {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// The segments after the group and version: ["namespaces", "shop", "deployments", "web"].
std::vector<std::string_view> resourceSegments(std::string_view path) {
  auto segments = split(path, '/');
  std::size_t skip = !segments.empty() && segments[0] == "api" ? 2 : 3;  // api/v1 or apis/group/version
  if (segments.size() < skip) return {};
  return {segments.begin() + static_cast<std::ptrdiff_t>(skip), segments.end()};
}

// The request line at the start of `chunk`, if it starts one. Without pipelining (the clients of the
// API server do not pipeline) a request begins with the first bytes a client writes after the previous
// answer, and TLS hands over one record's plaintext per read, never the tail of one record with the
// head of the next; so a request line always starts a chunk, and a chunk that continues a body starts
// with JSON, never with a method and a path.
std::optional<ProxiedRequest> requestLine(std::string_view chunk) {
  auto end = chunk.find("\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = chunk.substr(0, end);
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  if (first == std::string_view::npos || last <= first || line.substr(last + 1).rfind("HTTP/1.", 0) != 0)
    return std::nullopt;
  std::string_view method = line.substr(0, first);
  for (char c : method) {
    if (c < 'A' || c > 'Z') return std::nullopt;
  }
  std::string_view target = line.substr(first + 1, last - first - 1);
  if (target.empty() || target.front() != '/') return std::nullopt;
  return ProxiedRequest{std::string(method), std::string(target), std::chrono::steady_clock::now()};
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("api server proxy: cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string ProxiedRequest::path() const {
  return target.substr(0, target.find('?'));
}

std::string ProxiedRequest::resource() const {
  const std::string p = path();
  auto rest = resourceSegments(p);
  if (rest.size() >= 3 && rest[0] == "namespaces") return std::string(rest[2]);
  return rest.empty() ? "" : std::string(rest[0]);
}

bool ProxiedRequest::isWatch() const {
  auto question = target.find('?');
  if (question == std::string::npos) return false;
  for (auto parameter : split(std::string_view(target).substr(question + 1), '&')) {
    if (parameter == "watch=1" || parameter == "watch=true") return true;
  }
  return false;
}

bool ProxiedRequest::isList() const {
  if (method != "GET" || isWatch()) return false;
  const std::string p = path();
  auto rest = resourceSegments(p);
  return rest.size() == 1 || (rest.size() == 3 && rest[0] == "namespaces");
}

// Everything runs on the proxy's one IO thread, except what the test thread reads and sets under mutex.
struct ApiServerProxy::Impl : std::enable_shared_from_this<ApiServerProxy::Impl> {
  class Session;

  // The TLS contexts outlive the io_context: streams still queued in its handlers use them.
  ssl::context downstream_tls{ssl::context::tls_server};
  ssl::context upstream_tls{ssl::context::tls_client};
  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint upstream;
  std::string kubeconfig;
  std::vector<std::weak_ptr<Session>> sessions;  // IO thread only
  std::thread thread;

  mutable std::mutex mutex;
  std::vector<ProxiedRequest> requests;
  DelayRule rule;
  bool watches_blocked = false;

  void accept();
  void closeWatches();
  // Records the request (its index in `requests` goes to `index`) and returns how long to hold its
  // answer; nullopt: refuse it.
  std::optional<std::chrono::milliseconds> admit(const ProxiedRequest& request, std::size_t& index) {
    std::lock_guard lock(mutex);
    index = requests.size();
    requests.push_back(request);
    if (request.isWatch() && watches_blocked) return std::nullopt;
    return rule ? rule(request) : std::chrono::milliseconds(0);
  }
  void markGone(std::size_t index) {
    std::lock_guard lock(mutex);
    requests[index].gone = true;
  }
};

class ApiServerProxy::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& proxy, tcp::socket client)
      : proxy_(proxy),
        client_(std::move(client), proxy.downstream_tls),
        server_(proxy.io, proxy.upstream_tls),
        delay_(proxy.io) {}

  void start() {
    server_.next_layer().async_connect(proxy_.upstream, [self = shared_from_this()](error_code ec) {
      if (ec) return self->close();  // the API server is down: so is this connection
      self->server_.async_handshake(ssl::stream_base::client, [self](error_code ec) {
        if (ec) return self->close();
        self->client_.async_handshake(ssl::stream_base::server, [self](error_code ec) {
          if (ec) return self->close();
          self->readRequestBytes();
          self->readAnswerBytes();
        });
      });
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    delay_.cancel();
    client_.lowest_layer().close(ignored);
    server_.lowest_layer().close(ignored);
  }

  bool isWatch() const { return watch_; }

 private:
  void readRequestBytes() {
    client_.async_read_some(asio::buffer(up_), [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec || self->closed_) return self->close();
      if (auto request = requestLine(std::string_view(self->up_.data(), n))) {
        self->watch_ = request->isWatch();
        auto delay = self->proxy_.admit(*request, self->request_index_);
        if (!delay) return self->close();
        // Set before the request goes on: its answer cannot come back sooner.
        self->pending_delay_ = *delay;
      }
      asio::async_write(self->server_, asio::buffer(self->up_.data(), n), [self](error_code ec, std::size_t) {
        if (ec || self->closed_) return self->close();
        self->readRequestBytes();
      });
    });
  }

  void readAnswerBytes() {
    server_.async_read_some(asio::buffer(down_), [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec || self->closed_) return self->close();
      // The API server writes each watch event at once: a 410 Gone event comes whole in one chunk.
      if (self->watch_ &&
          std::string_view(self->down_.data(), n).find("\"code\":410") != std::string_view::npos)
        self->proxy_.markGone(self->request_index_);
      auto delay = std::exchange(self->pending_delay_, std::chrono::milliseconds(0));
      if (delay.count() == 0) return self->writeAnswerBytes(n);
      // Holding the first bytes of the answer holds all of it: the rest is read only after they are sent.
      self->delay_.expires_after(delay);
      self->delay_.async_wait([self, n](error_code ec) {
        if (ec || self->closed_) return self->close();
        self->writeAnswerBytes(n);
      });
    });
  }

  void writeAnswerBytes(std::size_t n) {
    asio::async_write(client_, asio::buffer(down_.data(), n),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        if (ec || self->closed_) return self->close();
                        self->readAnswerBytes();
                      });
  }

  Impl& proxy_;
  ssl::stream<tcp::socket> client_;
  ssl::stream<tcp::socket> server_;
  asio::steady_timer delay_;
  std::array<char, 16 * 1024> up_{};
  std::array<char, 16 * 1024> down_{};
  std::chrono::milliseconds pending_delay_{0};
  bool watch_ = false;
  std::size_t request_index_ = 0;  // of the last request, in the proxy's records
  bool closed_ = false;
};

void ApiServerProxy::Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (ec) return;  // closed
    // Forget sessions that ended so the list stays as long as the connections open.
    std::erase_if(self->sessions, [](const auto& s) { return s.expired(); });
    auto session = std::make_shared<Session>(*self, std::move(socket));
    self->sessions.push_back(session);
    session->start();
    self->accept();
  });
}

void ApiServerProxy::Impl::closeWatches() {
  for (const auto& weak : sessions) {
    if (auto session = weak.lock(); session && session->isWatch()) session->close();
  }
}

ApiServerProxy::ApiServerProxy(const testenv::ControlPlane& control_plane, const std::string& name)
    : impl_(std::make_shared<Impl>()) {
  const std::string pki = control_plane.dir() + "/pki/";
  impl_->downstream_tls.use_certificate_chain_file(pki + "apiserver.crt");
  impl_->downstream_tls.use_private_key_file(pki + "apiserver.key", ssl::context::pem);
  impl_->upstream_tls.load_verify_file(pki + "ca.crt");
  impl_->upstream_tls.set_verify_mode(ssl::verify_peer);
  impl_->upstream_tls.use_certificate_file(pki + "admin.crt", ssl::context::pem);
  impl_->upstream_tls.use_private_key_file(pki + "admin.key", ssl::context::pem);

  const std::string& server = control_plane.server();  // https://127.0.0.1:<port>
  auto colon = server.rfind(':');
  impl_->upstream = tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                  static_cast<unsigned short>(std::stoi(server.substr(colon + 1))));
  tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(local.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(local);
  impl_->acceptor.listen();
  const std::string proxy_url =
      "https://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());

  std::string config = readFile(control_plane.kubeconfig());
  auto at = config.find(server);
  if (at == std::string::npos) {
    throw std::runtime_error("api server proxy: " + control_plane.kubeconfig() + " does not name " + server);
  }
  config.replace(at, server.size(), proxy_url);
  impl_->kubeconfig = control_plane.dir() + "/" + name + ".kubeconfig";
  std::ofstream(impl_->kubeconfig) << config;

  impl_->accept();
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

ApiServerProxy::~ApiServerProxy() {
  // Closing the acceptor and every connection leaves the IO thread nothing to wait for: it returns.
  asio::post(impl_->io, [impl = impl_] {
    error_code ignored;
    impl->acceptor.close(ignored);
    for (const auto& weak : impl->sessions) {
      if (auto session = weak.lock()) session->close();
    }
  });
  impl_->thread.join();
}

const std::string& ApiServerProxy::kubeconfig() const {
  return impl_->kubeconfig;
}

std::vector<ProxiedRequest> ApiServerProxy::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

void ApiServerProxy::setDelay(DelayRule rule) {
  std::lock_guard lock(impl_->mutex);
  impl_->rule = std::move(rule);
}

void ApiServerProxy::blockWatches(bool blocked) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->watches_blocked = blocked;
  }
  if (!blocked) return;
  std::promise<void> closed;
  asio::post(impl_->io, [impl = impl_, &closed] {
    impl->closeWatches();
    closed.set_value();
  });
  closed.get_future().wait();
}

}  // namespace autobuild::e2e
