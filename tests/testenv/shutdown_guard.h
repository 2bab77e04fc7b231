// Keeps a test binary's control plane from outliving the binary when the environment's TearDown does
// not run: exit() from a test (an atexit handler runs `control-plane down`) and fatal signals (the
// handler sends SIGTERM to the components' process groups, which is async-signal-safe, then lets the
// signal take its course through the handler that was there before). SIGKILL leaves no chance to do
// anything: the script's --owner-pid watchdog covers it. Forked children (death tests) do nothing.
#pragma once

#include <string>

namespace autobuild::testenv {

// Arms the guard for the control plane `script` runs in `dir`, reading the process ids in dir/run.
// Call it again whenever a component stops or starts, so a signal reaches the current processes.
void armShutdownGuard(const std::string& script, const std::string& dir);

// After a regular `control-plane down`: nothing is left to stop.
void disarmShutdownGuard();

}  // namespace autobuild::testenv
