#include "kube/event_recorder.h"

#include <cstdint>
#include <random>
#include <utility>

#include <spdlog/spdlog.h>

#include "kube/api_error.h"
#include "kube/rfc3339.h"

namespace autobuild::kube {
namespace {

using Json = nlohmann::json;

// A repeat within this window updates the existing Event instead of creating another (client-go's
// EventCorrelator uses the same ten minutes).
constexpr std::chrono::minutes kAggregationWindow{10};
constexpr std::size_t kMaxAggregationKeys = 4096;
constexpr std::size_t kMaxQueued = 1000;
constexpr std::size_t kMaxMessageBytes = 1024;
constexpr std::chrono::seconds kDestructorFlush{5};
// An Event name is a DNS subdomain (253 characters) made of the object's name, a dot and 16 hex digits.
constexpr std::size_t kMaxNamePrefix = 253 - 17;

// Cuts at a UTF-8 character boundary so that the API server gets valid text.
std::string truncateUtf8(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string randomHex16() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::uint64_t bits = engine();
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, bits >>= 4) hex[i] = kDigits[bits & 0xF];
  return hex;
}

std::string stringField(const Json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

EventRecorder::EventRecorder(std::shared_ptr<Client> client, std::string component, std::string instance)
    : client_(std::move(client)), component_(std::move(component)), instance_(std::move(instance)) {
  thread_ = std::thread([this] { run(); });
}

EventRecorder::~EventRecorder() {
  flush(kDestructorFlush);
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped = queue_.size();
    queue_.clear();
  }
  wake_.notify_all();
  thread_.join();
  if (dropped > 0) spdlog::warn("event recorder stopped with {} events not written", dropped);
}

void EventRecorder::record(const nlohmann::json& involved, EventType type, const std::string& reason,
                           const std::string& message) {
  const Json empty = Json::object();
  const Json& metadata = involved.contains("metadata") ? involved["metadata"] : empty;
  Pending pending;
  pending.involved = {stringField(involved, "apiVersion"), stringField(involved, "kind"),
                      stringField(metadata, "namespace"),  stringField(metadata, "name"),
                      stringField(metadata, "uid"),        stringField(metadata, "resourceVersion")};
  // Events about cluster-scoped objects live in "default", as the API server's validation requires.
  pending.event_namespace = pending.involved.ns.empty() ? "default" : pending.involved.ns;
  pending.type = type;
  pending.reason = reason;
  pending.message = truncateUtf8(message, kMaxMessageBytes);
  pending.at = std::chrono::system_clock::now();

  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    // One line when dropping starts and one when it ends: a burst of thousands of Events (a cold start
    // with every AutoBuild changing Ready) must not become thousands of log lines.
    if (queue_.size() >= kMaxQueued) {
      if (dropped_++ == 0) {
        spdlog::warn(
            "event recorder queue full ({} events): dropping Events until it has room, from {} {} on {} "
            "{}/{}",
            kMaxQueued, type == EventType::Warning ? "Warning" : "Normal", reason, pending.involved.kind,
            pending.event_namespace, pending.involved.name);
      }
      return;
    }
    if (dropped_ > 0) {
      spdlog::warn("event recorder dropped {} Events while its queue was full", dropped_);
      dropped_ = 0;
    }
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
}

nlohmann::json EventRecorder::ObjectReference::toJson() const {
  Json reference = {{"apiVersion", api_version}, {"kind", kind}, {"name", name}};
  if (!ns.empty()) reference["namespace"] = ns;
  if (!uid.empty()) reference["uid"] = uid;
  if (!resource_version.empty()) reference["resourceVersion"] = resource_version;
  return reference;
}

void EventRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  idle_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

void EventRecorder::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      write(pending);
    } catch (const std::exception& e) {
      spdlog::warn("event {} on {} {}/{} not recorded: {}", pending.reason, pending.involved.kind,
                   pending.event_namespace, pending.involved.name, e.what());
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void EventRecorder::write(const Pending& p) {
  const std::string type = p.type == EventType::Warning ? "Warning" : "Normal";
  // Without a uid, objects of the same name in turn (deleted and created again) count as one.
  const std::string object_id = p.involved.uid.empty()
                                    ? p.involved.kind + "/" + p.event_namespace + "/" + p.involved.name
                                    : p.involved.uid;
  const std::string key = object_id + '\0' + type + '\0' + p.reason + '\0' + p.message;
  const std::string now = formatRfc3339(p.at);

  // The worker thread is the only one touching the aggregation state.
  auto seen = seen_.find(key);
  if (seen != seen_.end() && p.at - seen->second.first.last < kAggregationWindow) {
    Seen& s = seen->second.first;
    lru_.splice(lru_.begin(), lru_, seen->second.second);
    try {
      client_->patch(resources::Events, s.ns, s.name, PatchType::Merge,
                     {{"count", s.count + 1}, {"lastTimestamp", now}});
      s.count += 1;
      s.last = p.at;
      return;
    } catch (const ApiError& e) {
      // The Event expired (the API server keeps them an hour) or was deleted: start a new one.
      if (!e.isNotFound()) throw;
    }
  }

  std::string prefix = p.involved.name.substr(0, kMaxNamePrefix);
  Json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", prefix + "." + randomHex16()}, {"namespace", p.event_namespace}}},
      {"involvedObject", p.involved.toJson()},
      {"reason", p.reason},
      {"message", p.message},
      {"type", type},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"reportingInstance", instance_},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
  };
  client_->create(resources::Events, p.event_namespace, event);

  Seen s{p.event_namespace, event["metadata"]["name"].get<std::string>(), 1, p.at};
  if (seen != seen_.end()) {
    seen->second.first = std::move(s);
    lru_.splice(lru_.begin(), lru_, seen->second.second);
    return;
  }
  lru_.push_front(key);
  seen_.emplace(key, std::make_pair(std::move(s), lru_.begin()));
  if (seen_.size() > kMaxAggregationKeys) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace autobuild::kube
