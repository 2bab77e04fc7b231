// A helper process for tests (a local HTTPS or HTTP server): its stdin and stdout are pipes to the
// test, its stderr is the test's. Destroying it closes its stdin and terminates it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace autobuild::kube::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line the process writes to stdout, without the newline. Throws if stdout ends first.
  std::string readLine();
  void writeLine(const std::string& line);

 private:
  std::string command_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffered_;
};

}  // namespace autobuild::kube::testing
