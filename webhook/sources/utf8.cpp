#include "webhook/sources/utf8.h"

#include <cstdint>
#include <cstring>

namespace autobuild::webhook {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct LeadByte {
  int continuations = -1;  // -1: not a lead byte
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xBF;
};

// Unicode Table 3-7 (well-formed UTF-8 byte sequences): the second byte's range depends on the lead.
LeadByte classify(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return {1};
  if (lead == 0xE0) return {2, 0xA0, 0xBF};
  if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) return {2};
  if (lead == 0xED) return {2, 0x80, 0x9F};  // excludes the surrogates
  if (lead == 0xF0) return {3, 0x90, 0xBF};
  if (lead >= 0xF1 && lead <= 0xF3) return {3};
  if (lead == 0xF4) return {3, 0x80, 0x8F};  // nothing above U+10FFFF
  return {};
}

// The length of the well-formed sequence at `i` (a lead byte >= 0x80), or 0 when it is ill-formed.
std::size_t sequenceAt(std::string_view text, std::size_t i) {
  const LeadByte kind = classify(static_cast<unsigned char>(text[i]));
  if (kind.continuations < 0) return 0;
  std::size_t end = i + 1;
  unsigned char low = kind.second_low;
  unsigned char high = kind.second_high;
  for (int k = 0; k < kind.continuations; ++k, ++end) {
    if (end >= text.size()) return 0;
    const auto byte = static_cast<unsigned char>(text[end]);
    if (byte < low || byte > high) return 0;
    low = 0x80;
    high = 0xBF;
  }
  return end - i;
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  // Payloads are mostly ASCII: skip it eight bytes at a time.
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint64_t word;
    if (text.size() - i >= sizeof word) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & kHighBits) == 0) {
        i += sizeof word;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = sequenceAt(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string toValidUtf8(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      valid.push_back(text[i]);
      ++i;
      continue;
    }
    const LeadByte kind = classify(lead);
    if (kind.continuations < 0) {
      valid.append(kReplacement);
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    unsigned char low = kind.second_low;
    unsigned char high = kind.second_high;
    for (int k = 0; k < kind.continuations && end < text.size(); ++k) {
      const auto byte = static_cast<unsigned char>(text[end]);
      if (byte < low || byte > high) break;
      low = 0x80;
      high = 0xBF;
      ++end;
    }
    if (end - i == static_cast<std::size_t>(kind.continuations) + 1) {
      valid.append(text.substr(i, end - i));
    } else {
      valid.append(kReplacement);
    }
    i = end;
  }
  return valid;
}

}  // namespace autobuild::webhook
