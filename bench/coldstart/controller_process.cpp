#include "bench/coldstart/controller_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace autobuild::bench {

ControllerProcess::ControllerProcess(const std::string& binary, const std::vector<std::string>& args,
                                     const std::string& log_path)
    : log_path_(log_path) {
  std::vector<std::string> argv_storage{binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::system_error(errno, std::generic_category(), "open " + log_path);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    int error = errno;
    ::close(log_fd);
    throw std::system_error(error, std::generic_category(), "fork for " + binary);
  }
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // The benchmark's threads block signals; the controller needs its defaults to see SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(log_fd);
}

ControllerProcess::~ControllerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ControllerProcess::running() {
  if (exited_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return !exited_;
}

ProcessMemory ControllerProcess::memory() {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  ProcessMemory memory;
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) memory.rss_kib = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) memory.peak_kib = std::stol(line.substr(6));
  }
  if (!running() || memory.peak_kib == 0) {
    throw std::runtime_error("autobuild-controller (pid " + std::to_string(pid_) + ") exited with code " +
                             std::to_string(exit_code_) + "; see " + log_path_);
  }
  return memory;
}

int ControllerProcess::terminate(std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      exited_ = true;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

}  // namespace autobuild::bench
