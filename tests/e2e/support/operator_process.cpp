#include "tests/e2e/support/operator_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace autobuild::e2e {

OperatorProcess::OperatorProcess(const std::string& binary, const std::vector<std::string>& args,
                                 const std::string& log_path)
    : log_path_(log_path) {
  std::vector<std::string> argv_storage{binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::system_error(errno, std::generic_category(), "open " + log_path);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork " + binary);
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // The test binary may block signals in its threads; the operator must get its own defaults.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    // Nothing else of the test's goes along: a socket the test still holds (Asio opens them without
    // close-on-exec) would otherwise stay open in the child after the test closes it, and its peer would
    // never see the connection end.
    close_range(3, ~0U, 0);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(log_fd);
}

OperatorProcess::~OperatorProcess() {
  if (running()) kill();
}

bool OperatorProcess::running() {
  if (exited_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return !exited_;
}

int OperatorProcess::waitFor(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

int OperatorProcess::terminate(std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  int code = waitFor(timeout);
  if (code == -1) kill();
  return code;
}

void OperatorProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  waitFor(std::chrono::seconds(10));
}

std::string OperatorProcess::logs() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int freePort() {
  // The socket stays bound, with SO_REUSEADDR and without listening, for the life of the test binary: the
  // kernel then never hands the port to another bind(0) or to an outgoing connection, in this process or
  // any other, while the operator's listeners (all SO_REUSEADDR) can still bind it. Released at once, the
  // port could be taken by a test binary running beside this one before the operator binds it.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace autobuild::e2e
