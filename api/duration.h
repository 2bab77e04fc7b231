// Durations written the way Go's time.ParseDuration reads them ("30m", "1h30m", "1.5h", "-2s", "0"),
// the form Kubernetes users know from other resources.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace autobuild::api {

// A sequence of decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s, m, h),
// with an optional leading sign; "0" needs no unit. nullopt when the text is not such a duration or
// the value does not fit in 64 bits of nanoseconds.
std::optional<std::chrono::nanoseconds> parseDuration(std::string_view text);

}  // namespace autobuild::api
