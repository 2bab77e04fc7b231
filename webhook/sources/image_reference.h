// The parts of container image references that pushes name: tags and Docker Hub repository names.
// They end up in a pod template, so what a request carries is checked against the reference grammar
// (github.com/distribution/reference) before anything uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autobuild::webhook {

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool isValidImageTag(std::string_view tag);
// A Docker Hub repo_name: "namespace/name", lower-case letters, digits and separators "._-/", at most
// 255 characters, neither starting nor ending with a separator.
bool isValidImageRepository(std::string_view repository);
// The tag of an image reference: "1.2" for "registry:5000/acme/web:1.2@sha256:...", "latest" when the
// reference names no tag and no digest, nullopt when it names only a digest.
std::optional<std::string> imageTagOf(std::string_view image);

}  // namespace autobuild::webhook
