// Follows the Ready condition of every AutoBuild through one watch and tells when enough of them reached
// a reason: the finish line of both the controller's run and the reference writes, seen the same way. It
// costs the API server one watch event per write, on both sides alike, and keeps a few bytes per
// AutoBuild.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "kube/informer.h"

namespace autobuild::bench {

class ReadyWatch {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReadyWatch(std::shared_ptr<kube::Client> client);
  ~ReadyWatch();

  // Lists and starts watching; std::runtime_error when the list has not completed within `timeout`.
  void start(std::chrono::milliseconds timeout);
  // Waits until at least `count` AutoBuilds have a Ready condition with this reason that is current (its
  // observedGeneration and the status's are the object's generation). Returns when the event that
  // completed the count arrived, or nullopt once `timeout` passed.
  std::optional<Clock::time_point> waitFor(const std::string& reason, std::size_t count,
                                           std::chrono::milliseconds timeout);

 private:
  void count(const kube::ObjectPtr& object, int delta);

  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<std::string, std::size_t> by_reason_;  // "" for none or not current
  std::string awaited_reason_;
  std::size_t awaited_count_ = 0;
  std::optional<Clock::time_point> reached_;
  kube::Informer informer_;
};

}  // namespace autobuild::bench
