#include "webhook/sources/image_reference.h"

#include <algorithm>

namespace autobuild::webhook {
namespace {

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool isLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isSeparator(char c) {
  return c == '.' || c == '_' || c == '-' || c == '/';
}

}  // namespace

bool isValidImageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  if (!isAlnum(tag[0]) && tag[0] != '_') return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

bool isValidImageRepository(std::string_view repository) {
  if (repository.empty() || repository.size() > 255) return false;
  if (!isLowerAlnum(repository.front()) || !isLowerAlnum(repository.back())) return false;
  return std::all_of(repository.begin(), repository.end(),
                     [](char c) { return isLowerAlnum(c) || isSeparator(c); });
}

std::optional<std::string> imageTagOf(std::string_view image) {
  const auto at = image.find('@');
  const bool has_digest = at != std::string_view::npos;
  const std::string_view name = image.substr(0, at);
  // A ':' after the last '/' starts the tag; one before it is a registry port.
  const auto slash = name.rfind('/');
  const auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    return std::string(name.substr(colon + 1));
  }
  if (has_digest) return std::nullopt;
  return "latest";
}

}  // namespace autobuild::webhook
