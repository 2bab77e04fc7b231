#include "controller/work_queue.h"

#include <algorithm>

namespace autobuild::controller {

WorkQueue::WorkQueue(std::chrono::milliseconds base_backoff, std::chrono::milliseconds max_backoff)
    : base_backoff_(base_backoff), max_backoff_(max_backoff) {}

void WorkQueue::enqueueLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  // A key in process is queued again by done(), so that no two workers hold it at once.
  if (processing_.count(key)) return;
  queue_.push_back(key);
  wake_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  enqueueLocked(key);
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds::zero()) return add(key);
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  delayed_.emplace(Clock::now() + delay, key);
  // A waiting get() must recompute how long to sleep.
  wake_.notify_all();
}

void WorkQueue::addRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard lock(mutex_);
    int n = failures_[key]++;
    // base * 2^n, without overflowing for large n.
    delay =
        n >= 30 ? max_backoff_ : std::min<std::chrono::milliseconds>(max_backoff_, base_backoff_ * (1L << n));
  }
  addAfter(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

void WorkQueue::promoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    enqueueLocked(key);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    promoteDueLocked(Clock::now());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      wake_.wait(lock);
    } else {
      // A copy: wait_until reads its deadline again after waking, when another worker may have erased
      // the entry it came from.
      const Clock::time_point deadline = delayed_.begin()->first;
      wake_.wait_until(lock, deadline);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.count(key) && !shutting_down_) {
    queue_.push_back(key);
    wake_.notify_one();
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  wake_.notify_all();
}

std::size_t WorkQueue::depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace autobuild::controller
