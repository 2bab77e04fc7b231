#include "api/image_reference.h"

#include <algorithm>

namespace autobuild::api {
namespace {

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool isImageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  if (!isAlnum(tag[0]) && tag[0] != '_') return false;
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return isAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

namespace {

// The position of the ':' that starts the tag in the name part (before any '@'), or npos. A ':' after
// the last '/' starts the tag; one before it is a registry port.
std::size_t tagColon(std::string_view name) {
  const auto slash = name.rfind('/');
  const auto colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) return colon;
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string> imageTagOf(std::string_view image) {
  const auto at = image.find('@');
  const std::string_view name = image.substr(0, at);
  if (const auto colon = tagColon(name); colon != std::string_view::npos)
    return std::string(name.substr(colon + 1));
  if (at != std::string_view::npos) return std::nullopt;
  return "latest";
}

std::string_view imageRepositoryOf(std::string_view image) {
  const std::string_view name = image.substr(0, image.find('@'));
  return name.substr(0, tagColon(name));
}

std::string imageWithTag(std::string_view image, std::string_view tag) {
  std::string out(imageRepositoryOf(image));
  out += ':';
  out += tag;
  return out;
}

}  // namespace autobuild::api
