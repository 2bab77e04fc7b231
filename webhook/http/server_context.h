// What every connection shares with the server that accepted it. Connections hold it by shared_ptr, so it
// lives until the last of them is gone, whatever order the server is torn down in.
#pragma once

#include <atomic>
#include <cstddef>

#include "webhook/http/connection_registry.h"
#include "webhook/http/router.h"
#include "webhook/http/server.h"
#include "webhook/http/worker_pool.h"

namespace autobuild::http {

struct ServerContext {
  ServerContext(ServerOptions server_options, Router server_router)
      : options(std::move(server_options)),
        router(std::move(server_router)),
        workers(options.worker_threads, options.worker_queue_capacity) {}

  const ServerOptions options;
  const Router router;
  WorkerPool workers;
  ConnectionRegistry connections;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
};

// Counts one request in flight for as long as it lives.
class InFlightRequest {
 public:
  explicit InFlightRequest(std::atomic<std::size_t>& counter) : counter_(counter) { ++counter_; }
  ~InFlightRequest() { --counter_; }
  InFlightRequest(const InFlightRequest&) = delete;
  InFlightRequest& operator=(const InFlightRequest&) = delete;

 private:
  std::atomic<std::size_t>& counter_;
};

}  // namespace autobuild::http
