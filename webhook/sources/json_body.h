// Parsing of JSON payloads from the network, within bounds the webhook can afford.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/sources/json_selection.h"

namespace autobuild::webhook {

// Real payloads nest about 5 levels deep; the bound keeps any recursive walk over a payload (dump,
// comparison) from exhausting the stack on hostile input.
inline constexpr int kMaxJsonDepth = 64;

// Parses a payload that must be a JSON object. Invalid UTF-8 inside strings is replaced by U+FFFD
// first: commit messages are not always UTF-8, and the strict parser would refuse them. Throws
// PayloadError (400): "body is not valid JSON: <where and why>", "body is not a JSON object",
// "body nests deeper than 64 levels". With a `selection`, members it does not keep may be left out of
// the tree (they are checked all the same).
nlohmann::json parseJsonObject(std::string_view text, const JsonSelection* selection = nullptr);

// A streaming pass over a payload that builds no tree: it checks the syntax, the nesting depth and that
// the top level is an object, and shows subclasses the top-level members as they pass. Feed it with
// nlohmann::json::sax_parse; `error` then says why the payload is refused, in parseJsonObject's words.
class JsonShapeCheck : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::optional<std::string> error;

  bool null() final { return value(); }
  bool boolean(bool) final { return value(); }
  bool number_integer(number_integer_t) final { return value(); }
  bool number_unsigned(number_unsigned_t) final { return value(); }
  bool number_float(number_float_t, const string_t&) final { return value(); }
  bool string(string_t& text) final;
  bool binary(binary_t&) final { return value(); }
  bool start_object(std::size_t) final { return open(); }
  bool key(string_t& name) final;
  bool end_object() final { return close(); }
  bool start_array(std::size_t) final;
  bool end_array() final { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) final;

 protected:
  // A top-level member's key, then its value: a string, or anything else.
  virtual void topLevelKey(const std::string&) {}
  virtual void topLevelString(std::string&) {}
  virtual void topLevelNonString() {}

 private:
  bool value();
  bool open();
  bool close();
  bool fail(std::string message);

  int depth_ = 0;
};

// The message of a parse error from nlohmann::json without its "[json.exception...] " prefix.
std::string describeJsonError(const std::exception& error);

}  // namespace autobuild::webhook
