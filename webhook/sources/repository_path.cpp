#include "webhook/sources/repository_path.h"

namespace autobuild::webhook {
namespace {

std::string_view trimSlashes(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::string repositoryPathOf(std::string_view url_or_path) {
  std::string_view path = url_or_path;
  if (const auto scheme_end = path.find("://"); scheme_end != std::string_view::npos) {
    path.remove_prefix(scheme_end + 3);
    const auto host_end = path.find('/');
    path = host_end == std::string_view::npos ? std::string_view() : path.substr(host_end);
  } else if (const auto colon = path.find(':'); colon != std::string_view::npos && colon < path.find('/')) {
    // scp-like "git@host:acme/web.git"
    path.remove_prefix(colon + 1);
  }
  path = trimSlashes(path);
  if (path.ends_with(".git")) path.remove_suffix(4);
  return std::string(trimSlashes(path));
}

}  // namespace autobuild::webhook
