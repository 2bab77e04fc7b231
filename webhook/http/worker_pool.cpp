#include "webhook/http/worker_pool.h"

#include <exception>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace autobuild::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_capacity) : capacity_(queue_capacity) {
  if (threads == 0) throw std::invalid_argument("worker pool: needs at least one thread");
  if (queue_capacity == 0) throw std::invalid_argument("worker pool: queue capacity must be at least 1");
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  stop();
}

bool WorkerPool::trySubmit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  std::call_once(stop_once_, [this] {
    std::deque<Task> dropped;
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      dropped.swap(queue_);
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
    // `dropped` dies here, outside the lock: tasks may own objects whose destructors take other locks.
  });
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkerPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void WorkerPool::run() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
      if (stopped_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("worker pool: task failed: {}", e.what());
    } catch (...) {
      spdlog::error("worker pool: task failed with a non-standard exception");
    }
    // Release what the task holds before counting it finished.
    task = nullptr;
    std::lock_guard lock(mutex_);
    --running_;
  }
}

}  // namespace autobuild::http
