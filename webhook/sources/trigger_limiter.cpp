#include "webhook/sources/trigger_limiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace autobuild::webhook {

TriggerLimiter::TriggerLimiter(Options options) : options_(options) {
  if (!(options.per_second > 0)) throw std::invalid_argument("trigger rate must be more than 0 per second");
  if (!(options.burst >= 1)) throw std::invalid_argument("trigger burst must be at least 1");
  if (options.max_buckets == 0) throw std::invalid_argument("trigger limiter must hold at least 1 bucket");
}

double TriggerLimiter::tokensAt(const Bucket& bucket, Clock::time_point now) const {
  // A clock that went back refills nothing rather than draining the bucket.
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - bucket.updated).count());
  return std::min(options_.burst, bucket.tokens + elapsed * options_.per_second);
}

void TriggerLimiter::dropRefilled(Clock::time_point now) {
  while (!recency_.empty() && tokensAt(recency_.back(), now) >= options_.burst) {
    buckets_.erase(recency_.back().key);
    recency_.pop_back();
  }
}

TriggerLimiter::Verdict TriggerLimiter::tryTake(std::string_view key, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  dropRefilled(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() == options_.max_buckets) {
      buckets_.erase(recency_.back().key);
      recency_.pop_back();
    }
    recency_.push_front(Bucket{std::string(key), options_.burst, now});
    it = buckets_.emplace(recency_.front().key, recency_.begin()).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second);
  }

  Bucket& bucket = *it->second;
  bucket.tokens = tokensAt(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return Verdict{true, std::chrono::seconds(0)};
  }
  const double wait = (1 - bucket.tokens) / options_.per_second;
  const auto seconds = static_cast<std::chrono::seconds::rep>(std::ceil(wait));
  return Verdict{false, std::chrono::seconds(std::max<std::chrono::seconds::rep>(1, seconds))};
}

std::size_t TriggerLimiter::bucketCount() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace autobuild::webhook
