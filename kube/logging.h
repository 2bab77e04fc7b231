// Process-wide logging on spdlog: one line per record, as text or as JSON objects (for log shippers).
#pragma once

#include <string>

namespace autobuild::kube {

// Lines go to stderr: warnings and errors at once (with every line before them), the others within a
// second, all of them at exit. `level`: trace, debug, info, warn, error. `format`: text or json. Throws
// std::invalid_argument naming the bad value.
void setupLogging(const std::string& level, const std::string& format);

}  // namespace autobuild::kube
