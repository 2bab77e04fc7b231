// Process-wide logging on spdlog: one line per record, as text or as JSON objects (for log shippers).
#pragma once

#include <string>

namespace autobuild::kube {

// `level`: trace, debug, info, warn, error. `format`: text or json. Throws std::invalid_argument naming
// the bad value.
void setupLogging(const std::string& level, const std::string& format);

}  // namespace autobuild::kube
