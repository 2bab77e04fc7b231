// What the server tests share: options suited to a test, a gate that holds handlers until released, and
// polling for a condition that another thread makes true.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

#include "webhook/http/server.h"

namespace autobuild::http::testing {

// Loopback, a free port, two IO threads, two workers; the production limits otherwise.
ServerOptions testOptions();

// A route answering 200 "ok" as text/plain on the IO thread, for GET and HEAD.
Route healthRoute(std::string path = "/healthz");

// Holds every handler that calls pass() until open() is called.
class Gate {
 public:
  // Blocks until open(); counts the caller as waiting meanwhile.
  void pass();
  void open();
  // True once `count` callers are waiting (or have passed) within `timeout`.
  bool waitForArrivals(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t arrived_ = 0;
  bool open_ = false;
};

// Polls `condition` until it holds; false if `timeout` passes first.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace autobuild::http::testing
