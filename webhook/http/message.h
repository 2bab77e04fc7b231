// The request a route handler receives and the response it returns. The server owns the wire format:
// framing fields (Content-Length, Transfer-Encoding, Connection) are its business, never the handler's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autobuild::http {

// Header fields in the order received; names compare case-insensitively, repeated names are kept.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);
  // The first value of `name`, or nullptr when absent.
  const std::string* find(std::string_view name) const;
  // How many fields are named `name` (a signature header sent twice is the handler's to refuse).
  std::size_t count(std::string_view name) const;

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

struct Request {
  std::string method;  // as sent; methods are case-sensitive
  std::string target;  // the raw request-target, e.g. "/hooks/abc?x=1"
  // The target up to '?', exactly as sent: never decoded, never normalized. Routes match on it, so
  // "/hooks/../healthz" reaches the /hooks/ route, never /healthz.
  std::string path;
  std::string query;  // after '?', raw; empty when absent
  // `path` percent-decoded, or nullopt when decoding it would be unsafe (see decodePath).
  std::optional<std::string> decoded_path;
  // For a prefix route, the part of `path` after the prefix (for "/hooks/" and "/hooks/abc": "abc").
  std::string path_tail;
  int version = 11;  // 10 or 11
  Headers headers;
  std::string body;            // complete and within the body limit when the handler runs
  std::string remote_address;  // peer IP
  std::uint16_t remote_port = 0;
  bool tls = false;
  bool on_worker_pool = false;  // the handler runs on the worker pool, where it may block (router.h)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  // Extra fields. The framing fields (Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade,
  // Trailer) and Content-Type are reserved: see responseProblem.
  Headers headers;
  std::string body;
  bool close_connection = false;  // ask the server to close the connection after this response
  // From an IoThreadFirst route's handler on the IO thread only: call it again on the worker pool
  // (router.h). The rest of the response is not sent.
  bool defer_to_worker_pool = false;
};

// Why the server cannot send `response` as it is, or nullopt: a status outside 200-599, a body on a 204
// or 304, a reserved header field, or a field name or value (or content type) that is not valid on the
// wire (a CR or LF would let a value inject fields), or a deferral to the worker pool where none can be
// (anywhere but the IO thread of an IoThreadFirst route). The server sends a 500 instead and logs this.
std::optional<std::string> responseProblem(const Response& response);

// The error body every refusal carries (SPEC section 3):
// {"result":"Rejected","reason":<reason>,"message":<message>} as application/json.
Response rejectionResponse(int status, std::string_view reason, std::string_view message);

}  // namespace autobuild::http
