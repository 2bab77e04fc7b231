#include "controller/work_queue.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace autobuild::controller {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueueTest, AKeyAddedTwiceWhileWaitingIsHandedOutOnce) {
  WorkQueue q;
  q.add("ns/a");
  q.add("ns/a");
  q.add("ns/b");
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_EQ(q.get(), "ns/a");
  EXPECT_EQ(q.get(), "ns/b");
  EXPECT_EQ(q.depth(), 0u);
}

TEST(WorkQueueTest, AKeyAddedWhileInProcessIsQueuedAgainOnlyWhenDone) {
  WorkQueue q;
  q.add("ns/a");
  auto key = q.get();
  ASSERT_EQ(key, "ns/a");
  q.add("ns/a");
  EXPECT_EQ(q.depth(), 0u) << "a second worker must not get a key in process";
  q.done("ns/a");
  EXPECT_EQ(q.depth(), 1u);
  EXPECT_EQ(q.get(), "ns/a");
}

TEST(WorkQueueTest, NoTwoWorkersHoldTheSameKey) {
  WorkQueue q;
  std::atomic<int> holding{0};
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        if (holding.fetch_add(1) != 0) overlap = true;
        std::this_thread::sleep_for(1ms);
        holding.fetch_sub(1);
        ++processed;
        q.done(*key);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    q.add("ns/same");
    std::this_thread::sleep_for(100us);
  }
  std::this_thread::sleep_for(50ms);
  q.shutDown();
  for (auto& w : workers) w.join();
  EXPECT_FALSE(overlap);
  EXPECT_GT(processed.load(), 0);
}

TEST(WorkQueueTest, AddAfterHandsTheKeyOutOnlyOnceTheDelayPassed) {
  WorkQueue q;
  auto start = WorkQueue::Clock::now();
  q.addAfter("ns/a", 50ms);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_EQ(q.get(), "ns/a");
  EXPECT_GE(WorkQueue::Clock::now() - start, 50ms);
}

// Several workers waiting on the same earliest delayed key: the one that promotes it erases its entry
// while the others still wait for its time (under AddressSanitizer a wait that kept a reference into the
// entry reads freed memory).
TEST(WorkQueueTest, WorkersWaitingOnADelayedKeyThatAnotherPromotesEachGetEveryKeyOnce) {
  WorkQueue q;
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = q.get()) {
        ++processed;
        q.done(*key);
      }
    });
  }
  constexpr int kKeys = 300;
  for (int i = 0; i < kKeys; ++i) {
    q.addAfter("ns/" + std::to_string(i), std::chrono::milliseconds(1 + i % 3));
    if (i % 10 == 0) std::this_thread::sleep_for(1ms);
  }
  while (processed.load() < kKeys) std::this_thread::sleep_for(1ms);
  q.shutDown();
  for (auto& w : workers) w.join();
  EXPECT_EQ(processed.load(), kKeys);
}

TEST(WorkQueueTest, FailuresBackOffExponentiallyUpToTheCapAndForgetResets) {
  WorkQueue q(10ms, 40ms);
  auto timeToGet = [&] {
    auto start = WorkQueue::Clock::now();
    auto key = q.get();
    q.done(*key);
    return WorkQueue::Clock::now() - start;
  };
  q.addRateLimited("ns/a");  // 10 ms
  EXPECT_GE(timeToGet(), 10ms);
  q.addRateLimited("ns/a");  // 20 ms
  EXPECT_GE(timeToGet(), 20ms);
  q.addRateLimited("ns/a");  // 40 ms
  EXPECT_GE(timeToGet(), 40ms);
  q.addRateLimited("ns/a");  // capped at 40 ms
  auto capped = timeToGet();
  EXPECT_GE(capped, 40ms);
  EXPECT_LT(capped, 80ms * 10);
  q.forget("ns/a");
  q.addRateLimited("ns/a");
  EXPECT_GE(timeToGet(), 10ms);
}

TEST(WorkQueueTest, ShutDownWakesEveryWaitingWorker) {
  WorkQueue q;
  std::atomic<int> woken{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      if (!q.get()) ++woken;
    });
  }
  std::this_thread::sleep_for(20ms);
  q.shutDown();
  for (auto& w : workers) w.join();
  EXPECT_EQ(woken.load(), 3);
  q.add("ns/a");
  EXPECT_EQ(q.depth(), 0u) << "adds after shutdown are ignored";
}

}  // namespace
}  // namespace autobuild::controller
