// In-process stand-ins for the HTTP transport, for testing the client's logic without a server.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kube/transport.h"

namespace autobuild::kube::testing {

// Hands out the lines it was given, then ends (or fails with `end_error`).
class FakeLineStream : public LineStream {
 public:
  explicit FakeLineStream(std::vector<std::string> lines,
                          std::optional<TransportError> end_error = std::nullopt)
      : lines_(std::move(lines)), end_error_(std::move(end_error)) {}

  std::optional<std::string> nextLine() override {
    if (*cancelled_) throw TransportError(TransportError::Kind::Cancelled, "fake stream cancelled");
    if (next_ < lines_.size()) return lines_[next_++];
    if (end_error_) throw *end_error_;
    return std::nullopt;
  }
  void cancel() override { *cancelled_ = true; }

  // Still readable after the stream was handed over and destroyed.
  std::shared_ptr<std::atomic<bool>> cancelledFlag() const { return cancelled_; }

 private:
  std::vector<std::string> lines_;
  std::optional<TransportError> end_error_;
  std::size_t next_ = 0;
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

// Records every request and answers from queues of scripted replies.
class FakeTransport : public Transport {
 public:
  using SendReply = std::function<HttpResponse()>;
  using StreamReply = std::function<StreamResponse()>;

  void reply(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    send_replies.push_back([=] { return HttpResponse{status, headers, body}; });
  }
  void fail(TransportError error) {
    send_replies.push_back([=]() -> HttpResponse { throw error; });
  }

  HttpResponse send(const HttpRequest& request) override {
    requests.push_back(request);
    if (send_replies.empty())
      throw std::logic_error("unexpected request: " + request.method + " " + request.target);
    auto reply = std::move(send_replies.front());
    send_replies.pop_front();
    return reply();
  }

  StreamResponse stream(const HttpRequest& request) override {
    requests.push_back(request);
    if (stream_replies.empty()) throw std::logic_error("unexpected stream: " + request.target);
    auto reply = std::move(stream_replies.front());
    stream_replies.pop_front();
    return reply();
  }

  void shutdown() override { shut_down = true; }
  const std::string& server() const override { return server_; }

  std::vector<HttpRequest> requests;
  std::deque<SendReply> send_replies;
  std::deque<StreamReply> stream_replies;
  std::atomic<bool> shut_down{false};

 private:
  std::string server_ = "https://fake:6443";
};

}  // namespace autobuild::kube::testing
