// A queue of keys to reconcile with client-go's guarantees: a key waiting is queued once however often it
// is added; a key is processed by one worker at a time (added while in process, it is queued again when
// done); failures are retried after a capped exponential backoff per key; delayed adds (requeue after).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace autobuild::controller {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  WorkQueue(std::chrono::milliseconds base_backoff = std::chrono::milliseconds(100),
            std::chrono::milliseconds max_backoff = std::chrono::seconds(300));

  void add(const std::string& key);
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // addAfter with this key's next backoff (doubling from base_backoff up to max_backoff).
  void addRateLimited(const std::string& key);
  // Clears the key's failure count: its next failure backs off from base_backoff again.
  void forget(const std::string& key);

  // Blocks for the next key to process; nullopt once shutDown() was called.
  std::optional<std::string> get();
  // The worker is finished with `key` (from get()); must be called exactly once per get().
  void done(const std::string& key);

  // Wakes every get() with nullopt; later adds are ignored.
  void shutDown();
  // Keys waiting (not counting delayed ones and those in process).
  std::size_t depth() const;

 private:
  void promoteDueLocked(Clock::time_point now);
  void enqueueLocked(const std::string& key);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // waiting in queue_, or to be queued when done
  std::unordered_set<std::string> processing_;  // handed out by get(), not done yet
  std::multimap<Clock::time_point, std::string> delayed_;
  std::unordered_map<std::string, int> failures_;
  std::chrono::milliseconds base_backoff_;
  std::chrono::milliseconds max_backoff_;
  bool shutting_down_ = false;
};

}  // namespace autobuild::controller
