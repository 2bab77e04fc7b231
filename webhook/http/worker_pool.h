// A fixed set of threads draining a bounded queue. Submitting never blocks: a full queue is refused so the
// caller can shed load (503) instead of piling up work behind a slow dependency.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace autobuild::http {

class WorkerPool {
 public:
  using Task = std::function<void()>;

  // Throws std::invalid_argument when `threads` or `queue_capacity` is zero.
  WorkerPool(std::size_t threads, std::size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` unless `queue_capacity` tasks are already waiting or stop() was called. A task that
  // throws is caught and logged; it does not end its thread.
  bool trySubmit(Task task);
  // Refuses new tasks, drops the ones not started, and waits for the running ones to return. Idempotent;
  // concurrent callers all return once the threads are joined.
  void stop();

  std::size_t queued() const;  // waiting, not yet running
  std::size_t running() const;

 private:
  void run();

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> queue_;
  std::size_t running_ = 0;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
  std::once_flag stop_once_;
};

}  // namespace autobuild::http
