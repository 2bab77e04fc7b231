#include "webhook/sources/delivery_log.h"

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace autobuild::webhook {
namespace {

TEST(DeliveryLog, SecondDeliveryOfAnIdIsADuplicate) {
  DeliveryLog log;
  EXPECT_TRUE(log.record("shop/web", "72d3162e"));
  EXPECT_FALSE(log.record("shop/web", "72d3162e"));
  EXPECT_EQ(log.size(), 1u);
}

TEST(DeliveryLog, IdsArePerAutoBuild) {
  DeliveryLog log;
  EXPECT_TRUE(log.record("shop/web", "72d3162e"));
  EXPECT_TRUE(log.record("shop/api", "72d3162e"));
  // The pair is kept apart however the separators fall.
  EXPECT_TRUE(log.record("a", "b:c"));
  EXPECT_TRUE(log.record("a:b", "c"));
  EXPECT_TRUE(log.record("a:", "bc"));
}

TEST(DeliveryLog, EvictsTheLeastRecentlySeen) {
  DeliveryLog log(3);
  EXPECT_TRUE(log.record("ab", "1"));
  EXPECT_TRUE(log.record("ab", "2"));
  EXPECT_TRUE(log.record("ab", "3"));
  EXPECT_FALSE(log.record("ab", "1"));  // seen again: now the most recent
  EXPECT_TRUE(log.record("ab", "4"));   // evicts 2
  EXPECT_EQ(log.size(), 3u);
  EXPECT_FALSE(log.record("ab", "1"));
  EXPECT_FALSE(log.record("ab", "3"));
  EXPECT_FALSE(log.record("ab", "4"));
  EXPECT_TRUE(log.record("ab", "2"));  // forgotten by eviction
}

TEST(DeliveryLog, MemoryStaysBounded) {
  DeliveryLog log(100);
  for (int i = 0; i < 10000; ++i) log.record("shop/web", std::string(200, 'x') + std::to_string(i));
  EXPECT_EQ(log.size(), 100u);
  EXPECT_EQ(log.capacity(), 100u);
  EXPECT_EQ(DeliveryLog().capacity(), 10000u);
}

TEST(DeliveryLog, ForgetLetsARetryThrough) {
  DeliveryLog log;
  EXPECT_TRUE(log.record("shop/web", "72d3162e"));
  log.forget("shop/web", "72d3162e");
  EXPECT_EQ(log.size(), 0u);
  EXPECT_TRUE(log.record("shop/web", "72d3162e"));
  log.forget("shop/web", "never-seen");
  EXPECT_EQ(log.size(), 1u);
}

TEST(DeliveryLog, EmptyIdsAreNeverDuplicates) {
  DeliveryLog log;
  EXPECT_TRUE(log.record("shop/web", ""));
  EXPECT_TRUE(log.record("shop/web", ""));
  EXPECT_EQ(log.size(), 0u);
}

TEST(DeliveryLog, ZeroCapacityIsRefused) {
  EXPECT_THROW(DeliveryLog(0), std::invalid_argument);
}

TEST(DeliveryLog, ConcurrentRedeliveriesAreRecordedOnce) {
  DeliveryLog log(1000);
  std::atomic<int> first_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (log.record("shop/web", "delivery-" + std::to_string(i))) ++first_seen;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(first_seen.load(), 500);
  EXPECT_EQ(log.size(), 500u);
}

}  // namespace
}  // namespace autobuild::webhook
