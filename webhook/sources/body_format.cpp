#include "webhook/sources/body_format.h"

#include "webhook/sources/ascii.h"

namespace autobuild::webhook {
namespace {

std::string_view trimSpaces(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<BodyFormat> bodyFormatOf(std::string_view content_type) {
  const auto media_type = trimSpaces(content_type.substr(0, content_type.find(';')));
  if (equalsIgnoreCaseAscii(media_type, "application/json")) return BodyFormat::Json;
  if (equalsIgnoreCaseAscii(media_type, "application/x-www-form-urlencoded")) return BodyFormat::Form;
  return std::nullopt;
}

}  // namespace autobuild::webhook
