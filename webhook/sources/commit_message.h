// The short form of a commit message that goes into Kubernetes objects (status.lastTrigger.message,
// Events): SPEC section 2 keeps the first line, at most 200 characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace autobuild::webhook {

inline constexpr std::size_t kMaxMessageCharacters = 200;

// The first line of `message` (without its line break, "\r\n" included), cut to at most
// kMaxMessageCharacters code points, never inside one, with invalid UTF-8 replaced by U+FFFD.
std::string sanitizeMessage(std::string_view message);

}  // namespace autobuild::webhook
