// application/x-www-form-urlencoded bodies (the WHATWG URL standard's form encoding), as GitHub,
// Gogs and Gitea send them: `payload=<percent-encoded JSON>`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autobuild::webhook {

// Decodes one name or value: "+" is a space, "%XY" (two hex digits, either case) is the byte XY.
// Throws PayloadError (400) naming the offset of a "%" not followed by two hex digits.
std::string decodeFormComponent(std::string_view component);

// The decoded value of the first field named `name` in a form body; nullopt when there is none.
// Every name and value is decoded, so a malformed escape anywhere in the body is a PayloadError.
std::optional<std::string> formField(std::string_view body, std::string_view name);

}  // namespace autobuild::webhook
