#include "tests/testenv/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>

extern char** environ;

namespace autobuild::testenv {
namespace {

[[noreturn]] void throwErrno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

class Descriptor {
 public:
  explicit Descriptor(int fd = -1) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() { close(); }
  int get() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
};

// Appends what is readable on `fd` to `sink`; false at end of file.
bool drain(int fd, std::string& sink) {
  char buffer[65536];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    throwErrno(errno, "reading a child process's output");
  }
  sink.append(buffer, static_cast<size_t>(n));
  return n > 0;
}

}  // namespace

std::string describeCommand(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    if (!text.empty()) text += ' ';
    text += arg;
  }
  return text;
}

ChildProcessResult runChildProcess(const std::vector<std::string>& argv, const std::string& stdin_data,
                                   const std::vector<std::string>& extra_environment) {
  if (argv.empty()) throw std::invalid_argument("runChildProcess: empty argv");
  const std::string command = describeCommand(argv);

  // Standard input is a socket so that a child exiting before reading everything makes send() fail
  // with EPIPE (MSG_NOSIGNAL) instead of raising SIGPIPE in this process.
  int input[2], output[2], error[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input) != 0)
    throwErrno(errno, "socketpair for " + command);
  Descriptor input_parent(input[0]), input_child(input[1]);
  if (pipe2(output, O_CLOEXEC) != 0) throwErrno(errno, "pipe for " + command);
  Descriptor output_parent(output[0]), output_child(output[1]);
  if (pipe2(error, O_CLOEXEC) != 0) throwErrno(errno, "pipe for " + command);
  Descriptor error_parent(error[0]), error_child(error[1]);

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, input_child.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, output_child.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, error_child.get(), STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&setup.attributes, &all);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> environment;
  for (const auto& entry : extra_environment) environment.push_back(const_cast<char*>(entry.c_str()));
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view name(*entry, std::strcspn(*entry, "="));
    bool overridden =
        std::any_of(extra_environment.begin(), extra_environment.end(), [&](const std::string& e) {
          return e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=';
        });
    if (!overridden) environment.push_back(*entry);
  }
  environment.push_back(nullptr);
  pid_t pid;
  int spawn_error =
      posix_spawn(&pid, argv[0].c_str(), &setup.actions, &setup.attributes, args.data(), environment.data());
  if (spawn_error != 0) throwErrno(spawn_error, "starting " + command);
  input_child.close();
  output_child.close();
  error_child.close();

  ChildProcessResult result;
  size_t written = 0;
  if (stdin_data.empty()) input_parent.close();
  bool output_open = true, error_open = true;
  while (output_open || error_open) {
    pollfd fds[3] = {
        {output_parent.get(), POLLIN, 0}, {error_parent.get(), POLLIN, 0}, {input_parent.get(), POLLOUT, 0}};
    if (!output_open) fds[0].fd = -1;
    if (!error_open) fds[1].fd = -1;
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throwErrno(errno, "waiting for " + command);
    }
    if (fds[0].revents != 0) output_open = drain(output_parent.get(), result.out);
    if (fds[1].revents != 0) error_open = drain(error_parent.get(), result.err);
    if (fds[2].revents != 0) {
      ssize_t n = send(input_parent.get(), stdin_data.data() + written, stdin_data.size() - written,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) written += static_cast<size_t>(n);
      // EPIPE: the child stopped reading; what it does about that shows in its exit code.
      bool failed = n < 0 && errno != EINTR && errno != EAGAIN;
      if (failed || written == stdin_data.size()) input_parent.close();
    }
  }
  input_parent.close();

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throwErrno(errno, "waiting for " + command + " to exit");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace autobuild::testenv
