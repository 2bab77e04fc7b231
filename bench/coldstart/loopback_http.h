// The controller's probe and metrics listeners on loopback, from the benchmark's side.
#pragma once

#include <string>

namespace autobuild::bench {

// A TCP port on 127.0.0.1 free right now (bound and released).
int freeLoopbackPort();

struct HttpAnswer {
  int status = 0;  // 0: nothing answered
  std::string body;
};

// GET http://127.0.0.1:<port><target>.
HttpAnswer httpGet(int port, const std::string& target);

}  // namespace autobuild::bench
