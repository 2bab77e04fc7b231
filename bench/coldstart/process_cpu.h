// CPU time of a process from /proc, to tell where a phase's work went: the controller, the API server,
// etcd.
#pragma once

#include <sys/types.h>

namespace autobuild::bench {

// User plus system CPU seconds process `pid` used so far; 0 when it is gone.
double cpuSeconds(pid_t pid);

}  // namespace autobuild::bench
