#include "tests/e2e/deploy/cli_tools.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

std::string toolsBin() {
  if (const char* tools = std::getenv("AUTOBUILD_TOOLS"); tools != nullptr && *tools != '\0') {
    return std::string(tools) + "/bin";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/autobuild-tools/bin";
}

}  // namespace

std::string sourcePath(const std::string& relative) {
  return std::string(AUTOBUILD_SOURCE_DIR) + "/" + relative;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

testenv::ChildProcessResult runHelm(const std::vector<std::string>& args) {
  auto& plane = testenv::controlPlane();
  std::vector<std::string> argv = {toolsBin() + "/helm", "--kubeconfig", plane.kubeconfig()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string home = plane.dir() + "/helm";
  return testenv::runChildProcess(
      argv, "",
      {"HELM_CACHE_HOME=" + home + "/cache", "HELM_CONFIG_HOME=" + home + "/config",
       "HELM_DATA_HOME=" + home + "/data"});
}

std::string helm(const std::vector<std::string>& args) {
  auto result = runHelm(args);
  if (result.exit_code != 0) {
    throw std::runtime_error("helm " + testenv::describeCommand(args) + " failed (exit code " +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
  return result.out;
}

KubectlOutcome tryKubectl(const std::vector<std::string>& args, const std::string& stdin_data) {
  try {
    return {true, testenv::controlPlane().kubectl(args, stdin_data)};
  } catch (const std::runtime_error& e) {
    return {false, e.what()};
  }
}

}  // namespace autobuild::e2e
