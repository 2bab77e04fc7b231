#include "kube/rate_limiter.h"

#include <algorithm>

namespace autobuild::kube {

RateLimiter::RateLimiter(double qps, int burst)
    : qps_(qps), burst_(std::max(burst, 1)), tokens_(burst_), last_(Clock::now()) {}

void RateLimiter::refill(Clock::time_point now) {
  if (qps_ > 0 && now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
  }
  last_ = std::max(last_, now);
}

bool RateLimiter::tryAcquire() {
  std::lock_guard lock(mutex_);
  if (qps_ <= 0) return true;
  refill(Clock::now());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool RateLimiter::acquire(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (qps_ <= 0) return true;
    const auto now = Clock::now();
    refill(now);
    if (tokens_ >= 1) {
      tokens_ -= 1;
      return true;
    }
    if (now >= deadline) return false;
    // Rounded up so that, woken at `ready`, the bucket has refilled to a whole token.
    const auto ready =
        now + std::chrono::ceil<Clock::duration>(std::chrono::duration<double>((1 - tokens_) / qps_));
    wake_.wait_until(lock, std::min(ready, deadline));
  }
  return false;
}

RateLimiter::Clock::duration RateLimiter::waitTime() {
  std::lock_guard lock(mutex_);
  if (qps_ <= 0) return Clock::duration::zero();
  refill(Clock::now());
  if (tokens_ >= 1) return Clock::duration::zero();
  return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>((1 - tokens_) / qps_));
}

void RateLimiter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
}

}  // namespace autobuild::kube
