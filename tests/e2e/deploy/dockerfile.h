// The repository's Dockerfile read as the tests need it: its stages, the Debian packages each installs,
// and the instructions. Only the forms the Dockerfile uses are understood; anything else throws.
#pragma once

#include <string>
#include <vector>

namespace autobuild::e2e {

struct DockerStage {
  std::string base;  // FROM <base>
  std::string name;  // AS <name>
  // Each instruction on one line: continuations joined, comments and blank lines dropped.
  std::vector<std::string> instructions;
};

// Throws std::runtime_error on an instruction before the first FROM.
std::vector<DockerStage> parseDockerfile(const std::string& text);
const DockerStage& dockerStage(const std::vector<DockerStage>& stages, const std::string& name);

// The packages of the stage's `apt-get install` (options left out), in order.
std::vector<std::string> aptInstallPackages(const DockerStage& stage);

// The `packages=( ... )` list of scripts/install-deps.
std::vector<std::string> installDepsPackages(const std::string& script);

}  // namespace autobuild::e2e
