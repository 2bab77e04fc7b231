// The id in an AutoBuild's webhook URL (SPEC section 2): unguessable without the Secret, stable while
// the Secret is, different once it is rotated. The controller publishes it in status.webhookPath; the
// webhook recomputes it from the current Secret before acting on a request.
#pragma once

#include <string>

namespace autobuild::api {

// The first 40 hex characters (lowercase) of HMAC-SHA256(key = secret, message = "<ns>/<name>").
std::string webhookId(const std::string& secret, const std::string& ns, const std::string& name);

// "/hooks/<id>".
std::string webhookPath(const std::string& id);

}  // namespace autobuild::api
