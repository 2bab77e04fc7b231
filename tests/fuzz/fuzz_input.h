// How the harnesses cut one fuzzer input into the parts of a request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autobuild::fuzz {

// "name: value" lines up to the first empty line, then the body. A line without ':' is a name with an
// empty value, so the fuzzer reaches headers that are present but empty.
struct HeaderedInput {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

inline HeaderedInput splitHeaders(std::string_view text) {
  HeaderedInput input;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty()) {
      break;
    }
    const std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    input.headers.emplace_back(std::string(name), std::string(value));
  }
  input.body = std::string(text);
  return input;
}

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace autobuild::fuzz
