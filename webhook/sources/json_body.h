// Parsing of JSON payloads from the network, within bounds the webhook can afford.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace autobuild::webhook {

// Real payloads nest about 5 levels deep; the bound keeps any recursive walk over a payload (dump,
// comparison) from exhausting the stack on hostile input.
inline constexpr int kMaxJsonDepth = 64;

// Parses a payload that must be a JSON object. Invalid UTF-8 inside strings is replaced by U+FFFD
// first: commit messages are not always UTF-8, and the strict parser would refuse them. Throws
// PayloadError (400): "body is not valid JSON: <where and why>", "body is not a JSON object",
// "body nests deeper than 64 levels".
nlohmann::json parseJsonObject(std::string_view text);

// The message of a parse error from nlohmann::json without its "[json.exception...] " prefix.
std::string describeJsonError(const std::exception& error);

}  // namespace autobuild::webhook
