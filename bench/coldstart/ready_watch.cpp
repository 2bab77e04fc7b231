#include "bench/coldstart/ready_watch.h"

#include <stdexcept>

#include "api/autobuild.h"

namespace autobuild::bench {
namespace {

using nlohmann::json;

constexpr const char* kReadyReason = "readyReason";

// The reason of a current Ready condition, or "".
std::string currentReadyReason(const json& autobuild) {
  auto generation = autobuild["metadata"].value("generation", std::int64_t{-1});
  auto status = autobuild.find("status");
  if (status == autobuild.end() || !status->is_object() ||
      status->value("observedGeneration", std::int64_t{0}) != generation) {
    return "";
  }
  for (const auto& condition : status->value("conditions", json::array())) {
    if (condition.value("type", "") == "Ready" &&
        condition.value("observedGeneration", std::int64_t{0}) == generation) {
      return condition.value("reason", "");
    }
  }
  return "";
}

kube::InformerOptions options() {
  kube::InformerOptions options;
  options.transform = [](json object) {
    json metadata = json::object();
    for (const char* field : {"name", "namespace", "resourceVersion"})
      metadata[field] = object["metadata"][field];
    return json{{"metadata", std::move(metadata)}, {kReadyReason, currentReadyReason(object)}};
  };
  return options;
}

}  // namespace

ReadyWatch::ReadyWatch(std::shared_ptr<kube::Client> client) : informer_(client, api::AutoBuilds, options()) {
  informer_.addHandlers({
      [this](const kube::ObjectPtr& added) { count(added, 1); },
      [this](const kube::ObjectPtr& before, const kube::ObjectPtr& after) {
        if (before == after) return;  // a resync
        count(before, -1);
        count(after, 1);
      },
      [this](const kube::ObjectPtr& deleted) { count(deleted, -1); },
  });
}

ReadyWatch::~ReadyWatch() {
  informer_.stop();
}

void ReadyWatch::start(std::chrono::milliseconds timeout) {
  informer_.start();
  if (!informer_.waitForSync(timeout)) {
    throw std::runtime_error("watch AutoBuilds: the first list did not complete within " +
                             std::to_string(timeout.count()) + " ms");
  }
}

void ReadyWatch::count(const kube::ObjectPtr& object, int delta) {
  const std::string& reason = (*object)[kReadyReason].get_ref<const std::string&>();
  std::lock_guard lock(mutex_);
  std::size_t& n = by_reason_[reason];
  if (delta > 0) {
    ++n;
  } else {
    --n;
  }
  if (!reached_ && !awaited_reason_.empty() && reason == awaited_reason_ && n >= awaited_count_) {
    reached_ = Clock::now();
    changed_.notify_all();
  }
}

std::optional<ReadyWatch::Clock::time_point> ReadyWatch::waitFor(const std::string& reason, std::size_t count,
                                                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  awaited_reason_ = reason;
  awaited_count_ = count;
  reached_.reset();
  if (by_reason_[reason] >= count) reached_ = Clock::now();
  changed_.wait_for(lock, timeout, [this] { return reached_.has_value(); });
  auto reached = reached_;
  awaited_reason_.clear();
  return reached;
}

}  // namespace autobuild::bench
