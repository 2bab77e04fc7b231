#include "api/syntax.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace autobuild::api {

namespace {

bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isAlnum(char c) {
  return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// One label of a DNS name, with letters of either case when `any_case`.
bool isDnsLabelPart(std::string_view label, bool any_case) {
  const auto alnum = any_case ? isAlnum : isLowerAlnum;
  if (label.empty() || !alnum(label.front()) || !alnum(label.back())) return false;
  return std::all_of(label.begin(), label.end(), [alnum](char c) { return alnum(c) || c == '-'; });
}

// A path component of an image name: lowercase alphanumeric runs joined by ".", "_", "__" or a run
// of "-" (the distribution reference grammar).
bool isImagePathComponent(std::string_view component) {
  if (component.empty() || !isLowerAlnum(component.front()) || !isLowerAlnum(component.back())) return false;
  std::size_t i = 0;
  while (i < component.size()) {
    if (isLowerAlnum(component[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < component.size() && !isLowerAlnum(component[i])) ++i;
    const std::string_view separator = component.substr(start, i - start);
    const bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
    if (separator != "." && separator != "_" && separator != "__" && !dashes) return false;
  }
  return true;
}

// A registry host: DNS labels of either case joined by '.', with an optional ":port".
bool isRegistryHost(std::string_view host) {
  const std::size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), isDigit)) return false;
    host = host.substr(0, colon);
  }
  const std::vector<std::string_view> labels = split(host, '.');
  return std::all_of(labels.begin(), labels.end(),
                     [](std::string_view label) { return isDnsLabelPart(label, true); });
}

bool isCharacterClass(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kClasses = {"alnum", "alpha", "blank", "cntrl",
                                                                "digit", "graph", "lower", "print",
                                                                "punct", "space", "upper", "xdigit"};
  return std::find(kClasses.begin(), kClasses.end(), name) != kClasses.end();
}

// The end (one past the closing ']') of the bracket expression opening at pattern[open], or npos when
// it is not closed or holds an unknown "[:class:]" or an empty "[=...=]" / "[.....]".
std::size_t bracketEnd(std::string_view pattern, std::size_t open) {
  std::size_t i = open + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;  // a ']' first is a member, not the end
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == ']') return i + 1;
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '[' && i + 1 < pattern.size() &&
        (pattern[i + 1] == ':' || pattern[i + 1] == '=' || pattern[i + 1] == '.')) {
      const char delimiter = pattern[i + 1];
      const std::size_t close = pattern.find(std::string{delimiter, ']'}, i + 2);
      if (close == std::string_view::npos) return std::string_view::npos;
      const std::string_view name = pattern.substr(i + 2, close - (i + 2));
      if (name.empty() || (delimiter == ':' && !isCharacterClass(name))) return std::string_view::npos;
      i = close + 2;
      continue;
    }
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

bool isDnsSubdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  const std::vector<std::string_view> labels = split(name, '.');
  return std::all_of(labels.begin(), labels.end(),
                     [](std::string_view label) { return isDnsLabelPart(label, false); });
}

bool isDnsLabel(std::string_view name) {
  return name.size() <= 63 && isDnsLabelPart(name, false);
}

bool isSecretKey(std::string_view key) {
  if (key.empty() || key.size() > 253 || key == "." || key.starts_with("..")) return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool isGitRepositoryPath(std::string_view path) {
  if (path.size() > 255) return false;
  const std::vector<std::string_view> parts = split(path, '/');
  if (parts.size() < 2) return false;
  return std::all_of(parts.begin(), parts.end(), [](std::string_view part) {
    if (part.empty() || part == "." || part == "..") return false;
    return std::all_of(part.begin(), part.end(),
                       [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
  });
}

bool isDockerHubRepository(std::string_view repository) {
  const std::vector<std::string_view> parts = split(repository, '/');
  return repository.size() <= 255 && parts.size() == 2 && isImagePathComponent(parts[0]) &&
         isImagePathComponent(parts[1]);
}

bool isImageRepository(std::string_view repository) {
  if (repository.empty() || repository.size() > 255) return false;
  const std::vector<std::string_view> parts = split(repository, '/');
  // The first part is either a path component ("acme" in "acme/web") or, with more parts following, a
  // registry host ("registry.example.com:5000"); the rest are path components.
  const bool first_ok = isImagePathComponent(parts[0]) || (parts.size() > 1 && isRegistryHost(parts[0]));
  return first_ok && std::all_of(parts.begin() + 1, parts.end(), isImagePathComponent);
}

bool isValidGlob(std::string_view pattern) {
  if (pattern.empty()) return false;
  std::size_t i = 0;
  while (i < pattern.size()) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 == pattern.size()) return false;
        i += 2;
        break;
      case '[': {
        const std::size_t end = bracketEnd(pattern, i);
        if (end == std::string_view::npos) return false;
        i = end;
        break;
      }
      default:
        ++i;
    }
  }
  return true;
}

}  // namespace autobuild::api
