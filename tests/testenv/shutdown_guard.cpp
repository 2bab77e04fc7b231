#include "tests/testenv/shutdown_guard.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <mutex>

#include "tests/testenv/child_process.h"

namespace autobuild::testenv {
namespace {

constexpr std::array<const char*, 3> kComponents = {"etcd", "kube-apiserver", "kube-controller-manager"};
constexpr std::array<int, 9> kSignals = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT,
                                         SIGSEGV, SIGBUS, SIGFPE, SIGILL};

// What the signal handler reads: lock-free atomics only.
std::atomic<pid_t> armed_by{0};
std::array<std::atomic<pid_t>, kComponents.size()> groups{};
std::array<struct sigaction, NSIG> previous_actions{};

// What the atexit handler needs; never destroyed, so it is still there after static destructors ran.
struct ExitState {
  std::mutex mutex;
  std::string script;
  std::string dir;
};
ExitState& exitState() {
  static auto* state = new ExitState;
  return *state;
}

pid_t readPid(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  return (in >> pid) ? pid : 0;
}

void onFatalSignal(int signal_number, siginfo_t* info, void*) {
  if (getpid() == armed_by.load()) {
    for (auto& group : groups) {
      pid_t pid = group.load();
      if (pid > 0) kill(-pid, SIGTERM);
    }
  }
  sigaction(signal_number, &previous_actions[static_cast<size_t>(signal_number)], nullptr);
  // A fault the kernel raised recurs when the faulting instruction runs again, now reaching the
  // previous handler with its real context; a sent signal is sent again. Either way it is blocked
  // until this handler returns.
  if (info->si_code <= 0) raise(signal_number);
}

void onExit() {
  if (getpid() != armed_by.load()) return;
  armed_by = 0;
  auto& state = exitState();
  std::lock_guard lock(state.mutex);
  try {
    auto result = runChildProcess({state.script, "down", state.dir});
    if (result.exit_code != 0) {
      std::fprintf(stderr, "stopping the control plane in %s at exit failed: %s\n", state.dir.c_str(),
                   result.err.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stopping the control plane in %s at exit failed: %s\n", state.dir.c_str(),
                 e.what());
  }
}

void install() {
  std::atexit(onExit);
  struct sigaction action {};
  action.sa_sigaction = onFatalSignal;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  for (int signal_number : kSignals) {
    auto& previous = previous_actions[static_cast<size_t>(signal_number)];
    sigaction(signal_number, nullptr, &previous);
    // An ignored signal (SIGHUP under nohup) does not end the process: nothing to do for it.
    if (previous.sa_handler != SIG_IGN) sigaction(signal_number, &action, nullptr);
  }
}

}  // namespace

void armShutdownGuard(const std::string& script, const std::string& dir) {
  static std::once_flag installed;
  {
    auto& state = exitState();
    std::lock_guard lock(state.mutex);
    state.script = script;
    state.dir = dir;
  }
  for (size_t i = 0; i < kComponents.size(); ++i) {
    groups[i] = readPid(dir + "/run/" + kComponents[i] + ".pid");
  }
  armed_by = getpid();
  std::call_once(installed, install);
}

void disarmShutdownGuard() {
  armed_by = 0;
  for (auto& group : groups) group = 0;
}

}  // namespace autobuild::testenv
