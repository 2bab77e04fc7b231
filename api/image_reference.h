// The parts of container image references a rollout reads and writes: tags, and the repository a new tag
// goes with. Repository names are checked by api/syntax.h.
// They end up in a pod template, so what a request carries is checked against the reference grammar
// (github.com/distribution/reference) before anything uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autobuild::api {

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool isImageTag(std::string_view tag);
// The tag of an image reference: "1.2" for "registry:5000/acme/web:1.2@sha256:...", "latest" when the
// reference names no tag and no digest, nullopt when it names only a digest.
std::optional<std::string> imageTagOf(std::string_view image);
// The reference without its tag and digest: "registry:5000/acme/web" for
// "registry:5000/acme/web:1.2@sha256:...".
std::string_view imageRepositoryOf(std::string_view image);
// The reference with its tag (and any digest) replaced by `tag`, keeping the registry host and repository:
// ("registry:5000/acme/web:1.0@sha256:...", "1.1") -> "registry:5000/acme/web:1.1".
std::string imageWithTag(std::string_view image, std::string_view tag);

}  // namespace autobuild::api
