// The Dockerfile, checked without a Docker engine: the runtime stage installs the Debian packages of
// every shared library the two built binaries load (ldd, mapped with dpkg -S) and nothing else, the
// build stage installs a subset of scripts/install-deps, the build context (.dockerignore) holds what
// CMake needs, and the image's user is the numeric non-root one the manifests require.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/deploy/dockerfile.h"
#include "tests/e2e/deploy/manifest.h"

namespace autobuild::e2e {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

std::string run(const std::vector<std::string>& argv) {
  auto result = testenv::runChildProcess(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error(testenv::describeCommand(argv) + " failed (exit code " +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
  return result.out;
}

std::vector<DockerStage> dockerfile() {
  return parseDockerfile(readFile(sourcePath("Dockerfile")));
}

// soname -> resolved path, for every library ldd reports (the binary's whole closure).
std::map<std::string, std::string> loadedLibraries(const std::string& binary) {
  std::map<std::string, std::string> libraries;
  std::istringstream in(run({AUTOBUILD_LDD, binary}));
  static const std::regex line(R"(^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)\s*$)");
  for (std::string text; std::getline(in, text);) {
    if (text.find("not found") != std::string::npos) throw std::runtime_error(binary + ": " + text);
    std::smatch m;
    if (std::regex_match(text, m, line)) libraries[m[1]] = m[2];
  }
  return libraries;
}

std::vector<std::string> neededLibraries(const std::string& binary) {
  std::vector<std::string> needed;
  std::istringstream in(run({AUTOBUILD_OBJDUMP, "-p", binary}));
  for (std::string text; std::getline(in, text);) {
    std::istringstream words(text);
    std::string tag, soname;
    if (words >> tag >> soname && tag == "NEEDED") needed.push_back(soname);
  }
  return needed;
}

// The Debian package that installed `path`. Debian 12 merges /lib into /usr/lib, and dpkg knows each
// file under the name its package ships, so both names are asked.
std::string packageOf(const std::string& path) {
  std::vector<std::string> candidates = {path, fs::canonical(path).string()};
  for (std::string candidate : std::vector<std::string>(candidates)) {
    if (candidate.rfind("/usr/", 0) == 0) {
      candidates.push_back(candidate.substr(4));
    } else {
      candidates.push_back("/usr" + candidate);
    }
  }
  for (const auto& candidate : candidates) {
    auto result = testenv::runChildProcess({AUTOBUILD_DPKG, "-S", candidate});
    if (result.exit_code != 0) continue;
    // "libssl3:amd64: /usr/lib/x86_64-linux-gnu/libssl.so.3"
    return result.out.substr(0, result.out.find_first_of(":,"));
  }
  throw std::runtime_error("no Debian package owns " + path);
}

// Every package apt installs for `packages`: them and their dependencies, recursively.
std::set<std::string> withDependencies(const std::vector<std::string>& packages) {
  std::vector<std::string> argv = {AUTOBUILD_APT_CACHE, "depends",       "--recurse",
                                   "--no-recommends",   "--no-suggests", "--no-conflicts",
                                   "--no-breaks",       "--no-replaces", "--no-enhances"};
  argv.insert(argv.end(), packages.begin(), packages.end());
  std::set<std::string> closure;
  std::istringstream in(run(argv));
  for (std::string text; std::getline(in, text);) {
    if (!text.empty() && text[0] != ' ') closure.insert(text);
  }
  return closure;
}

struct Library {
  std::string binary;
  std::string soname;
  std::string package;
  bool needed = false;  // linked directly, not loaded by another library
};

// A build with AUTOBUILD_SANITIZE links the sanitizers' runtimes; the image is built without them.
bool isSanitizerRuntime(const std::string& soname) {
#ifdef AUTOBUILD_SANITIZED_BINARIES
  return soname.rfind("libasan.so", 0) == 0 || soname.rfind("libubsan.so", 0) == 0;
#else
  (void)soname;
  return false;
#endif
}

// Computed once per run: dpkg -S takes a while per library.
const std::vector<Library>& librariesOfTheBinaries() {
  static const std::vector<Library> libraries = [] {
    std::vector<Library> found;
    for (const std::string binary : {AUTOBUILD_CONTROLLER_BIN, AUTOBUILD_WEBHOOK_BIN}) {
      auto needed = neededLibraries(binary);
      for (const auto& [soname, path] : loadedLibraries(binary)) {
        if (isSanitizerRuntime(soname)) continue;
        found.push_back({fs::path(binary).filename(), soname, packageOf(path),
                         std::find(needed.begin(), needed.end(), soname) != needed.end()});
      }
    }
    return found;
  }();
  return libraries;
}

TEST(Image, RuntimeStageInstallsThePackageOfEveryLibraryTheBinariesLoad) {
  const auto runtime = aptInstallPackages(dockerStage(dockerfile(), "runtime"));
  const auto installed = withDependencies(runtime);
  const auto& libraries = librariesOfTheBinaries();
  ASSERT_FALSE(libraries.empty());
  for (const auto& library : libraries) {
    SCOPED_TRACE(library.binary + " loads " + library.soname + " from " + library.package);
    if (library.needed) {
      EXPECT_THAT(runtime, Contains(library.package)) << "list it in the runtime stage of the Dockerfile";
    }
    EXPECT_THAT(installed, Contains(library.package));
  }
}

TEST(Image, RuntimeStageInstallsNothingTheBinariesDoNotLink) {
  std::set<std::string> linked;
  for (const auto& library : librariesOfTheBinaries()) {
    if (library.needed) linked.insert(library.package);
  }
  for (const auto& package : aptInstallPackages(dockerStage(dockerfile(), "runtime"))) {
    EXPECT_THAT(linked, Contains(package)) << package << " provides no library the binaries link";
  }
}

TEST(Image, BuildStageInstallsASubsetOfScriptsInstallDeps) {
  const auto stages = dockerfile();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].base, "debian:12");
  EXPECT_EQ(stages[1].base, "debian:12-slim");
  const auto all = installDepsPackages(readFile(sourcePath("scripts/install-deps")));
  const auto build = aptInstallPackages(dockerStage(stages, "build"));
  ASSERT_FALSE(build.empty());
  for (const auto& package : build) {
    EXPECT_THAT(all, Contains(package))
        << package << " is installed by the Dockerfile, not by scripts/install-deps";
  }
}

// The top-level entries of the repository the build context keeps. .dockerignore may only exclude
// everything and let entries back in by name; anything else would need Docker's full matcher.
std::vector<std::string> buildContext() {
  std::vector<std::string> kept;
  bool excludes_all = false;
  std::istringstream in(readFile(sourcePath(".dockerignore")));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line == "*") {
      excludes_all = true;
    } else if (line[0] == '!' && line.find('/') >= line.size() - 1 && line.find('*') == std::string::npos) {
      std::string name = line.substr(1);
      if (name.back() == '/') name.pop_back();
      kept.push_back(name);
    } else {
      throw std::runtime_error(".dockerignore: the test does not understand \"" + line + "\"");
    }
  }
  if (!excludes_all) throw std::runtime_error(".dockerignore must start from \"*\"");
  return kept;
}

