#include "kube/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>

namespace autobuild::kube {
namespace {

sigset_t shutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void blockShutdownSignals() {
  sigset_t set = shutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A peer closing a connection must be an error on that connection, not the end of the process.
  signal(SIGPIPE, SIG_IGN);
}

int waitForShutdownSignal() {
  sigset_t set = shutdownSet();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace autobuild::kube
