// A token bucket: `qps` tokens a second, at most `burst` saved up (it starts full). A `qps` of zero or
// less means no limit. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace autobuild::kube {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double qps, int burst);

  // Takes a token now if one is there.
  bool tryAcquire();
  // Waits for a token until `deadline`; false if the deadline passes first or stop() was called.
  bool acquire(Clock::time_point deadline);
  // How long until a token is there (zero if one is there now).
  Clock::duration waitTime();
  // Wakes every acquire() waiting; from then on acquire() returns false.
  void stop();

 private:
  void refill(Clock::time_point now);

  std::mutex mutex_;
  std::condition_variable wake_;
  double qps_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
  bool stopped_ = false;
};

}  // namespace autobuild::kube
