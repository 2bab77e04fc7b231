#include "webhook/sources/trigger_limiter.h"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace autobuild::webhook {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TriggerLimiter::Clock::time_point kStart{std::chrono::hours(1000)};

TEST(TriggerLimiter, AllowsABurstOfFiveThenOnePerSecond) {
  TriggerLimiter limiter;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.tryTake("shop/web", kStart).allowed) << i;
  const auto refused = limiter.tryTake("shop/web", kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, seconds(1));

  EXPECT_FALSE(limiter.tryTake("shop/web", kStart + milliseconds(999)).allowed);
  EXPECT_TRUE(limiter.tryTake("shop/web", kStart + milliseconds(1000)).allowed);
  EXPECT_FALSE(limiter.tryTake("shop/web", kStart + milliseconds(1000)).allowed);
}

TEST(TriggerLimiter, RefillsUpToTheBurst) {
  TriggerLimiter limiter;
  for (int i = 0; i < 5; ++i) limiter.tryTake("shop/web", kStart);
  const auto later = kStart + seconds(60);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.tryTake("shop/web", later).allowed) << i;
  EXPECT_FALSE(limiter.tryTake("shop/web", later).allowed);
}

TEST(TriggerLimiter, BucketsArePerAutoBuild) {
  TriggerLimiter limiter;
  for (int i = 0; i < 5; ++i) limiter.tryTake("shop/web", kStart);
  EXPECT_FALSE(limiter.tryTake("shop/web", kStart).allowed);
  EXPECT_TRUE(limiter.tryTake("shop/api", kStart).allowed);
}

TEST(TriggerLimiter, RetryAfterIsRoundedUpToWholeSeconds) {
  TriggerLimiter limiter(TriggerLimiter::Options{0.4, 1, 10});
  EXPECT_TRUE(limiter.tryTake("shop/web", kStart).allowed);
  EXPECT_EQ(limiter.tryTake("shop/web", kStart).retry_after, seconds(3));                       // 2.5 s
  EXPECT_EQ(limiter.tryTake("shop/web", kStart + milliseconds(600)).retry_after, seconds(2));   // 1.9 s
  EXPECT_EQ(limiter.tryTake("shop/web", kStart + milliseconds(2400)).retry_after, seconds(1));  // 0.1 s
  EXPECT_TRUE(limiter.tryTake("shop/web", kStart + milliseconds(2500)).allowed);
}

TEST(TriggerLimiter, RefilledBucketsAreDropped) {
  TriggerLimiter limiter;
  for (int i = 0; i < 100; ++i) limiter.tryTake("ns/autobuild-" + std::to_string(i), kStart);
  EXPECT_EQ(limiter.bucketCount(), 100u);
  limiter.tryTake("ns/another", kStart + seconds(10));
  EXPECT_EQ(limiter.bucketCount(), 1u);
}

TEST(TriggerLimiter, BucketCountIsBounded) {
  TriggerLimiter limiter(TriggerLimiter::Options{1, 5, 3});
  for (int i = 0; i < 5; ++i) limiter.tryTake("a", kStart);
  for (const char* key : {"b", "c", "d"}) limiter.tryTake(key, kStart);
  EXPECT_EQ(limiter.bucketCount(), 3u);
  // "a" was the least recently used and was dropped with its empty bucket.
  EXPECT_TRUE(limiter.tryTake("a", kStart).allowed);
}

TEST(TriggerLimiter, AClockGoingBackDrainsNothing) {
  TriggerLimiter limiter;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.tryTake("shop/web", kStart).allowed);
  EXPECT_TRUE(limiter.tryTake("shop/web", kStart - seconds(30)).allowed);
  EXPECT_FALSE(limiter.tryTake("shop/web", kStart - seconds(30)).allowed);
  EXPECT_TRUE(limiter.tryTake("shop/web", kStart + seconds(1)).allowed);
}

TEST(TriggerLimiter, InvalidOptionsAreRefused) {
  EXPECT_THROW(TriggerLimiter(TriggerLimiter::Options{0, 5, 10}), std::invalid_argument);
  EXPECT_THROW(TriggerLimiter(TriggerLimiter::Options{-1, 5, 10}), std::invalid_argument);
  EXPECT_THROW(TriggerLimiter(TriggerLimiter::Options{1, 0.5, 10}), std::invalid_argument);
  EXPECT_THROW(TriggerLimiter(TriggerLimiter::Options{1, 5, 0}), std::invalid_argument);
}

TEST(TriggerLimiter, ConcurrentTakersShareOneBurst) {
  TriggerLimiter limiter;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (limiter.tryTake("shop/web", kStart).allowed) ++allowed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 5);
}

}  // namespace
}  // namespace autobuild::webhook
