#include "test_support.h"

#include <thread>

namespace autobuild::http::testing {

ServerOptions testOptions() {
  ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.threads = 2;
  options.worker_threads = 2;
  return options;
}

Route healthRoute(std::string path) {
  Route route;
  route.path = std::move(path);
  route.methods = {"GET", "HEAD"};
  route.dispatch = Dispatch::IoThread;
  route.handler = [](const Request&) {
    Response response;
    response.content_type = "text/plain";
    response.body = "ok";
    return response;
  };
  return route;
}

void Gate::pass() {
  std::unique_lock lock(mutex_);
  ++arrived_;
  changed_.notify_all();
  changed_.wait(lock, [this] { return open_; });
}

void Gate::open() {
  std::lock_guard lock(mutex_);
  open_ = true;
  changed_.notify_all();
}

bool Gate::waitForArrivals(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return arrived_ >= count; });
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace autobuild::http::testing
