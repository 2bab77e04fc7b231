// UTF-8 repair for text that came from the network and goes into JSON and Kubernetes objects.
#pragma once

#include <string>
#include <string_view>

namespace autobuild::webhook {

// `text` with every ill-formed sequence (stray continuation byte, overlong form, surrogate, code point
// over U+10FFFF, truncated sequence) replaced by U+FFFD, one per maximal ill-formed subpart as Unicode
// recommends. Valid text comes back unchanged.
std::string toValidUtf8(std::string_view text);

// Whether `text` is well-formed UTF-8, so toValidUtf8 would return it unchanged; without copying it.
bool isValidUtf8(std::string_view text);

}  // namespace autobuild::webhook
