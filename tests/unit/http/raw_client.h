// A deliberately plain HTTP client over a POSIX socket, so tests can send requests no library would
// produce (conflicting framing, endless headers, a body that never ends) and see exactly what comes back.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autobuild::http::testing {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; connected() says whether that worked.
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `data`; false when the server has closed or reset the connection.
  bool send(std::string_view data);
  // Reads one response framed by Content-Length (none: no body). With `head`, the body is not read.
  // nullopt when the connection ends or `timeout` passes before a whole response arrived.
  std::optional<RawResponse> readResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                          bool head = false);
  // True when the server closes (or resets) the connection within `timeout`; bytes arriving meanwhile
  // are kept in unread().
  bool waitForClose(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  const std::string& unread() const { return pending_; }

 private:
  enum class Fill { Data, Closed, TimedOut };
  Fill fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;
};

// "<method> <target> HTTP/1.1" with Host, the given extra lines ("Name: value"), and the body with a
// Content-Length when it is not empty.
std::string httpRequest(std::string_view method, std::string_view target,
                        const std::vector<std::string>& extra_headers = {}, std::string_view body = {});

}  // namespace autobuild::http::testing
