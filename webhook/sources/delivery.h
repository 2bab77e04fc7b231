// A request as it reached POST /hooks/<id>: the input every Source authenticates and parses.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace autobuild::webhook {

struct Delivery {
  // Header names lower-cased (HTTP header names are case-insensitive); one value per name.
  std::map<std::string, std::string, std::less<>> headers;
  std::string content_type;  // the Content-Type header as sent, parameters included
  std::string body;          // the raw body, byte for byte: signatures cover it as sent
  std::chrono::system_clock::time_point received_at = std::chrono::system_clock::now();

  // Adds or replaces a header; the name is lower-cased.
  void setHeader(std::string_view name, std::string value);
  // The value of a header, looked up case-insensitively; nullptr when absent.
  const std::string* header(std::string_view name) const;
};

}  // namespace autobuild::webhook
