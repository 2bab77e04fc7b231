// The autobuild-controller under measurement: a child process with its output in a log file, its memory
// read from /proc, stopped with SIGTERM as a Deployment would stop it. It dies with the benchmark
// however that ends (PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace autobuild::bench {

struct ProcessMemory {
  long rss_kib = 0;   // VmRSS: resident now
  long peak_kib = 0;  // VmHWM: the most it was resident at any time
};

class ControllerProcess {
 public:
  // Starts `binary` with `args`; std::system_error when it cannot be started.
  ControllerProcess(const std::string& binary, const std::vector<std::string>& args,
                    const std::string& log_path);
  ~ControllerProcess();  // SIGKILL if still running
  ControllerProcess(const ControllerProcess&) = delete;
  ControllerProcess& operator=(const ControllerProcess&) = delete;

  bool running();
  // std::runtime_error naming the log when the process has exited (its memory is gone with it).
  ProcessMemory memory();
  // SIGTERM, then waits up to `timeout`; the exit code (128 + signal when one ended it), or -1 on timeout,
  // after which it is SIGKILLed.
  int terminate(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }
  const std::string& logPath() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string log_path_;
};

}  // namespace autobuild::bench
