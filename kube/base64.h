// Base64 (RFC 4648, padded), as Kubernetes encodes Secret data and kubeconfig *-data fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autobuild::kube {

std::string base64Encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64 (whitespace is not accepted).
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace autobuild::kube
