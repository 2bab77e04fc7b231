#include "tests/e2e/deploy/dockerfile.h"

#include <sstream>
#include <stdexcept>

namespace autobuild::e2e {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> result;
  for (std::string word; in >> word;) result.push_back(word);
  return result;
}

}  // namespace

std::vector<DockerStage> parseDockerfile(const std::string& text) {
  std::vector<DockerStage> stages;
  std::istringstream in(text);
  std::string instruction;
  auto finish = [&] {
    if (instruction.empty()) return;
    auto w = words(instruction);
    if (w[0] == "FROM") {
      DockerStage stage;
      stage.base = w.at(1);
      if (w.size() == 4 && w[2] == "AS") stage.name = w[3];
      stages.push_back(stage);
    } else if (stages.empty()) {
      throw std::runtime_error("Dockerfile: \"" + instruction + "\" before the first FROM");
    } else {
      stages.back().instructions.push_back(instruction);
    }
    instruction.clear();
  };
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const bool continued = line.back() == '\\';
    if (continued) line.pop_back();
    instruction += (instruction.empty() ? "" : " ") + line.substr(first);
    if (!continued) finish();
  }
  finish();
  return stages;
}

const DockerStage& dockerStage(const std::vector<DockerStage>& stages, const std::string& name) {
  for (const auto& stage : stages) {
    if (stage.name == name) return stage;
  }
  throw std::runtime_error("Dockerfile: no stage named " + name);
}

std::vector<std::string> aptInstallPackages(const DockerStage& stage) {
  for (const auto& instruction : stage.instructions) {
    auto w = words(instruction);
    for (std::size_t i = 0; i + 1 < w.size(); ++i) {
      if (w[i] != "apt-get" || w[i + 1] != "install") continue;
      std::vector<std::string> packages;
      for (std::size_t j = i + 2; j < w.size() && w[j] != "&&"; ++j) {
        if (w[j][0] != '-') packages.push_back(w[j]);
      }
      return packages;
    }
  }
  throw std::runtime_error("Dockerfile: stage " + stage.name + " has no apt-get install");
}

std::vector<std::string> installDepsPackages(const std::string& script) {
  const auto begin = script.find("packages=(");
  if (begin == std::string::npos) throw std::runtime_error("scripts/install-deps: no packages=( list");
  const auto end = script.find(')', begin);
  if (end == std::string::npos) throw std::runtime_error("scripts/install-deps: packages=( is not closed");
  return words(script.substr(begin + 10, end - begin - 10));
}

}  // namespace autobuild::e2e
