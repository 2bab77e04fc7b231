// The webhook's routes (as webhook/main.cpp adds them) matched against any path, and the path decoder.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_input.h"
#include "webhook/http/path_decoding.h"
#include "webhook/http/router.h"

namespace {

const autobuild::http::Router& webhookRouter() {
  static const autobuild::http::Router router = [] {
    using autobuild::http::Dispatch;
    const auto ok = [](const autobuild::http::Request&) { return autobuild::http::Response{}; };
    autobuild::http::Router built;
    built.add({"/healthz", false, {"GET", "HEAD"}, Dispatch::IoThread, ok});
    built.add({"/readyz", false, {"GET", "HEAD"}, Dispatch::IoThread, ok});
    built.add({"/hooks/", true, {"POST"}, Dispatch::WorkerPool, ok});
    return built;
  }();
  return router;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw = autobuild::fuzz::asText(data, size);

  if (const autobuild::http::Route* route = webhookRouter().match(raw)) {
    // Matching is literal: a route only ever receives paths that begin with it.
    if (!startsWith(raw, route->path) || (!route->prefix && raw != route->path)) {
      __builtin_trap();
    }
  }

  if (const auto decoded = autobuild::http::decodePath(raw)) {
    // What the decoder lets through has no dot segment, backslash or control character.
    const std::string& path = *decoded;
    if (path.find('\\') != std::string::npos || path.find("/../") != std::string::npos ||
        path.find("/./") != std::string::npos || path.ends_with("/..") || path.ends_with("/.") ||
        path == "." || path == "..") {
      __builtin_trap();
    }
    for (const char c : path) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
