// What the server reports after each response it sends, so the process can log one line per request and
// feed its metrics.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

namespace autobuild::http {

// The views are valid only during the callback.
struct AccessLogEntry {
  std::string_view method;  // empty when the request line could not be read
  std::string_view path;    // raw, as sent: quote it, never use it as a metric label
  std::string_view route;   // the matched route's path ("/hooks/"), empty when none matched
  int status = 0;
  std::chrono::microseconds duration{0};  // from the request's first byte to the response's last
  std::size_t request_body_bytes = 0;
  std::size_t response_bytes = 0;  // header and body as written
  std::string_view remote_address;
};

// Runs on an IO thread after the response is written (or failed to be): it must be quick and must not
// block. An exception it throws is logged and otherwise ignored.
using AccessLog = std::function<void(const AccessLogEntry&)>;

}  // namespace autobuild::http
