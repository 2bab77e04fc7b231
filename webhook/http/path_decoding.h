// Percent-decoding of a request path that refuses every form a router or a file lookup could be fooled
// by, rather than normalizing it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autobuild::http {

// The decoded path, or nullopt when `raw` has a malformed escape ("%2", "%zz"), decodes to a control
// character (NUL included), has a backslash or encodes a separator ("%2F", "%5C"), or has a "." or ".."
// segment before or after decoding ("/a/../b", "/a/%2e%2e/b"). Nothing is collapsed or resolved: "/a//b"
// stays as it is.
std::optional<std::string> decodePath(std::string_view raw);

}  // namespace autobuild::http
