#include "gated_transport.h"

namespace autobuild::kube::e2e {

class GatedTransport::GatedLines : public LineStream {
 public:
  GatedLines(std::shared_ptr<GatedTransport> gate, std::unique_ptr<LineStream> inner)
      : gate_(std::move(gate)), inner_(std::move(inner)) {}
  ~GatedLines() override {
    std::lock_guard lock(gate_->mutex_);
    gate_->streams_.erase(this);
  }

  std::optional<std::string> nextLine() override {
    auto line = inner_->nextLine();
    std::lock_guard lock(gate_->mutex_);
    // A line already on its way when the gate closed is lost with the connection.
    if (gate_->closed_) throw TransportError(TransportError::Kind::Connect, "gated transport: closed");
    return line;
  }
  void cancel() override { inner_->cancel(); }

 private:
  std::shared_ptr<GatedTransport> gate_;
  std::unique_ptr<LineStream> inner_;
};

void GatedTransport::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (auto* stream : streams_) stream->cancel();
}

void GatedTransport::hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
}

void GatedTransport::open() {
  {
    std::lock_guard lock(mutex_);
    closed_ = false;
    held_ = false;
  }
  opened_.notify_all();
}

bool GatedTransport::waitUntilHeld(std::size_t requests, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return waiting_changed_.wait_for(lock, timeout, [&] { return waiting_ >= requests; });
}

void GatedTransport::waitUntilOpen(const HttpRequest& request) {
  std::unique_lock lock(mutex_);
  if (held_) {
    ++waiting_;
    waiting_changed_.notify_all();
    opened_.wait(lock, [this] { return !held_; });
    --waiting_;
  }
  if (closed_) {
    throw TransportError(TransportError::Kind::Connect,
                         "gated transport: closed, " + request.method + " " + request.target + " refused");
  }
}

HttpResponse GatedTransport::send(const HttpRequest& request) {
  waitUntilOpen(request);
  return inner_->send(request);
}

StreamResponse GatedTransport::stream(const HttpRequest& request) {
  waitUntilOpen(request);
  StreamResponse response = inner_->stream(request);
  if (!response.lines) return response;
  auto lines = std::make_unique<GatedLines>(shared_from_this(), std::move(response.lines));
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      lines->cancel();
    } else {
      streams_.insert(lines.get());
    }
  }
  response.lines = std::move(lines);
  return response;
}

}  // namespace autobuild::kube::e2e
