// The server's view of its open connections: how many there are (for the connection limit and for a
// graceful stop to wait on) and a way to reach each one from another thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace autobuild::http {

// What the server may ask of a connection during stop. Both are thread-safe and return at once; the work
// happens on the connection's own strand.
class ConnectionControl {
 public:
  virtual ~ConnectionControl() = default;
  // Closes the connection if it is kept alive between requests; a connection in the middle of a request,
  // or accepted and not yet past its first one (TLS handshake included), finishes it and then closes.
  virtual void closeIfIdle() = 0;
  // Closes the connection whatever it is doing.
  virtual void close() = 0;
};

class ConnectionRegistry {
 public:
  // A connection registers once it is owned by a shared_ptr and removes itself in its destructor.
  std::uint64_t add(std::weak_ptr<ConnectionControl> connection);
  void remove(std::uint64_t id);

  std::size_t size() const;
  // The connections still alive now.
  std::vector<std::shared_ptr<ConnectionControl>> live() const;
  // True once no connection is registered; false if `deadline` passes first.
  bool waitUntilEmpty(std::chrono::steady_clock::time_point deadline) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable emptied_;
  std::unordered_map<std::uint64_t, std::weak_ptr<ConnectionControl>> connections_;
  std::uint64_t next_id_ = 1;
};

}  // namespace autobuild::http
