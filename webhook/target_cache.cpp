#include "webhook/target_cache.h"

#include <stdexcept>

namespace autobuild::webhook {
namespace {

// "Deployment shop/web": the target, whichever AutoBuild names it.
std::string keyOf(const api::AutoBuild& autobuild) {
  const auto& target = autobuild.spec.target;
  return std::string(api::toString(target.kind)) + " " + autobuild.ns + "/" + target.name;
}

// What rollOut reads of a target: its identity and generation, and the spec.
nlohmann::json trimmed(const nlohmann::json& object) {
  const auto& metadata = object["metadata"];
  nlohmann::json kept = {{"metadata", nlohmann::json::object()}, {"spec", object["spec"]}};
  for (const char* field : {"name", "namespace", "uid", "generation"}) {
    if (auto it = metadata.find(field); it != metadata.end()) kept["metadata"][field] = *it;
  }
  return kept;
}

bool isTarget(const nlohmann::json& object) {
  if (!object.is_object()) return false;
  const auto metadata = object.find("metadata");
  const auto spec = object.find("spec");
  return metadata != object.end() && metadata->is_object() && metadata->contains("uid") &&
         metadata->contains("generation") && spec != object.end() && spec->is_object();
}

}  // namespace

TargetCache::TargetCache(std::size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw std::invalid_argument("target cache capacity must be at least 1");
}

std::optional<api::TargetState> TargetCache::find(const api::AutoBuild& autobuild) const {
  std::shared_ptr<const nlohmann::json> object;
  {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(keyOf(autobuild));
    if (it == entries_.end()) return std::nullopt;
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    object = it->second.object;
  }
  api::TargetState state = api::RolloutPatcher::stateOf(autobuild, *object);
  state.from_cache = true;
  return state;
}

void TargetCache::remember(const api::AutoBuild& autobuild, const nlohmann::json& object) {
  if (!isTarget(object)) return forget(autobuild);
  auto kept = std::make_shared<const nlohmann::json>(trimmed(object));
  std::string key = keyOf(autobuild);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    it->second.object = std::move(kept);
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return;
  }
  if (entries_.size() == capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  recency_.push_front(key);
  entries_.emplace(std::move(key), Entry{std::move(kept), recency_.begin()});
}

void TargetCache::forget(const api::AutoBuild& autobuild) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(keyOf(autobuild));
  if (it == entries_.end()) return;
  recency_.erase(it->second.recency);
  entries_.erase(it);
}

std::size_t TargetCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace autobuild::webhook
