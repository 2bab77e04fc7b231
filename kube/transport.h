// The HTTP transport to the API server: the one seam between the client library and the HTTP stack
// behind it (cpprestsdk today), so the stack can be replaced without touching anything above.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "kube/config.h"

namespace autobuild::kube {

// No HTTP response: connection refused, TLS failure, timeout, cancellation. The message names the
// server and the cause.
class TransportError : public std::runtime_error {
 public:
  enum class Kind { Connect, Tls, Timeout, Cancelled, Other };
  TransportError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct HttpRequest {
  std::string method;        // GET, POST, PUT, PATCH, DELETE
  std::string target;        // path and query: /api/v1/namespaces/x/pods?limit=500
  std::string content_type;  // empty: no body
  std::string body;
  std::chrono::milliseconds timeout{30000};  // for a stream: the longest silence allowed between lines
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// A response body consumed line by line as it arrives, for watches.
class LineStream {
 public:
  virtual ~LineStream() = default;
  // The next line without its newline; nullopt once the server ends the body. Throws TransportError.
  virtual std::optional<std::string> nextLine() = 0;
  // Unblocks a nextLine() waiting in another thread; it then throws TransportError(Cancelled).
  virtual void cancel() = 0;
};

struct StreamResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string error_body;             // the whole body when status is not 2xx
  std::unique_ptr<LineStream> lines;  // set when status is 2xx
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
  // Returns as soon as the response headers have arrived.
  virtual StreamResponse stream(const HttpRequest& request) = 0;
  // Cancels every request in flight and refuses new ones (TransportError Cancelled).
  virtual void shutdown() = 0;
  virtual const std::string& server() const = 0;
};

// The cpprestsdk transport. Authenticates with the config's client certificate or bearer token (the
// token_file, when set, is read again whenever it changes). When ca_pem is set only that CA is trusted.
// Throws ConfigError when the server URL, CA, certificate or key is unusable. Streams it opened keep
// working after the transport is destroyed; shutdown() ends them. The first call sizes cpprest's
// process-wide IO pool (4 threads, not its 40) unless something in the process used cpprest before.
std::shared_ptr<Transport> makeCpprestTransport(const ClientConfig& config);

}  // namespace autobuild::kube
