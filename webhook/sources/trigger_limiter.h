// The per-AutoBuild trigger rate limit (SPEC section 3: default 1 trigger/s, burst 5, answered 429
// with Retry-After): one token bucket per AutoBuild. Memory is bounded: every call drops the least
// recently used buckets that have refilled (a full bucket is the same as none), and past `max_buckets`
// the least recently used bucket goes whatever its level. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace autobuild::webhook {

class TriggerLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    double per_second = 1.0;  // tokens added per second
    double burst = 5.0;       // bucket size: triggers allowed at once
    std::size_t max_buckets = 10'000;
  };

  struct Verdict {
    bool allowed = false;
    std::chrono::seconds retry_after{0};  // when refused: whole seconds until a token is back, at least 1
  };

  // Throws std::invalid_argument unless per_second > 0, burst >= 1 and max_buckets >= 1.
  explicit TriggerLimiter(Options options);
  TriggerLimiter() : TriggerLimiter(Options{}) {}

  // Takes a token from `key`'s bucket (the AutoBuild's "namespace/name") at time `now`.
  Verdict tryTake(std::string_view key, Clock::time_point now);

  // Buckets held now, for tests and metrics.
  std::size_t bucketCount() const;

 private:
  struct Bucket {
    std::string key;
    double tokens = 0;
    Clock::time_point updated;
  };
  using Recency = std::list<Bucket>;  // most recently used first

  double tokensAt(const Bucket& bucket, Clock::time_point now) const;
  void dropRefilled(Clock::time_point now);

  const Options options_;
  mutable std::mutex mutex_;
  Recency recency_;
  std::unordered_map<std::string_view, Recency::iterator> buckets_;  // keys view Bucket::key
};

}  // namespace autobuild::webhook
