// Records core/v1 Events about objects. A repeat of the same (object, type, reason, message) within the
// aggregation window patches the existing Event's count and lastTimestamp instead of creating another.
// Recording is asynchronous and never blocks the caller on the API server; failures are logged.
// Messages are cut to 1024 bytes; at most 1000 events wait to be written, more are dropped (logged once
// when dropping starts and once, with the count, when the queue has room again).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kube/client.h"

namespace autobuild::kube {

enum class EventType { Normal, Warning };

class EventRecorder {
 public:
  // `component` is the reporting controller, e.g. "autobuild-webhook"; `instance` the pod name.
  EventRecorder(std::shared_ptr<Client> client, std::string component, std::string instance);
  ~EventRecorder();  // flushes what is queued (bounded wait), then stops

  // `involved` is the object the event is about (apiVersion, kind, metadata.namespace/name/uid).
  void record(const nlohmann::json& involved, EventType type, const std::string& reason,
              const std::string& message);
  // Waits until everything recorded so far was written or failed; for tests and shutdown.
  void flush(std::chrono::milliseconds timeout);

 private:
  // The involvedObject reference. Strings, not a JSON tree: up to 1000 wait in the queue.
  struct ObjectReference {
    std::string api_version, kind, ns, name, uid, resource_version;
    nlohmann::json toJson() const;
  };
  struct Pending {
    ObjectReference involved;
    std::string event_namespace;  // involved.ns, or "default" for a cluster-scoped object
    EventType type;
    std::string reason;
    std::string message;  // truncated
    std::chrono::system_clock::time_point at;
  };
  // Where the Event of one aggregation key is and how often it happened.
  struct Seen {
    std::string ns, name;
    int count;
    std::chrono::system_clock::time_point last;
  };

  void run();
  void write(const Pending& p);

  std::shared_ptr<Client> client_;
  std::string component_;
  std::string instance_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Pending> queue_;
  std::size_t dropped_ = 0;  // Events dropped since the queue was last found with room
  bool busy_ = false;
  bool stopping_ = false;
  // Aggregation key -> its Event and its place in lru_ (most recent first); only the worker thread
  // touches these, and the least recently used key goes past a bound.
  std::list<std::string> lru_;
  std::unordered_map<std::string, std::pair<Seen, std::list<std::string>::iterator>> seen_;
  std::thread thread_;
};

}  // namespace autobuild::kube