// The configure command of the build stage, as arguments: "cmake -S . -B /build ...".
std::vector<std::string> dockerCmakeArguments() {
  const auto stages = dockerfile();
  for (const auto& instruction : dockerStage(stages, "build").instructions) {
    const auto at = instruction.find("cmake -S");
    if (at == std::string::npos) continue;
    std::istringstream in(instruction.substr(at));
    std::vector<std::string> words;
    for (std::string w; in >> w && w != "&&";) words.push_back(w);
    return {words.begin() + 1, words.end()};
  }
  throw std::runtime_error("Dockerfile: the build stage runs no cmake -S");
}

// The file of an `#include "file"` line, or "" for any other line.
std::string quotedInclude(const std::string& line) {
  std::istringstream in(line);
  std::string directive, file;
  if (!(in >> directive)) return "";
  if (directive == "#") {
    std::string word;
    in >> word;
    directive += word;
  }
  if (directive != "#include" || !(in >> file) || file.size() < 2 || file.front() != '"') return "";
  const auto close = file.find('"', 1);
  return close == std::string::npos ? "" : file.substr(1, close - 1);
}

TEST(Image, BuildContextHoldsEverythingCMakeAndTheSourcesNeed) {
  const auto kept = buildContext();
  const fs::path context = fs::path(::testing::TempDir()) / "autobuild-docker-context";
  fs::remove_all(context);
  fs::create_directories(context);
  for (const auto& name : kept) {
    ASSERT_TRUE(fs::exists(sourcePath(name))) << name;
    fs::copy(sourcePath(name), context / name, fs::copy_options::recursive);
  }

  // Every quoted #include of a source in the context resolves inside it.
  for (const auto& entry : fs::recursive_directory_iterator(context)) {
    const auto extension = entry.path().extension();
    if (extension != ".cpp" && extension != ".h") continue;
    std::istringstream in(readFile(entry.path().string()));
    for (std::string line; std::getline(in, line);) {
      const std::string included = quotedInclude(line);
      if (included.empty()) continue;
      EXPECT_TRUE(fs::exists(context / included) || fs::exists(entry.path().parent_path() / included))
          << fs::relative(entry.path(), context) << " includes " << included
          << ", which the build context leaves out";
    }
  }

  // CMake configures the context with the Dockerfile's options and has both binaries to build.
  auto args = dockerCmakeArguments();
  const auto build_dir = std::find(args.begin(), args.end(), "-B");
  ASSERT_NE(build_dir, args.end());
  *(build_dir + 1) = (context / "build").string();
  const auto source_dir = std::find(args.begin(), args.end(), "-S");
  ASSERT_NE(source_dir, args.end());
  *(source_dir + 1) = context.string();
  args.insert(args.begin(), AUTOBUILD_CMAKE);
  run(args);
  const std::string targets =
      run({AUTOBUILD_NINJA, "-C", (context / "build").string(), "-t", "targets", "all"});
  EXPECT_THAT(targets, HasSubstr("autobuild-controller: phony"));
  EXPECT_THAT(targets, HasSubstr("autobuild-webhook: phony"));
  fs::remove_all(context);
}

