#include "webhook/http/worker_pool.h"

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "test_support.h"

namespace autobuild::http {
namespace {

using testing::Gate;

TEST(WorkerPool, RunsSubmittedTasks) {
  WorkerPool pool(2, 8);
  std::atomic<int> done{0};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.trySubmit([&] { ++done; }));
  EXPECT_TRUE(testing::eventually([&] { return done.load() == 5; }));
}

TEST(WorkerPool, RefusesWhenTheQueueIsFull) {
  WorkerPool pool(1, 2);
  Gate gate;
  ASSERT_TRUE(pool.trySubmit([&] { gate.pass(); }));
  ASSERT_TRUE(gate.waitForArrivals(1));  // the only thread is busy
  EXPECT_TRUE(pool.trySubmit([] {}));
  EXPECT_TRUE(pool.trySubmit([] {}));
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_EQ(pool.running(), 1u);
  EXPECT_FALSE(pool.trySubmit([] {}));
  gate.open();
  EXPECT_TRUE(testing::eventually([&] { return pool.queued() == 0 && pool.running() == 0; }));
  EXPECT_TRUE(pool.trySubmit([] {}));
}

TEST(WorkerPool, AThrowingTaskDoesNotEndItsThread) {
  WorkerPool pool(1, 4);
  ASSERT_TRUE(pool.trySubmit([] { throw std::runtime_error("boom"); }));
  std::promise<void> ran;
  ASSERT_TRUE(pool.trySubmit([&] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(WorkerPool, StopWaitsForRunningTasksAndDropsQueuedOnes) {
  WorkerPool pool(1, 4);
  Gate gate;
  std::atomic<bool> running_finished{false};
  std::atomic<bool> queued_ran{false};
  ASSERT_TRUE(pool.trySubmit([&] {
    gate.pass();
    running_finished = true;
  }));
  ASSERT_TRUE(gate.waitForArrivals(1));
  ASSERT_TRUE(pool.trySubmit([&] { queued_ran = true; }));

  auto stopped = std::async(std::launch::async, [&] { pool.stop(); });
  // The only thread is held at the gate, so the queue empties only by stop() dropping it.
  ASSERT_TRUE(testing::eventually([&] { return pool.queued() == 0; }));
  EXPECT_FALSE(pool.trySubmit([] {})) << "a stopping pool took a task";
  gate.open();
  ASSERT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(running_finished);
  EXPECT_FALSE(queued_ran);
  EXPECT_FALSE(pool.trySubmit([] {}));
  pool.stop();  // idempotent
}

TEST(WorkerPool, RefusesAnEmptyConfiguration) {
  EXPECT_THROW(WorkerPool(0, 1), std::invalid_argument);
  EXPECT_THROW(WorkerPool(1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace autobuild::http
