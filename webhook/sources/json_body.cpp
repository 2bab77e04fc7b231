#include "webhook/sources/json_body.h"

#include <string>

#include "webhook/sources/payload_error.h"
#include "webhook/sources/plain_json_reader.h"
#include "webhook/sources/utf8.h"

namespace autobuild::webhook {
using Json = nlohmann::json;

bool JsonShapeCheck::string(string_t& text) {
  if (depth_ == 1) topLevelString(text);
  return depth_ == 0 ? fail("body is not a JSON object") : true;
}

bool JsonShapeCheck::key(string_t& name) {
  if (depth_ == 1) topLevelKey(name);
  return true;
}

bool JsonShapeCheck::start_array(std::size_t) {
  if (depth_ == 0) return fail("body is not a JSON object");
  return open();
}

bool JsonShapeCheck::parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
  return fail("body is not valid JSON: " + describeJsonError(ex));
}

bool JsonShapeCheck::value() {
  if (depth_ == 1) topLevelNonString();
  return depth_ == 0 ? fail("body is not a JSON object") : true;
}

bool JsonShapeCheck::open() {
  if (depth_ == 1) topLevelNonString();
  if (++depth_ > kMaxJsonDepth) {
    return fail("body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  return true;
}

bool JsonShapeCheck::close() {
  --depth_;
  return true;
}

bool JsonShapeCheck::fail(std::string message) {
  error = std::move(message);
  return false;
}

std::string describeJsonError(const std::exception& error) {
  const std::string_view what = error.what();
  const auto prefix_end = what.starts_with("[json.exception.") ? what.find("] ") : std::string_view::npos;
  return std::string(prefix_end == std::string_view::npos ? what : what.substr(prefix_end + 2));
}

Json parseJsonObject(std::string_view text, const JsonSelection* selection) {
  // Most bodies are valid UTF-8 and plain JSON: read them in one pass without copying them first. The
  // rest, and whatever is wrong, go the way that says what is wrong.
  std::string repaired;
  if (!isValidUtf8(text)) repaired = toValidUtf8(text);
  const std::string_view valid = repaired.empty() ? text : std::string_view(repaired);
  if (auto json = readPlainJsonObject(valid, kMaxJsonDepth, selection)) return std::move(*json);

  JsonShapeCheck check;
  if (!Json::sax_parse(valid, &check) || check.error) {
    throw PayloadError(check.error.value_or("body is not valid JSON"));
  }
  return Json::parse(valid);
}

}  // namespace autobuild::webhook
