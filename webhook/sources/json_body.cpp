#include "webhook/sources/json_body.h"

#include <optional>
#include <string>

#include "webhook/sources/payload_error.h"
#include "webhook/sources/utf8.h"

namespace autobuild::webhook {
namespace {

using Json = nlohmann::json;

// A first pass that builds nothing: it checks the syntax, the nesting depth and that the top level is
// an object, so the tree is only built for input within bounds.
class ShapeCheck : public nlohmann::json_sax<Json> {
 public:
  std::optional<std::string> error;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return fail("body is not a JSON object");
    return open();
  }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    return fail("body is not valid JSON: " + describeJsonError(ex));
  }

 private:
  bool value() { return depth_ == 0 ? fail("body is not a JSON object") : true; }
  bool open() {
    if (++depth_ > kMaxJsonDepth) {
      return fail("body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }

  int depth_ = 0;
};

}  // namespace

std::string describeJsonError(const std::exception& error) {
  const std::string_view what = error.what();
  const auto prefix_end = what.starts_with("[json.exception.") ? what.find("] ") : std::string_view::npos;
  return std::string(prefix_end == std::string_view::npos ? what : what.substr(prefix_end + 2));
}

Json parseJsonObject(std::string_view text) {
  const std::string valid = toValidUtf8(text);
  ShapeCheck check;
  if (!Json::sax_parse(valid, &check) || check.error) {
    throw PayloadError(check.error.value_or("body is not valid JSON"));
  }
  return Json::parse(valid);
}

}  // namespace autobuild::webhook
