// The last known state of the targets this webhook replica read or rolled out, so that the next trigger
// of a target patches it at once instead of reading it first. A copy may be stale: it is handed out as
// an api::TargetState marked from_cache, whose patch applies only to the very object and spec the copy
// shows, and which is read again before any answer but RolledOut (see api/rollout_patcher.h). Only what
// a rollout reads is kept (metadata.uid and generation, the spec); memory is bounded: past `capacity`
// targets the least recently used goes. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "api/autobuild.h"
#include "api/rollout_patcher.h"

namespace autobuild::webhook {

class TargetCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;

  // Throws std::invalid_argument for a capacity of 0.
  explicit TargetCache(std::size_t capacity = kDefaultCapacity);

  // The state of `autobuild`'s target as last seen, from_cache set; nullopt when none is kept.
  std::optional<api::TargetState> find(const api::AutoBuild& autobuild) const;
  // Keeps `object`, the target as a GET or PATCH of it returned it. An object that is not one (a
  // missing target's state has none) forgets the target.
  void remember(const api::AutoBuild& autobuild, const nlohmann::json& object);
  void forget(const api::AutoBuild& autobuild);

  std::size_t size() const;

 private:
  using Recency = std::list<std::string>;  // keys, most recently used first
  struct Entry {
    std::shared_ptr<const nlohmann::json> object;
    Recency::iterator recency;
  };

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  mutable Recency recency_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace autobuild::webhook
