#include "webhook/sources/delivery_log.h"

#include <stdexcept>

#include "webhook/sources/crypto.h"

namespace autobuild::webhook {
namespace {

// One digest for the pair; the length prefix keeps ("a", "b:c") and ("a:b", "c") apart.
std::string digestOf(std::string_view autobuild, std::string_view delivery_id) {
  std::string pair = std::to_string(autobuild.size()) + ":";
  pair.append(autobuild).append(delivery_id);
  return sha256(pair);
}

}  // namespace

DeliveryLog::DeliveryLog(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw std::invalid_argument("delivery log capacity must be at least 1");
}

bool DeliveryLog::record(std::string_view autobuild, std::string_view delivery_id) {
  if (delivery_id.empty()) return true;
  std::string digest = digestOf(autobuild, delivery_id);
  const std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(digest); it != entries_.end()) {
    recency_.splice(recency_.begin(), recency_, it->second);
    return false;
  }
  if (entries_.size() == capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(digest);
  entries_.emplace(std::move(digest), recency_.begin());
  return true;
}

void DeliveryLog::forget(std::string_view autobuild, std::string_view delivery_id) {
  const std::string digest = digestOf(autobuild, delivery_id);
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(digest);
  if (it == entries_.end()) return;
  recency_.erase(it->second);
  entries_.erase(it);
}

std::size_t DeliveryLog::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace autobuild::webhook
