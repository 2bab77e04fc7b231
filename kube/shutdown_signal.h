// SIGTERM and SIGINT as a blocking wait rather than an asynchronous handler, so shutdown runs on an
// ordinary thread that may lock, log and join.
#pragma once

namespace autobuild::kube {

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it starts afterwards. Call first
// thing in main().
void blockShutdownSignals();
// Waits for SIGTERM or SIGINT; returns the signal number.
int waitForShutdownSignal();

}  // namespace autobuild::kube
