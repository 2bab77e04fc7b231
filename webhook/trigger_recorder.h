// Records what a delivery did on its AutoBuild (SPEC section 4): status.lastTrigger and triggerCount,
// written through the status subresource with optimistic concurrency so that replicas recording at the
// same time each count, and a Kubernetes Event.
//
// Recording happens after the delivery is answered, on a thread of its own, so a provider never waits
// for it: the answer of a rollout is due once the API server accepted the target's patch. A record is
// written at once, unless the same AutoBuild's status was written less than `min_interval` ago: then it
// waits for the interval to pass, and the records of that AutoBuild that waited together become one
// status write (lastTrigger the latest of them, triggerCount raised by how many they are) and one Event
// per distinct (type, reason, message). So a flood of deliveries to one AutoBuild costs the API server a
// few writes a second, not one per delivery. Memory is bounded by the number of AutoBuilds.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/autobuild.h"
#include "kube/client.h"
#include "kube/event_recorder.h"

namespace autobuild::webhook {

struct TriggerRecord {
  api::LastTrigger last;  // time is filled in here
  kube::EventType event_type;
  std::string event_reason;  // Triggered, TriggerIgnored, TriggerRejected, BuildStarted
  std::string event_message;
};

class TriggerRecorder {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    // Between two status writes of one AutoBuild.
    std::chrono::milliseconds min_interval{1000};
    // A status write refused with 409 Conflict (another writer got in between) is read again and retried
    // this often; one the API server cannot take (no answer, 429, 5xx) as often, after a backoff starting
    // at `retry_backoff` and doubling. Then it is logged and dropped.
    int attempts = 5;
    std::chrono::milliseconds retry_backoff{100};
  };

  TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events);
  TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events, Options options);
  ~TriggerRecorder();  // stop(kStopTimeout)
  TriggerRecorder(const TriggerRecorder&) = delete;
  TriggerRecorder& operator=(const TriggerRecorder&) = delete;

  // Stamps the record's time and queues it; never waits for the API server. After stop(), writes it at
  // once on the caller's thread.
  void record(const api::AutoBuild& autobuild, TriggerRecord record);
  // record(), then waits up to `timeout` until this AutoBuild's records are written, without waiting for
  // the interval: for a record that a later writer must not overtake (the controller records the
  // outcome of the build this one started).
  void recordAndWait(const api::AutoBuild& autobuild, TriggerRecord record,
                     std::chrono::milliseconds timeout);
  // Waits up to `timeout` until everything queued so far is written (or given up), intervals cut short;
  // true when it was.
  bool flush(std::chrono::milliseconds timeout);
  // flush(timeout), then stops the thread; what is still queued is dropped (logged). Idempotent.
  void stop(std::chrono::milliseconds timeout);

  static constexpr std::chrono::seconds kStopTimeout{10};

 private:
  struct EventNote {
    kube::EventType type;
    std::string reason;
    std::string message;
  };
  // What waits to be written for one AutoBuild.
  struct Pending {
    std::string ns, name, uid;
    api::LastTrigger last;  // the latest record's
    std::int64_t count = 0;
    std::vector<EventNote> events;  // distinct, in the order they first came
    bool urgent = false;            // written without waiting for the interval
  };

  void run();
  // The oldest key of order_ that may be written at `now`, or order_.end() (then `wake_at` says when one
  // may, if any).
  std::list<std::string>::iterator nextDue(Clock::time_point now, Clock::time_point& wake_at);  // mutex_ held
  bool idle(const std::string& key) const;                                                      // mutex_ held
  void enqueue(const api::AutoBuild& autobuild, TriggerRecord record, bool urgent);
  void write(const Pending& pending) const;
  void writeStatus(const Pending& pending) const;

  std::shared_ptr<kube::Client> client_;
  kube::EventRecorder& events_;
  const Options options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the writer: work, a flush, or stop
  std::condition_variable written_;  // waiters: a write finished
  std::list<std::string> order_;     // keys of pending_, oldest first
  std::unordered_map<std::string, Pending> pending_;
  // When each AutoBuild written lately may be written again; entries in the past are dropped.
  std::unordered_map<std::string, Clock::time_point> next_write_;
  std::string writing_;  // the key being written, "" when none
  int flushing_ = 0;     // flush() calls waiting: intervals do not hold records back
  // Set under mutex_; read without it between the attempts of a write, which then gives up.
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace autobuild::webhook
