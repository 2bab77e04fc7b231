// The command-line tools the deployment tests drive, as an operator would: helm and kubectl against the
// test control plane, and reading the repository's files.
#pragma once

#include <string>
#include <vector>

#include "tests/testenv/child_process.h"

namespace autobuild::e2e {

// A path in the source tree: sourcePath("charts/autobuild").
std::string sourcePath(const std::string& relative);
std::string readFile(const std::string& path);

// helm (4, from the tools install next to kubectl) with --kubeconfig of the test control plane and its
// cache and configuration under the control plane's directory.
testenv::ChildProcessResult runHelm(const std::vector<std::string>& args);
// Returns stdout; throws std::runtime_error with the command and stderr when helm fails.
std::string helm(const std::vector<std::string>& args);

// kubectl against the test control plane when the test expects it may fail: `ok` and stdout, or not
// `ok` and kubectl's error message.
struct KubectlOutcome {
  bool ok = false;
  std::string text;
};
KubectlOutcome tryKubectl(const std::vector<std::string>& args, const std::string& stdin_data = "");

}  // namespace autobuild::e2e
