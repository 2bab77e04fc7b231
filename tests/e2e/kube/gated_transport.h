// A Transport in front of a real one that a test can cut off: while closed, every request fails as if
// the server were unreachable and the streams in flight break; while held, requests wait as if the
// server were slow. It lets a test decide exactly when a client loses and regains the API server while
// others keep using it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>

#include "kube/transport.h"

namespace autobuild::kube::e2e {

class GatedTransport : public Transport, public std::enable_shared_from_this<GatedTransport> {
 public:
  explicit GatedTransport(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}

  void close();  // fails new requests with TransportError(Connect) and breaks open streams
  void hold();   // makes new requests wait until open()
  void open();
  // Blocks until `requests` requests are waiting behind hold(); false if they are not within `timeout`.
  bool waitUntilHeld(std::size_t requests, std::chrono::milliseconds timeout);

  HttpResponse send(const HttpRequest& request) override;
  StreamResponse stream(const HttpRequest& request) override;
  void shutdown() override { inner_->shutdown(); }
  const std::string& server() const override { return inner_->server(); }

 private:
  class GatedLines;
  void waitUntilOpen(const HttpRequest& request);

  std::shared_ptr<Transport> inner_;
  std::mutex mutex_;
  std::condition_variable opened_;
  std::condition_variable waiting_changed_;
  std::size_t waiting_ = 0;
  bool closed_ = false;
  bool held_ = false;
  std::set<GatedLines*> streams_;
};

}  // namespace autobuild::kube::e2e
