#include "webhook/http/connection.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "webhook/http/framing.h"
#include "webhook/http/path_decoding.h"

namespace autobuild::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t kReadChunk = 16 * 1024;
// After an answer that leaves part of the request unread, input is drained for a while before closing:
// closing with unread input makes the kernel send a reset, which can destroy the answer in flight.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);

bool isParseError(const error_code& ec) {
  static const auto& category = bhttp::make_error_code(bhttp::error::end_of_stream).category();
  return ec.category() == category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

Response invokeHandler(const Route& route, const Request& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} failed: {}", request.method, route.path, e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} failed with a non-standard exception", request.method, route.path);
  }
  return rejectionResponse(500, "InternalError", "the request could not be processed");
}

template <class Stream>
class Connection final : public ConnectionControl, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Connection(std::shared_ptr<ServerContext> server, tcp::socket socket, std::shared_ptr<ssl::context> tls)
      : server_(std::move(server)),
        options_(server_->options),
        tls_(std::move(tls)),
        stream_(makeStream(std::move(socket), tls_.get())) {}

  ~Connection() override {
    if (id_ != 0) server_->connections.remove(id_);
  }

  void start() {
    accepted_at_ = Clock::now();
    error_code ec;
    const auto peer = lowest().socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = peer.address().to_string();
      remote_port_ = peer.port();
    }
    id_ = server_->connections.add(this->weak_from_this());
    asio::dispatch(lowest().get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void closeIfIdle() override {
    asio::post(lowest().get_executor(), [self = this->shared_from_this()] {
      // Only a connection kept alive between requests: one accepted just before the stop still gets its
      // first request read and answered (with Connection: close), within the header-read timeout.
      if (self->state_ == State::Idle && !self->first_request_) self->finish();
    });
  }

  void close() override {
    asio::post(lowest().get_executor(), [self = this->shared_from_this()] { self->finish(); });
  }

 private:
  enum class State { Handshake, Idle, Reading, Handling, Writing, Closing, Closed };

  static Stream makeStream(tcp::socket socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void begin() {
    if constexpr (kTls) {
      state_ = State::Handshake;
      lowest().expires_at(accepted_at_ + options_.header_read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (ec) return self->finish();  // not TLS, a failed handshake, or too slow: nothing to answer
        self->waitForRequest();
      });
    } else {
      waitForRequest();
    }
  }

  // Waits for the first byte of the next request, so a connection that is merely kept alive is told
  // apart from one in the middle of a request (stop() closes the first kind at once).
  void waitForRequest() {
    if (server_->stopping.load() && !first_request_) return finish();
    state_ = State::Idle;
    if (buffer_.size() > 0) return readHeader(Clock::now());  // pipelined
    lowest().expires_at(first_request_ ? accepted_at_ + options_.header_read_timeout
                                       : Clock::now() + options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](error_code ec, std::size_t bytes) {
                              if (ec) return self->finish();  // idle timeout, peer gone, or stop
                              self->buffer_.commit(bytes);
                              self->readHeader(self->first_request_ ? self->accepted_at_ : Clock::now());
                            });
  }

  void readHeader(Clock::time_point start) {
    state_ = State::Reading;
    first_request_ = false;
    request_start_ = start;
    request_ = Request{};
    route_ = nullptr;
    status_ = 0;
    in_flight_.emplace(server_->in_flight);
    parser_.emplace();
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options_.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(options_.max_body_bytes);
    lowest().expires_at(start + std::min(options_.header_read_timeout, options_.request_timeout));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void onHeader(error_code ec) {
    if (ec == bhttp::error::header_limit) {
      return reject(431, "HeadersTooLarge",
                    "request header exceeds " + std::to_string(options_.max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) return rejectTooLarge();
    if (isParseError(ec)) return reject(400, "BadRequest", "malformed request: " + ec.message());
    if (ec) return finish();  // timeout, peer gone, or stop

    const auto& header = parser_->get();
    request_.method = std::string(header.method_string());
    request_.target = std::string(header.target());
    request_.version = static_cast<int>(header.version());
    for (const auto& field : header) {
      request_.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    request_.remote_address = remote_address_;
    request_.remote_port = remote_port_;
    request_.tls = kTls;

    if (auto problem = framingProblem(request_.headers, request_.version)) {
      return reject(400, "BadRequest", *problem);
    }
    if (request_.target.empty() || request_.target.front() != '/') {
      return reject(400, "BadRequest", "the request target must be a path beginning with '/'");
    }
    const auto question = request_.target.find('?');
    request_.path = request_.target.substr(0, question);
    if (question != std::string::npos) request_.query = request_.target.substr(question + 1);
    request_.decoded_path = decodePath(request_.path);

    route_ = server_->router.match(request_.path);
    if (route_ == nullptr)
      return respond(rejectionResponse(404, "NotFound", "nothing is served at this path"));
    if (!route_->allows(request_.method)) {
      Response response = rejectionResponse(
          405, "MethodNotAllowed",
          "method " + request_.method + " is not allowed; allowed: " + route_->allowHeader());
      response.headers.add("Allow", route_->allowHeader());
      return respond(std::move(response));
    }
    if (route_->prefix) request_.path_tail = request_.path.substr(route_->path.size());

    if (parser_->is_done()) return dispatch();
    // An HTTP/1.0 client cannot be waiting for a 100 (RFC 9110 section 10.1.1).
    if (request_.version >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
      return sendContinue();
    }
    readBody();
  }

  // The client waits for this before sending its body; it is sent only once the request is known to be
  // routable and within limits, so a refused client never sends a body at all.
  void sendContinue() {
    continue_ = bhttp::response<bhttp::empty_body>(bhttp::status::continue_, 11);
    lowest().expires_at(request_start_ + options_.request_timeout);
    bhttp::async_write(stream_, continue_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->finish();
      self->readBody();
    });
  }

  void readBody() {
    lowest().expires_at(request_start_ + options_.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](error_code ec, std::size_t) { self->onBody(ec); });
  }

  void onBody(error_code ec) {
    if (ec == bhttp::error::body_limit) return rejectTooLarge();
    if (isParseError(ec)) return reject(400, "BadRequest", "malformed request body: " + ec.message());
    if (ec) return finish();  // whole-request timeout, peer gone, or stop
    request_.body = std::move(parser_->get().body());
    dispatch();
  }

  void dispatch() {
    state_ = State::Handling;
    // Nothing is read while the handler runs; the write sets its own deadline.
    lowest().expires_never();
    if (route_->dispatch != Dispatch::WorkerPool) {
      Response response = invokeHandler(*route_, request_);
      if (route_->dispatch == Dispatch::IoThread || !response.defer_to_worker_pool) {
        return respond(std::move(response));
      }
    }

    // The worker reads request_ and route_ while this connection does nothing but wait for the answer.
    request_.on_worker_pool = true;
    auto executor = lowest().get_executor();
    const bool queued = server_->workers.trySubmit([self = this->shared_from_this(), executor] {
      Response response = invokeHandler(*self->route_, self->request_);
      asio::post(executor,
                 [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
    });
    if (!queued) {
      Response response = rejectionResponse(503, "Overloaded", "too many requests in progress; retry later");
      response.headers.add("Retry-After", std::to_string(options_.retry_after.count()));
      respond(std::move(response));
    }
  }

  void rejectTooLarge() {
    reject(413, "PayloadTooLarge",
           "request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
  }

  // A request the server refuses for its form is not trusted to be followed by a well-framed one.
  void reject(int status, std::string_view reason, const std::string& message) {
    Response response = rejectionResponse(status, reason, message);
    response.close_connection = true;
    respond(std::move(response));
  }

  void respond(Response response) {
    if (state_ == State::Closed) return;  // closed by stop() while the handler ran
    state_ = State::Writing;
    if (auto problem = responseProblem(response)) {
      spdlog::error("http: the handler for {} {} returned a response that cannot be sent: {}",
                    request_.method, route_ != nullptr ? route_->path : request_.path, *problem);
      response = rejectionResponse(500, "InternalError", "the request could not be processed");
    }
    // The connection can carry another request only if this one was read to its end.
    const bool keep_alive = parser_->is_done() && parser_->get().keep_alive() && !response.close_connection &&
                            !server_->stopping.load();

    status_ = response.status;
    response_.emplace();
    response_->version(11);
    response_->result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) response_->set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) response_->insert(name, value);
    if (response.status != 204 && response.status != 304) response_->content_length(response.body.size());
    // HEAD: the Content-Length a GET would get, and no body.
    if (request_.method != "HEAD") response_->body() = std::move(response.body);
    response_->keep_alive(keep_alive);

    lowest().expires_after(options_.write_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = this->shared_from_this(), keep_alive](error_code ec, std::size_t bytes) {
                         self->onWritten(ec, bytes, keep_alive);
                       });
  }

  void onWritten(error_code ec, std::size_t bytes, bool keep_alive) {
    response_.reset();
    logAccess(bytes);
    in_flight_.reset();
    if (ec) return finish();
    if (!keep_alive) return closeGracefully();
    // Between requests a kept-alive connection holds no request data, and no more buffer than one read
    // chunk, which its next request reuses: many idle clients cost little.
    request_ = Request{};
    if (buffer_.capacity() > kReadChunk) buffer_.shrink_to_fit();
    waitForRequest();
  }

  void logAccess(std::size_t response_bytes) {
    if (!options_.access_log) return;
    AccessLogEntry entry;
    entry.method = request_.method;
    entry.path = request_.path;
    entry.route = route_ != nullptr ? std::string_view(route_->path) : std::string_view();
    entry.status = status_;
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - request_start_);
    entry.request_body_bytes = request_.body.size();
    entry.response_bytes = response_bytes;
    entry.remote_address = remote_address_;
    try {
      options_.access_log(entry);
    } catch (const std::exception& e) {
      spdlog::error("http: access log callback failed: {}", e.what());
    } catch (...) {
      spdlog::error("http: access log callback failed with a non-standard exception");
    }
  }

  void closeGracefully() {
    state_ = State::Closing;
    if constexpr (kTls) {
      lowest().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->finish(); });
    } else {
      error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      const bool all_read = parser_->is_done() && buffer_.size() == 0;
      if (ec || all_read) return finish();
      lowest().expires_after(kLingerTimeout);
      drain();
    }
  }

  void drain() {
    lowest().async_read_some(asio::buffer(drain_buffer_),
                             [self = this->shared_from_this()](error_code ec, std::size_t bytes) {
                               self->drained_ += bytes;
                               if (ec || self->drained_ > kLingerBytes) return self->finish();
                               self->drain();
                             });
  }

  void finish() {
    state_ = State::Closed;
    lowest().close();
    in_flight_.reset();
  }

  const std::shared_ptr<ServerContext> server_;
  const ServerOptions& options_;
  // Declared before the stream, which uses it: destroyed after it.
  const std::shared_ptr<ssl::context> tls_;
  Stream stream_;
  std::uint64_t id_ = 0;
  State state_ = State::Idle;
  bool first_request_ = true;
  Clock::time_point accepted_at_;
  Clock::time_point request_start_;
  std::string remote_address_;
  std::uint16_t remote_port_ = 0;

  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  const Route* route_ = nullptr;
  std::optional<InFlightRequest> in_flight_;
  bhttp::response<bhttp::empty_body> continue_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  int status_ = 0;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
};

}  // namespace

void servePlainConnection(std::shared_ptr<ServerContext> server, tcp::socket socket) {
  std::make_shared<Connection<PlainStream>>(std::move(server), std::move(socket), nullptr)->start();
}

void serveTlsConnection(std::shared_ptr<ServerContext> server, tcp::socket socket,
                        std::shared_ptr<ssl::context> tls) {
  std::make_shared<Connection<TlsStream>>(std::move(server), std::move(socket), std::move(tls))->start();
}

}  // namespace autobuild::http
