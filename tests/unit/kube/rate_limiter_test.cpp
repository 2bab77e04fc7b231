#include "kube/rate_limiter.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace autobuild::kube {
namespace {

using namespace std::chrono_literals;

// One token every 1000 s: nothing refills while a test runs.
constexpr double kNoRefill = 0.001;

TEST(RateLimiterTest, StartsWithAFullBurstThenRefuses) {
  RateLimiter limiter(kNoRefill, 3);
  EXPECT_TRUE(limiter.tryAcquire());
  EXPECT_TRUE(limiter.tryAcquire());
  EXPECT_TRUE(limiter.tryAcquire());
  EXPECT_FALSE(limiter.tryAcquire());
}

TEST(RateLimiterTest, WaitTimeIsZeroWithATokenAndAtMostOneIntervalWithout) {
  RateLimiter limiter(kNoRefill, 1);
  EXPECT_EQ(limiter.waitTime(), RateLimiter::Clock::duration::zero());
  ASSERT_TRUE(limiter.tryAcquire());
  const auto wait = limiter.waitTime();
  EXPECT_GT(wait, 990s);
  EXPECT_LE(wait, 1000s);
}

TEST(RateLimiterTest, AcquireGivesUpAtTheDeadline) {
  RateLimiter limiter(kNoRefill, 1);
  EXPECT_TRUE(limiter.acquire(RateLimiter::Clock::now()));  // a token is there: no waiting
  EXPECT_FALSE(limiter.acquire(RateLimiter::Clock::now() + 20ms));
}

TEST(RateLimiterTest, AcquireWaitsForTheRefill) {
  RateLimiter limiter(1000, 1);
  ASSERT_TRUE(limiter.tryAcquire());
  EXPECT_TRUE(limiter.acquire(RateLimiter::Clock::now() + 60s));
}

TEST(RateLimiterTest, RefillIsCappedAtTheBurst) {
  RateLimiter limiter(10, 2);
  ASSERT_TRUE(limiter.tryAcquire());
  ASSERT_TRUE(limiter.tryAcquire());
  std::this_thread::sleep_for(300ms);  // three tokens' worth of time
  EXPECT_TRUE(limiter.tryAcquire());
  EXPECT_TRUE(limiter.tryAcquire());
  EXPECT_FALSE(limiter.tryAcquire());
}

TEST(RateLimiterTest, StopWakesAWaiterAndRefusesLaterAcquires) {
  RateLimiter limiter(kNoRefill, 1);
  ASSERT_TRUE(limiter.tryAcquire());
  auto waiter =
      std::async(std::launch::async, [&] { return limiter.acquire(RateLimiter::Clock::now() + 3600s); });
  std::this_thread::sleep_for(20ms);
  limiter.stop();
  EXPECT_FALSE(waiter.get());

  RateLimiter full(kNoRefill, 5);
  full.stop();
  EXPECT_FALSE(full.acquire(RateLimiter::Clock::now() + 1s));
}

TEST(RateLimiterTest, ZeroQpsMeansNoLimit) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.tryAcquire());
  EXPECT_TRUE(limiter.acquire(RateLimiter::Clock::now()));
  EXPECT_EQ(limiter.waitTime(), RateLimiter::Clock::duration::zero());
}

}  // namespace
}  // namespace autobuild::kube
