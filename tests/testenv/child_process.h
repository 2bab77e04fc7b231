// Runs a program to completion with its output captured: how the test environment calls the
// control-plane script and kubectl. No shell is involved, so arguments need no quoting.
#pragma once

#include <string>
#include <vector>

namespace autobuild::testenv {

struct ChildProcessResult {
  int exit_code = 0;  // the exit status, or 128 + the signal number when a signal ended it
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, not looked up in PATH) with the arguments that follow, writing `stdin_data` to
// its standard input. The child gets this process's environment plus `extra_environment`
// ("NAME=value" entries, which win), default signal handling and no descriptor but its standard ones.
// Throws std::system_error when it cannot be started.
ChildProcessResult runChildProcess(const std::vector<std::string>& argv, const std::string& stdin_data = "",
                                   const std::vector<std::string>& extra_environment = {});

// "prog arg1 arg2", for messages.
std::string describeCommand(const std::vector<std::string>& argv);

}  // namespace autobuild::testenv
