#include "webhook/http/path_decoding.h"

namespace autobuild::http {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isDotSegment(std::string_view segment) {
  return segment == "." || segment == "..";
}

}  // namespace

std::optional<std::string> decodePath(std::string_view raw) {
  std::string decoded;
  decoded.reserve(raw.size());
  std::size_t segment_start = 0;  // index in `decoded` where the current segment begins
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      const int high = hexValue(raw[i + 1]);
      const int low = hexValue(raw[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      c = static_cast<char>(high * 16 + low);
      if (c == '/') return std::nullopt;  // an encoded separator would change the segments
      i += 2;
    } else if (c == '/') {
      if (isDotSegment(std::string_view(decoded).substr(segment_start))) return std::nullopt;
      decoded.push_back(c);
      segment_start = decoded.size();
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    // A backslash is a separator to some consumers: refuse it raw as well as encoded.
    if (byte < 0x20 || byte == 0x7f || c == '\\') return std::nullopt;
    decoded.push_back(c);
  }
  if (isDotSegment(std::string_view(decoded).substr(segment_start))) return std::nullopt;
  return decoded;
}

}  // namespace autobuild::http
