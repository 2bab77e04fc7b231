// One of the project's binaries (autobuild-controller, autobuild-webhook) running as a real process under
// a test, with its output in a log file. It dies with the test binary however that ends (PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace autobuild::e2e {

class OperatorProcess {
 public:
  OperatorProcess(const std::string& binary, const std::vector<std::string>& args,
                  const std::string& log_path);
  ~OperatorProcess();  // SIGKILL if still running
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  bool running();
  // SIGTERM, then waits up to `timeout` for the exit; returns the exit code (128 + signal if killed by
  // one, -1 on timeout, after which it is SIGKILLed).
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL, as a crash; waits for it.
  void kill();
  std::string logs() const;
  pid_t pid() const { return pid_; }

 private:
  int waitFor(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int exit_code_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 reserved for the rest of the test binary's life: no other test binary, and no
// outgoing connection, can take it, and a listener with SO_REUSEADDR (every one of the operator's) binds it.
int freePort();

}  // namespace autobuild::e2e
