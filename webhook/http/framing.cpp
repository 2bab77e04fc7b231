#include "webhook/http/framing.h"

#include <algorithm>

#include "webhook/http/ascii_case.h"

namespace autobuild::http {
namespace {

// Longer values cannot fit in 64 bits; the body limit refuses big ones long before that anyway.
constexpr std::size_t kMaxContentLengthDigits = 19;

std::string_view trimmed(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = value.find_last_not_of(" \t");
  return value.substr(first, last - first + 1);
}

bool isDecimal(std::string_view value) {
  return !value.empty() && value.size() <= kMaxContentLengthDigits &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<std::string> framingProblem(const Headers& headers, int version) {
  const std::size_t content_lengths = headers.count("Content-Length");
  const std::size_t transfer_encodings = headers.count("Transfer-Encoding");
  if (content_lengths > 1) return "more than one Content-Length header";
  if (content_lengths == 1 && !isDecimal(trimmed(*headers.find("Content-Length")))) {
    return "Content-Length is not a decimal number";
  }
  if (content_lengths == 1 && transfer_encodings > 0) return "both Content-Length and Transfer-Encoding";
  if (transfer_encodings > 1) return "more than one Transfer-Encoding header";
  if (transfer_encodings == 1) {
    if (version < 11) return "Transfer-Encoding on an HTTP/1.0 request";
    if (!equalsIgnoringCase(trimmed(*headers.find("Transfer-Encoding")), "chunked")) {
      return "unsupported Transfer-Encoding (only chunked is accepted)";
    }
  }
  if (version >= 11) {
    const std::size_t hosts = headers.count("Host");
    if (hosts == 0) return "missing Host header";
    if (hosts > 1) return "more than one Host header";
  }
  return std::nullopt;
}

}  // namespace autobuild::http
