// The header rules that keep a request's body boundaries unambiguous. A front proxy and this server must
// agree on where a request ends, or a second request can be smuggled inside the first; anything that two
// reasonable parsers could read differently is refused.
#pragma once

#include <optional>
#include <string>

#include "webhook/http/message.h"

namespace autobuild::http {

// Why the header cannot be trusted (the message of a 400), or nullopt when it is sound. Refused: more than
// one Content-Length field, a Content-Length that is not a plain decimal number, Content-Length together
// with Transfer-Encoding, a Transfer-Encoding other than a single "chunked" or on an HTTP/1.0 request, and
// an HTTP/1.1 request without exactly one Host field.
std::optional<std::string> framingProblem(const Headers& headers, int version);

}  // namespace autobuild::http
