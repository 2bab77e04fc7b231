#include "webhook/http/connection_registry.h"

namespace autobuild::http {

std::uint64_t ConnectionRegistry::add(std::weak_ptr<ConnectionControl> connection) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  bool empty = false;
  {
    std::lock_guard lock(mutex_);
    connections_.erase(id);
    empty = connections_.empty();
  }
  if (empty) emptied_.notify_all();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::vector<std::shared_ptr<ConnectionControl>> ConnectionRegistry::live() const {
  std::vector<std::shared_ptr<ConnectionControl>> result;
  std::lock_guard lock(mutex_);
  result.reserve(connections_.size());
  for (const auto& [id, weak] : connections_) {
    // A connection whose destructor is waiting to remove itself cannot be locked: it is already gone.
    if (auto connection = weak.lock()) result.push_back(std::move(connection));
  }
  return result;
}

bool ConnectionRegistry::waitUntilEmpty(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return emptied_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace autobuild::http
