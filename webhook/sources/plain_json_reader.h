// The fast path of parseJsonObject (json_body.h): one pass over a payload that is plain, well-formed JSON,
// building the same nlohmann::json tree that nlohmann::json::parse would, several times faster (it
// copies string runs whole instead of a character at a time and keeps no token history for error
// messages).
//
// It gives up, returning nullopt, on anything it does not read exactly as nlohmann::json does or that is
// not valid: a syntax error, a top level other than an object, nesting deeper than `max_depth`, a
// number with a fraction or an exponent or more than 18 digits, a lone surrogate escape, a byte-order
// mark. The caller then parses with nlohmann::json, which reads the first kinds and says what is wrong
// with the others. What it accepts it reads as nlohmann::json does: a repeated key keeps its last value;
// a non-negative integer is unsigned, a negative one signed.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "webhook/sources/json_selection.h"

namespace autobuild::webhook {

// `text` must be valid UTF-8 (see utf8.h); it is not checked again. With a `selection`, the members it
// does not keep are checked but left out of the tree.
std::optional<nlohmann::json> readPlainJsonObject(std::string_view text, int max_depth,
                                                  const JsonSelection* selection = nullptr);

}  // namespace autobuild::webhook