TEST(Image, RunsAsTheNumericNonRootUserTheManifestsRequire) {
  const auto stages = dockerfile();
  const auto& runtime = dockerStage(stages, "runtime");
  std::string user, cmd;
  for (const auto& instruction : runtime.instructions) {
    if (instruction.rfind("USER ", 0) == 0) user = instruction.substr(5);
    if (instruction.rfind("CMD ", 0) == 0) cmd = instruction.substr(4);
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_match(user, m, std::regex("([0-9]+):([0-9]+)"))) << "USER " << user;
  const long uid = std::stol(m[1]);
  const long gid = std::stol(m[2]);
  EXPECT_NE(uid, 0);
  // Exec form: nothing runs through a shell.
  EXPECT_EQ(cmd.front(), '[') << "CMD " << cmd;

  YAML::Node values = YAML::LoadFile(sourcePath("charts/autobuild/values.yaml"));
  EXPECT_EQ(values["podSecurityContext"]["runAsUser"].as<long>(), uid);
  EXPECT_EQ(values["podSecurityContext"]["runAsGroup"].as<long>(), gid);
  for (const std::string file : {"deploy/20-controller.yaml", "deploy/30-webhook.yaml"}) {
    for (const auto& deployment :
         objectsOfKind(parseManifests(readFile(sourcePath(file)), file), "Deployment")) {
      SCOPED_TRACE(file);
      const auto& pod = deployment["spec"]["template"]["spec"];
      EXPECT_EQ(pod["securityContext"]["runAsUser"], uid);
      EXPECT_EQ(pod["securityContext"]["runAsGroup"], gid);
      // The manifests run the binaries where the image puts them.
      const std::string command = firstContainer(deployment)["command"][0];
      EXPECT_EQ(fs::path(command).parent_path(), "/usr/local/bin");
      bool copied = false;
      for (const auto& instruction : runtime.instructions) {
        copied |= instruction.rfind("COPY --from=build ", 0) == 0 &&
                  instruction.find("/" + fs::path(command).filename().string() + " ") != std::string::npos &&
                  instruction.ends_with(" /usr/local/bin/");
      }
      EXPECT_TRUE(copied) << command << " is not copied into /usr/local/bin/";
    }
  }
}

}  // namespace
}  // namespace autobuild::e2e
