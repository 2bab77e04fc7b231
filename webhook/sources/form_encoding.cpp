#include "webhook/sources/form_encoding.h"

#include <algorithm>

#include "webhook/sources/payload_error.h"

namespace autobuild::webhook {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `offset` is where `component` starts in the body, so errors point into the body as sent.
std::string decodeAt(std::string_view component, std::size_t offset) {
  std::string decoded;
  decoded.reserve(component.size());
  for (std::size_t i = 0; i < component.size(); ++i) {
    const char c = component[i];
    if (c == '+') {
      decoded.push_back(' ');
    } else if (c != '%') {
      decoded.push_back(c);
    } else {
      const int high = i + 1 < component.size() ? hexValue(component[i + 1]) : -1;
      const int low = i + 2 < component.size() ? hexValue(component[i + 2]) : -1;
      if (high < 0 || low < 0) {
        throw PayloadError("body is not valid form encoding: malformed percent escape at byte " +
                           std::to_string(offset + i) + " (\"%\" must be followed by two hex digits)");
      }
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return decoded;
}

}  // namespace

std::string decodeFormComponent(std::string_view component) {
  return decodeAt(component, 0);
}

std::optional<std::string> formField(std::string_view body, std::string_view name) {
  std::optional<std::string> found;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    const std::string_view field = body.substr(start, end - start);
    if (!field.empty()) {
      const std::size_t equals = field.find('=');
      const std::string_view raw_name = field.substr(0, equals);
      const std::string decoded_name = decodeAt(raw_name, start);
      if (equals == std::string_view::npos) {
        if (!found && decoded_name == name) found = std::string();
      } else {
        std::string value = decodeAt(field.substr(equals + 1), start + equals + 1);
        if (!found && decoded_name == name) found = std::move(value);
      }
    }
    start = end + 1;
  }
  return found;
}

}  // namespace autobuild::webhook
