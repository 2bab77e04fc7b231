// A bounded load of signed GitHub pushes against the webhook replicas, as many repositories pushing at
// once would send: each delivery a distinct commit (so each may roll out once) to one of a set of
// AutoBuilds, sent at a fixed rate from a pool of senders, every outcome recorded for the test to account
// for afterwards. A replica that refuses the connection (it is gone) is skipped for the next one, as a
// Service routes new connections away from an endpoint that stopped listening.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/e2e/support/github_push.h"

namespace autobuild::e2e {

using Clock = std::chrono::steady_clock;

struct PushTarget {
  std::string autobuild;  // name
  std::string path;       // /hooks/<id>
  std::string secret;
};

struct PushOutcome {
  std::string autobuild;
  std::string revision;
  int first_replica = -1;  // where it was sent first
  int replica = -1;        // the replica that answered; -1: none did
  bool refused = false;    // some replica refused the connection before one answered
  int status = 0;          // 0: no answer (error says why)
  std::string result;
  std::string reason;
  std::string retry_after;
  std::string error;
  Clock::time_point sent;      // the connection to the answering replica was open from here
  Clock::time_point answered;  // or gave up
};

// A connection to 127.0.0.1:`port`, opened when constructed, on which one push is sent later: a client
// that connected before something happened to the replica and sends its request after.
class PushConnection {
 public:
  // Everything on it, connecting included, must be done within `timeout`.
  PushConnection(int port, std::chrono::seconds timeout);
  ~PushConnection();
  PushConnection(const PushConnection&) = delete;
  PushConnection& operator=(const PushConnection&) = delete;

  bool refused() const { return outcome_.refused; }  // nothing listens on the port
  // The outcome's status is 0 when there was no answer (error then says why).
  PushOutcome post(const std::string& path, const SignedPush& push);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  int port_;
  PushOutcome outcome_;  // what connecting told
};

// One POST to 127.0.0.1:`port` on a new connection.
PushOutcome postPush(int port, const std::string& path, const SignedPush& push, std::chrono::seconds timeout);

class PushLoad {
 public:
  // Sends to `targets` in turn at `rate` per second, delivery i first to ports[i % ports.size()].
  PushLoad(std::vector<PushTarget> targets, std::vector<int> ports, double rate);
  ~PushLoad();  // stop()
  PushLoad(const PushLoad&) = delete;
  PushLoad& operator=(const PushLoad&) = delete;

  void start();
  // Sends nothing more, waits for every delivery sent to be answered (or to give up), and returns them
  // all. Idempotent.
  std::vector<PushOutcome> stop();
  // Deliveries sent to `replica` first and not yet answered.
  int pendingOn(int replica) const;

 private:
  struct Job {
    int index;
    PushTarget target;
    std::string sha;
    SignedPush push;
  };
  void schedule();
  void send();

  std::vector<PushTarget> targets_;
  std::vector<int> ports_;
  double rate_;
  std::thread scheduler_;
  std::vector<std::thread> senders_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::vector<PushOutcome> outcomes_;
  std::vector<int> pending_on_;
  bool stopping_ = false;
};

}  // namespace autobuild::e2e
