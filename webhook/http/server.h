// The internet-facing HTTP/1.1 server: hardened against oversized, malformed, ambiguous and slow requests
// before any route handler runs. It knows nothing of webhooks; the process plugs its routes in.
//
// A request is refused by the server itself, with the JSON body of rejectionResponse, when:
//   its header exceeds max_header_bytes                         431 HeadersTooLarge
//   its body exceeds max_body_bytes (by Content-Length before
//     reading any of it, or while reading a chunked body)       413 PayloadTooLarge
//   its framing is ambiguous (see framingProblem) or malformed  400 BadRequest
//   its target is not a path, or its version is not HTTP/1.x   400 BadRequest
//   no route matches its raw path                               404 NotFound
//   the route does not allow its method                         405 MethodNotAllowed, with Allow
//   the worker queue is full (WorkerPool routes, and
//     IoThreadFirst routes whose handler defers)                503 Overloaded, with Retry-After
//   the connection limit is reached (plain HTTP; TLS: closed)   503 TooManyConnections, with Retry-After
//   the handler throws or returns an unsendable response        500 InternalError
// The connection is closed after each of these answers except 404, 405, 500 and 503 Overloaded, which
// keep it when the request was read to its end. A client that does not send its header within
// header_read_timeout, or its whole request within request_timeout, has its connection closed without
// an answer (slowloris).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "webhook/http/access_log.h"
#include "webhook/http/message.h"
#include "webhook/http/router.h"

namespace autobuild::http {

struct ServerOptions {
  // "host:port", see parseListenAddress: "0.0.0.0:8080", "[::]:8443", "127.0.0.1:0" (a free port).
  std::string listen_address = "0.0.0.0:8080";
  std::size_t threads = 2;  // IO threads: read, parse, answer IoThread routes, write

  std::size_t max_body_bytes = 3 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;  // request line and header fields together
  // From a connection's accept (TLS handshake included) or a later request's first byte to the end of
  // the header.
  std::chrono::milliseconds header_read_timeout{10000};
  // From the same start to the end of the body.
  std::chrono::milliseconds request_timeout{30000};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60000};
  // To write a response to a client that reads it slowly.
  std::chrono::milliseconds write_timeout{30000};
  // Open connections at most; one more is answered 503 (plain) or closed (TLS) right after its accept.
  std::size_t max_connections = 1024;

  // For WorkerPool routes (and IoThreadFirst routes that defer): handlers that may block (Kubernetes API
  // calls) run here, never on IO threads.
  std::size_t worker_threads = 8;
  std::size_t worker_queue_capacity = 64;
  std::chrono::seconds retry_after{1};  // in 503 answers

  // Both set: HTTPS only. The files are looked at again on an accept at most once per interval and
  // reloaded when changed; a pair that fails to load is logged and the previous one kept.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::chrono::milliseconds tls_check_interval{5000};

  // stop(): how long requests in progress get to finish before their connections are closed.
  std::chrono::milliseconds stop_timeout{10000};

  AccessLog access_log;  // optional
};

class HttpServer {
 public:
  // Validates the options and loads the TLS pair. Throws std::invalid_argument naming the bad option, or
  // std::runtime_error naming the TLS file that cannot be used. Does not listen yet.
  HttpServer(ServerOptions options, Router router);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the IO threads. Throws std::runtime_error naming the address when it
  // cannot listen (e.g. already in use). Once only.
  void start();
  // Graceful: takes the connections already in the accept queue and stops accepting, closes idle
  // connections, answers the first request of a connection accepted but not yet used, lets requests in
  // progress finish and answers them with Connection: close, waits up to stop_timeout, then closes what is
  // left. Returns once the IO threads and workers are joined, so a handler still running delays it until it
  // returns. Idempotent.
  void stop();

  // The bound port (after start()): useful with port 0.
  std::uint16_t port() const;
  // Requests whose first byte has arrived and whose response is not yet written.
  std::size_t inFlight() const;
  std::size_t connections() const;
  // WorkerPool requests waiting for a worker (not counting those running).
  std::size_t queuedRequests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace autobuild::http
