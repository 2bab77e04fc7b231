// ASCII case-insensitive comparison, for header field names and tokens (which are ASCII by definition).
#pragma once

#include <algorithm>
#include <string_view>

namespace autobuild::http {

inline char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

}  // namespace autobuild::http
