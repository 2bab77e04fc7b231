#include "api/duration.h"

#include <cstdint>
#include <utility>

namespace autobuild::api {

namespace {

constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // magnitude of the most negative duration

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::optional<std::uint64_t> unitNanoseconds(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
      {"ns", 1},          {"us", 1'000},        {"\u00b5s", 1'000},  // micro sign
      {"\u03bcs", 1'000},                                            // Greek small letter mu
      {"ms", 1'000'000},  {"s", 1'000'000'000}, {"m", 60'000'000'000}, {"h", 3'600'000'000'000},
  };
  for (const auto& [name, nanoseconds] : kUnits) {
    if (name == unit) return nanoseconds;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parseDuration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return std::nullopt;

  std::uint64_t total = 0;
  while (!text.empty()) {
    if (!isDigit(text.front()) && text.front() != '.') return std::nullopt;

    std::uint64_t whole = 0;
    std::size_t whole_digits = 0;
    for (; whole_digits < text.size() && isDigit(text[whole_digits]); ++whole_digits) {
      if (whole > (kLimit - 1) / 10) return std::nullopt;
      whole = whole * 10 + static_cast<std::uint64_t>(text[whole_digits] - '0');
      if (whole > kLimit) return std::nullopt;
    }
    text.remove_prefix(whole_digits);

    // As Go does, fraction digits beyond what 64 bits hold are read but ignored.
    std::uint64_t fraction = 0;
    double scale = 1;
    std::size_t fraction_digits = 0;
    if (!text.empty() && text.front() == '.') {
      text.remove_prefix(1);
      bool overflowed = false;
      for (; fraction_digits < text.size() && isDigit(text[fraction_digits]); ++fraction_digits) {
        if (overflowed) continue;
        if (fraction > (kLimit - 1) / 10) {
          overflowed = true;
          continue;
        }
        const std::uint64_t next = fraction * 10 + static_cast<std::uint64_t>(text[fraction_digits] - '0');
        if (next > kLimit) {
          overflowed = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      text.remove_prefix(fraction_digits);
    }
    if (whole_digits == 0 && fraction_digits == 0) return std::nullopt;

    std::size_t unit_length = 0;
    while (unit_length < text.size() && !isDigit(text[unit_length]) && text[unit_length] != '.')
      ++unit_length;
    const std::optional<std::uint64_t> unit = unitNanoseconds(text.substr(0, unit_length));
    if (!unit) return std::nullopt;
    text.remove_prefix(unit_length);

    if (whole > kLimit / *unit) return std::nullopt;
    std::uint64_t value = whole * *unit;
    if (fraction > 0) {
      value +=
          static_cast<std::uint64_t>(static_cast<double>(fraction) * (static_cast<double>(*unit) / scale));
      if (value > kLimit) return std::nullopt;
    }
    total += value;
    if (total > kLimit) return std::nullopt;
  }
  if (negative) return std::chrono::nanoseconds(static_cast<std::int64_t>(0 - total));
  if (total > kLimit - 1) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
}

}  // namespace autobuild::api
