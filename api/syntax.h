// Syntax checks of the strings an AutoBuild holds: Kubernetes names, Secret keys, repository paths,
// image references and branch or tag globs. Pure predicates; api/validation.h words the errors.
#pragma once

#include <string_view>

namespace autobuild::api {

// RFC 1123 subdomain, the name of most Kubernetes objects: at most 253 characters of lowercase letters,
// digits, '-' and '.', each dot-separated part starting and ending with a letter or digit.
bool isDnsSubdomain(std::string_view name);

// RFC 1123 label, the name of a container: at most 63 lowercase letters, digits and '-', starting and
// ending with a letter or digit.
bool isDnsLabel(std::string_view name);

// A key of a Secret's data: at most 253 letters, digits, '-', '_' and '.', and neither "." nor
// starting with "..".
bool isSecretKey(std::string_view key);

// A git repository path as the servers name it ("acme/web", GitLab's "group/subgroup/web"): at least two
// '/'-separated parts of letters, digits, '-', '_' and '.', none "." or "..", at most 255 characters.
bool isGitRepositoryPath(std::string_view path);

// A Docker Hub repository "namespace/name", lowercase, each part an image path component.
bool isDockerHubRepository(std::string_view repository);

// An image repository without tag or digest, as the distribution reference grammar has it: an optional
// registry host (with optional port) and '/'-separated lowercase path components, at most 255
// characters. "registry.example.com:5000/acme/web", "acme/web", "web".
bool isImageRepository(std::string_view repository);

// A glob POSIX fnmatch (flags 0, as the webhook matches) reads as the user means: not empty, every
// bracket expression closed (fnmatch would match an unclosed "[" literally), every named class
// ("[:alpha:]") known, no lone trailing backslash (it never matches).
bool isValidGlob(std::string_view pattern);

}  // namespace autobuild::api
