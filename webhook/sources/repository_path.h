// The "owner/repo" path of a repository named by a clone URL ("https://host/acme/web.git",
// "git@host:acme/web.git") or by a path ("acme/web"), for SPEC section 2's repository match.
#pragma once

#include <string>
#include <string_view>

namespace autobuild::webhook {

// Strips the scheme and host (or the "user@host:" of scp-like URLs), leading and trailing "/" and a
// trailing ".git". Case is kept: the match is case-insensitive.
std::string repositoryPathOf(std::string_view url_or_path);

}  // namespace autobuild::webhook
