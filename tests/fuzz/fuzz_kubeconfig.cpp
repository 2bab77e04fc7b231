// loadKubeconfig on any file: it either returns a configuration or throws ConfigError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "kube/config.h"

namespace {

// One file per process, rewritten for every input; in its own directory so that relative certificate
// paths in the input resolve next to it.
const std::string& kubeconfigPath() {
  static const std::string path = [] {
    char directory[] = "/tmp/fuzz-kubeconfig-XXXXXX";
    if (mkdtemp(directory) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    return std::string(directory) + "/config";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream file(kubeconfigPath(), std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    autobuild::kube::loadKubeconfig(kubeconfigPath());
  } catch (const autobuild::kube::ConfigError&) {
  }
  return 0;
}
