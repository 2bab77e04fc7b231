#include "tests/testenv/control_plane.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/testenv/child_process.h"
#include "tests/testenv/shutdown_guard.h"

namespace autobuild::testenv {
namespace {

constexpr auto kTokenTimeout = std::chrono::seconds(60);
constexpr auto kTokenPollInterval = std::chrono::milliseconds(200);

const std::string& scriptPath() {
  static const std::string path = std::string(AUTOBUILD_TESTENV_SOURCE_DIR) + "/control-plane";
  return path;
}

// Where scripts/install-deps puts kubectl: $AUTOBUILD_TOOLS/bin, by default ~/.cache/autobuild-tools/bin.
std::string kubectlPath() {
  if (const char* tools = std::getenv("AUTOBUILD_TOOLS"); tools != nullptr && *tools != '\0') {
    return std::string(tools) + "/bin/kubectl";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/autobuild-tools/bin/kubectl";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string runScriptCommand(const std::vector<std::string>& argv) {
  auto result = runChildProcess(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error(describeCommand(argv) + " failed (exit code " +
                             std::to_string(result.exit_code) + "):\n" + result.err);
  }
  return trimmed(result.out);
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

ControlPlane ControlPlane::start(const std::string& dir) {
  auto kubeconfig = runScriptCommand({scriptPath(), "up", dir, "--owner-pid", std::to_string(getpid())});
  // The script prints DIR/kubeconfig with DIR made absolute.
  auto absolute_dir = std::filesystem::path(kubeconfig).parent_path().string();
  armShutdownGuard(scriptPath(), absolute_dir);
  return ControlPlane(absolute_dir, kubeconfig);
}

ControlPlane::ControlPlane(std::string dir, std::string kubeconfig)
    : dir_(std::move(dir)), kubeconfig_(std::move(kubeconfig)), kubectl_path_(kubectlPath()) {
  try {
    const YAML::Node config = YAML::LoadFile(kubeconfig_);
    const YAML::Node cluster = config["clusters"][0]["cluster"];
    server_ = cluster["server"].as<std::string>();
    ca_data_ = cluster["certificate-authority-data"].as<std::string>();
  } catch (const YAML::Exception& e) {
    throw std::runtime_error("kubeconfig " + kubeconfig_ +
                             ": no clusters[0].cluster.server and certificate-authority-data: " + e.what());
  }
}

void ControlPlane::stop(bool remove_dir) {
  std::vector<std::string> argv = {scriptPath(), "down", dir_};
  if (remove_dir) argv.push_back("--clean");
  runScriptCommand(argv);
  disarmShutdownGuard();
}

const std::string& ControlPlane::dir() const {
  return dir_;
}
const std::string& ControlPlane::kubeconfig() const {
  return kubeconfig_;
}
const std::string& ControlPlane::server() const {
  return server_;
}

std::string ControlPlane::runScript(const std::string& command) const {
  return runScriptCommand({scriptPath(), command, dir_});
}

void ControlPlane::stopApiServer() {
  runScript("stop-apiserver");
  armShutdownGuard(scriptPath(), dir_);
}

void ControlPlane::startApiServer() {
  // Armed even when the start fails: the script stops a half-started apiserver, and the guard must
  // not keep its process group.
  try {
    runScript("start-apiserver");
  } catch (...) {
    armShutdownGuard(scriptPath(), dir_);
    throw;
  }
  armShutdownGuard(scriptPath(), dir_);
}

void ControlPlane::compactEtcd() {
  runScript("compact");
}

std::string ControlPlane::kubectl(const std::vector<std::string>& args, const std::string& stdin_data) {
  if (access(kubectl_path_.c_str(), X_OK) != 0) {
    throw std::runtime_error("kubectl is not at " + kubectl_path_ +
                             " (set AUTOBUILD_TOOLS or run scripts/install-deps)");
  }
  std::vector<std::string> argv = {kubectl_path_, "--kubeconfig", kubeconfig_, "--cache-dir",
                                   dir_ + "/kubectl-cache"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runChildProcess(argv, stdin_data);
  if (result.exit_code != 0) {
    throw std::runtime_error("kubectl " + describeCommand(args) + " failed (exit code " +
                             std::to_string(result.exit_code) + "): " + result.err);
  }
  return result.out;
}

void ControlPlane::waitForEstablished(const std::vector<std::string>& crds,
                                      std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {scriptPath(), "wait-crd", dir_, "--timeout-ms",
                                   std::to_string(timeout.count())};
  argv.insert(argv.end(), crds.begin(), crds.end());
  runScriptCommand(argv);
}

std::string ControlPlane::serviceAccountKubeconfig(const std::string& ns, const std::string& name) {
  const std::string subject = "ServiceAccount " + ns + "/" + name;
  // Create, and accept that it exists: one call, and no race with a concurrent creation. kubectl words
  // AlreadyExists differently per kind; " already exists" is in every form.
  auto create = [&](const std::vector<std::string>& args) {
    try {
      kubectl(args);
    } catch (const std::runtime_error& e) {
      if (std::string(e.what()).find(" already exists") == std::string::npos) throw;
    }
  };
  create({"create", "namespace", ns});
  create({"create", "serviceaccount", name, "--namespace", ns});

  // The tokens controller of kube-controller-manager creates the Secret and lists it in the
  // ServiceAccount's `secrets`.
  std::string token;
  const auto deadline = std::chrono::steady_clock::now() + kTokenTimeout;
  while (token.empty()) {
    std::istringstream secrets(kubectl({"get", "serviceaccount", name, "--namespace", ns, "--output",
                                        R"(go-template={{range .secrets}}{{.name}}{{"\n"}}{{end}})"}));
    for (std::string secret; token.empty() && std::getline(secrets, secret);) {
      token = kubectl({"get", "secret", secret, "--namespace", ns, "--ignore-not-found", "--output",
                       R"(go-template={{if eq .type "kubernetes.io/service-account-token"}})"
                       R"({{with .data.token}}{{base64decode .}}{{end}}{{end}})"});
    }
    if (!token.empty()) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(subject + " got no token Secret within " +
                               std::to_string(kTokenTimeout.count()) + " s; see " + dir_ +
                               "/logs/kube-controller-manager.log");
    }
    std::this_thread::sleep_for(kTokenPollInterval);
  }

  YAML::Emitter config;
  config << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "v1" << YAML::Key << "kind"
         << YAML::Value << "Config";
  config << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
         << YAML::Value << "testenv" << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap << YAML::Key
         << "server" << YAML::Value << server_ << YAML::Key << "certificate-authority-data" << YAML::Value
         << ca_data_ << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  config << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
         << YAML::Value << name << YAML::Key << "user" << YAML::Value << YAML::BeginMap << YAML::Key
         << "token" << YAML::Value << token << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  config << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "name"
         << YAML::Value << "testenv" << YAML::Key << "context" << YAML::Value << YAML::BeginMap << YAML::Key
         << "cluster" << YAML::Value << "testenv" << YAML::Key << "user" << YAML::Value << name << YAML::Key
         << "namespace" << YAML::Value << ns << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  config << YAML::Key << "current-context" << YAML::Value << "testenv" << YAML::EndMap;

  // Namespaces have no dots, so "<ns>.<name>" names one ServiceAccount.
  const std::string directory = dir_ + "/serviceaccounts";
  std::filesystem::create_directories(directory);
  const std::string path = directory + "/" + ns + "." + name + ".kubeconfig";
  writeFileAtomically(path, std::string(config.c_str()) + "\n");
  return path;
}

}  // namespace autobuild::testenv
