#include "webhook/trigger_recorder.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "kube/api_error.h"
#include "kube/rfc3339.h"
#include "kube/transport.h"

namespace autobuild::webhook {
namespace {

nlohmann::json toJson(const api::LastTrigger& t) {
  nlohmann::json j = {{"time", t.time}, {"source", t.source}, {"result", t.result}};
  for (auto [key, value] : {std::pair{"deliveryID", &t.delivery_id}, std::pair{"revision", &t.revision},
                            std::pair{"branch", &t.branch}, std::pair{"message", &t.message}}) {
    if (!value->empty()) j[key] = *value;
  }
  return j;
}

bool retryable(const kube::ApiError& e) {
  const int code = e.status().code;
  return code == 429 || code >= 500;
}

}  // namespace

TriggerRecorder::TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events)
    : TriggerRecorder(std::move(client), events, Options{}) {}

TriggerRecorder::TriggerRecorder(std::shared_ptr<kube::Client> client, kube::EventRecorder& events,
                                 Options options)
    : client_(std::move(client)), events_(events), options_(options) {
  thread_ = std::thread([this] { run(); });
}

TriggerRecorder::~TriggerRecorder() {
  stop(kStopTimeout);
}

void TriggerRecorder::record(const api::AutoBuild& autobuild, TriggerRecord record) {
  enqueue(autobuild, std::move(record), false);
}

void TriggerRecorder::recordAndWait(const api::AutoBuild& autobuild, TriggerRecord record,
                                    std::chrono::milliseconds timeout) {
  const std::string key = autobuild.ns + "/" + autobuild.name;
  enqueue(autobuild, std::move(record), true);
  std::unique_lock lock(mutex_);
  if (!written_.wait_for(lock, timeout, [&] { return idle(key); })) {
    spdlog::warn("trigger on AutoBuild {}: not recorded within {} ms; it is still being written", key,
                 timeout.count());
  }
}

void TriggerRecorder::enqueue(const api::AutoBuild& autobuild, TriggerRecord record, bool urgent) {
  record.last.time = kube::nowRfc3339();
  {
    std::lock_guard lock(mutex_);
    if (!stopped_) {
      const std::string key = autobuild.ns + "/" + autobuild.name;
      auto [it, added] = pending_.try_emplace(key);
      Pending& p = it->second;
      if (added) {
        order_.push_back(key);
        p.ns = autobuild.ns;
        p.name = autobuild.name;
      }
      p.uid = autobuild.uid;
      p.last = std::move(record.last);
      ++p.count;
      // The writer knows of a record that was waiting already: waking it for every delivery of a flood
      // would cost a thread switch each.
      const bool news = added || (urgent && !p.urgent);
      p.urgent = p.urgent || urgent;
      const bool seen = std::any_of(p.events.begin(), p.events.end(), [&](const EventNote& e) {
        return e.type == record.event_type && e.reason == record.event_reason &&
               e.message == record.event_message;
      });
      if (!seen) {
        p.events.push_back(
            {record.event_type, std::move(record.event_reason), std::move(record.event_message)});
      }
      if (news) wake_.notify_one();
      return;
    }
  }
  // Stopped: nothing is answered any more, so writing here delays no one.
  write(Pending{autobuild.ns,
                autobuild.name,
                autobuild.uid,
                std::move(record.last),
                1,
                {{record.event_type, std::move(record.event_reason), std::move(record.event_message)}},
                true});
}

bool TriggerRecorder::idle(const std::string& key) const {
  return writing_ != key && pending_.find(key) == pending_.end();
}

bool TriggerRecorder::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++flushing_;
  wake_.notify_one();
  const bool done =
      written_.wait_for(lock, timeout, [this] { return stopped_ || (pending_.empty() && writing_.empty()); });
  --flushing_;
  return done;
}

void TriggerRecorder::stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
  }
  flush(timeout);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    if (!pending_.empty()) {
      spdlog::warn("trigger recorder stopped with the records of {} AutoBuilds not written", pending_.size());
    }
    stopping_ = true;
    stopped_ = true;
    order_.clear();
    pending_.clear();
  }
  wake_.notify_all();
  written_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::list<std::string>::iterator TriggerRecorder::nextDue(Clock::time_point now, Clock::time_point& wake_at) {
  // Entries in the past say nothing any more; without this, AutoBuilds deleted meanwhile would stay.
  if (next_write_.size() > pending_.size() + 1024) {
    std::erase_if(next_write_, [&](const auto& entry) { return entry.second <= now; });
  }
  for (auto key = order_.begin(); key != order_.end(); ++key) {
    const auto next = next_write_.find(*key);
    if (next == next_write_.end() || next->second <= now || flushing_ > 0 || pending_.at(*key).urgent) {
      return key;
    }
    wake_at = std::min(wake_at, next->second);
  }
  return order_.end();
}

void TriggerRecorder::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wake_at = Clock::time_point::max();
    const auto due = nextDue(Clock::now(), wake_at);
    if (due == order_.end()) {
      if (wake_at == Clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, wake_at);
      }
      continue;
    }
    const std::string key = std::move(*due);
    order_.erase(due);
    auto it = pending_.find(key);
    Pending pending = std::move(it->second);
    pending_.erase(it);
    writing_ = key;
    lock.unlock();
    write(pending);
    lock.lock();
    next_write_[key] = Clock::now() + options_.min_interval;
    writing_.clear();
    written_.notify_all();
  }
}

void TriggerRecorder::write(const Pending& pending) const {
  nlohmann::json involved = {
      {"apiVersion", api::kApiVersion},
      {"kind", api::kKind},
      {"metadata", {{"namespace", pending.ns}, {"name", pending.name}, {"uid", pending.uid}}}};
  for (const auto& e : pending.events) events_.record(involved, e.type, e.reason, e.message);
  writeStatus(pending);
}

void TriggerRecorder::writeStatus(const Pending& pending) const {
  const std::string what = "record trigger on AutoBuild " + pending.ns + "/" + pending.name;
  auto backoff = options_.retry_backoff;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    try {
      nlohmann::json current = client_->get(api::AutoBuilds, pending.ns, pending.name);
      auto status = current.value("status", nlohmann::json::object());
      std::int64_t count = status.value("triggerCount", std::int64_t{0});
      // resourceVersion makes the merge patch conditional: a concurrent count from another replica
      // fails it with 409 and this one reads again.
      nlohmann::json patch = {
          {"metadata", {{"resourceVersion", current["metadata"].value("resourceVersion", "")}}},
          {"status", {{"lastTrigger", toJson(pending.last)}, {"triggerCount", count + pending.count}}}};
      client_->patch(api::AutoBuilds, pending.ns, pending.name, kube::PatchType::Merge, patch, {}, "status");
      return;
    } catch (const kube::ApiError& e) {
      if (e.isNotFound()) return;  // deleted meanwhile: nothing to record on
      const bool again = e.isConflict() || retryable(e);
      if (!again || attempt == options_.attempts) {
        spdlog::warn("{} ({} deliveries): {}", what, pending.count, e.what());
        return;
      }
      if (e.isConflict()) continue;
    } catch (const kube::TransportError& e) {
      if (attempt == options_.attempts) {
        spdlog::warn("{} ({} deliveries): {}", what, pending.count, e.what());
        return;
      }
    } catch (const std::exception& e) {
      spdlog::warn("{} ({} deliveries): {}", what, pending.count, e.what());
      return;
    }
    if (stopping_.load()) {
      spdlog::warn("{} ({} deliveries): given up, the webhook is stopping", what, pending.count);
      return;
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

}  // namespace autobuild::webhook
