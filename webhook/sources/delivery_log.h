// The deliveries each AutoBuild has received lately, to answer a provider's redelivery 200 Ignored
// Duplicate (SPEC section 3) instead of rolling out twice. Memory is bounded: the log keeps the most
// recently seen `capacity` deliveries (least recently seen evicted first), each stored as a 32-byte
// digest whatever the length of the id. Within one replica only; across replicas the revision check
// (AlreadyAtRevision) catches redeliveries. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace autobuild::webhook {

class DeliveryLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 10'000;

  // Throws std::invalid_argument for a capacity of 0.
  explicit DeliveryLog(std::size_t capacity = kDefaultCapacity);

  // Records that `autobuild` (its "namespace/name" or uid) received `delivery_id`. False when it was
  // recorded already: a duplicate. An empty id is never a duplicate and is not recorded.
  bool record(std::string_view autobuild, std::string_view delivery_id);
  // Forgets a delivery whose handling failed, so the provider's retry is handled rather than taken
  // for a duplicate.
  void forget(std::string_view autobuild, std::string_view delivery_id);

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> recency_;  // digests, most recently seen first
  std::unordered_map<std::string, std::list<std::string>::iterator> entries_;
};

}  // namespace autobuild::webhook
