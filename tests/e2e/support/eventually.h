// Polls a condition until it holds or a deadline passes: how a test waits for a controller to act.
#pragma once

#include <chrono>
#include <thread>

namespace autobuild::e2e {

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(30),
                std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // Not there yet (a 404, a connection refused while the API server restarts): keep polling.
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace autobuild::e2e
