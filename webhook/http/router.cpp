#include "webhook/http/router.h"

#include <algorithm>
#include <stdexcept>

namespace autobuild::http {

bool Route::allows(std::string_view method) const {
  return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::string Route::allowHeader() const {
  std::string allow;
  for (const auto& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

void Router::add(Route route) {
  const std::string description = (route.prefix ? "prefix route " : "route ") + route.path;
  if (route.path.empty() || route.path.front() != '/') {
    throw std::invalid_argument(description + ": path must begin with '/'");
  }
  if (route.methods.empty()) throw std::invalid_argument(description + ": no methods allowed");
  if (!route.handler) throw std::invalid_argument(description + ": no handler");
  if (route.prefix) {
    const bool taken = std::any_of(prefixes_.begin(), prefixes_.end(),
                                   [&](const Route& existing) { return existing.path == route.path; });
    if (taken) throw std::invalid_argument(description + ": already routed");
    prefixes_.push_back(std::move(route));
    std::stable_sort(prefixes_.begin(), prefixes_.end(),
                     [](const Route& a, const Route& b) { return a.path.size() > b.path.size(); });
    return;
  }
  if (exact_.count(route.path) != 0) throw std::invalid_argument(description + ": already routed");
  std::string path = route.path;
  exact_.emplace(std::move(path), std::move(route));
}

const Route* Router::match(std::string_view raw_path) const {
  if (const auto exact = exact_.find(raw_path); exact != exact_.end()) return &exact->second;
  for (const auto& route : prefixes_) {
    if (raw_path.substr(0, route.path.size()) == route.path) return &route;
  }
  return nullptr;
}

}  // namespace autobuild::http
