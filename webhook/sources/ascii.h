// ASCII case folding for protocol tokens (header names, media types, repository paths). Bytes outside
// A-Z are left alone, so UTF-8 text passes through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace autobuild::webhook {

std::string toLowerAscii(std::string_view text);
bool equalsIgnoreCaseAscii(std::string_view a, std::string_view b);

}  // namespace autobuild::webhook
