// Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics: a candidate takes the
// Lease when it is free or its holder has not renewed it within leaseDuration; the leader renews every
// retryPeriod and gives up leadership if it cannot renew within renewDeadline; on stop() the leader
// releases the Lease (holderIdentity cleared) so a standby takes over at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kube/client.h"

namespace autobuild::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate: pod name plus a random suffix
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  std::function<void()> on_started_leading;  // called on the elector's thread
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& leader)> on_new_leader;
};

class LeaderElector {
 public:
  // Throws std::invalid_argument unless lease_duration > renew_deadline > 1.2 * retry_period > 0 (the
  // leader must notice a failed renewal before the others may take over) and the Lease is named.
  LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config);
  ~LeaderElector();

  void start();
  void stop();  // releases the Lease if held; idempotent
  bool isLeader() const { return leading_.load(); }
  // True while the elector is making progress: leading and renewing, or a standby that reached the API.
  // A leader is unhealthy once it has not renewed for renew_deadline, a standby once it has not reached
  // the API server for lease_duration; and every elector once stopped.
  bool healthy() const;

 private:
  void run();
  // One round of client-go's tryAcquireOrRenew: true when this candidate holds the Lease afterwards.
  bool tryAcquireOrRenew();
  void release();
  // Records the Lease's election record as seen now; a changed record restarts the expiry clock.
  void observe(const std::string& record, const std::string& holder,
               std::chrono::steady_clock::time_point at);
  void reportSuccess();
  void reportFailure(const std::string& why);
  void invoke(const char* name, const std::function<void()>& callback);
  bool sleepFor(std::chrono::milliseconds d);  // false when stopped meanwhile

  std::shared_ptr<Client> client_;
  std::shared_ptr<Client> lease_client_;  // client_'s transport, with request timeouts fitting the lease
  LeaderElectionConfig config_;
  std::string what_;  // "Lease ns/name as identity", for messages
  std::atomic<bool> leading_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> last_contact_ms_{0};  // steady clock: the API server last answered
  std::atomic<std::int64_t> last_renew_ms_{0};    // steady clock: the last renewal began
  // Elector thread only.
  std::string observed_record_;
  std::chrono::steady_clock::time_point observed_at_;
  std::string reported_leader_;
  bool failing_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace autobuild::kube
