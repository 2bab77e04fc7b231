// The controller's health endpoints on --health-addr: GET /healthz (the process is alive) and GET
// /readyz (the given check passes). Plain HTTP on an internal port for the kubelet's probes; one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace autobuild::controller {

class ProbeServer {
 public:
  // Listens on `address` ("host:port"); throws std::runtime_error naming the address if it cannot.
  ProbeServer(const std::string& address, std::function<bool()> ready);
  ~ProbeServer();  // stops and joins

  unsigned short port() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace autobuild::controller
