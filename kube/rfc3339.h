// Timestamps as the Kubernetes API writes them: metav1.Time (RFC 3339, seconds, UTC) and
// metav1.MicroTime (microseconds).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace autobuild::kube {

std::string formatRfc3339(std::chrono::system_clock::time_point t);    // 2026-11-23T10:00:00Z
std::string formatMicroTime(std::chrono::system_clock::time_point t);  // 2026-11-23T10:00:00.000000Z
std::string nowRfc3339();
// Parses either form (with Z or a numeric offset); nullopt when it is neither.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& text);

}  // namespace autobuild::kube
