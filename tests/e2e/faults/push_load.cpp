#include "tests/e2e/faults/push_load.h"

#include <random>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "tests/e2e/support/http_client.h"

namespace autobuild::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// Enough senders that deliveries held for seconds by a slow API server do not hold the rate back.
constexpr int kSenders = 48;
constexpr std::chrono::seconds kAnswerTimeout{60};

std::string hex(std::mt19937_64& random, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(digits[random() % 16]);
  return out;
}

}  // namespace

struct PushConnection::Stream {
  boost::asio::io_context io;
  beast::tcp_stream tcp{io};
};

PushConnection::PushConnection(int port, std::chrono::seconds timeout)
    : stream_(std::make_unique<Stream>()), port_(port) {
  outcome_.sent = Clock::now();
  stream_->tcp.expires_after(timeout);
  beast::error_code ec;
  stream_->tcp.connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
  if (ec) {
    outcome_.refused = ec == boost::asio::error::connection_refused;
    outcome_.error = "connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    outcome_.answered = Clock::now();
  }
}

PushConnection::~PushConnection() = default;

PushOutcome PushConnection::post(const std::string& path, const SignedPush& push) {
  PushOutcome outcome = outcome_;
  if (!outcome.error.empty()) return outcome;
  http::request<http::string_body> request(http::verb::post, path, 11);
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  for (const auto& [name, value] : push.headers) request.set(name, value);
  request.body() = push.body;
  request.prepare_payload();
  beast::error_code ec;
  http::write(stream_->tcp, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream_->tcp, buffer, response, ec);
  outcome.answered = Clock::now();
  if (ec) {
    outcome.error = "POST 127.0.0.1:" + std::to_string(port_) + path + ": no answer: " + ec.message();
    return outcome;
  }
  outcome.status = static_cast<int>(response.result_int());
  outcome.retry_after = std::string(response[http::field::retry_after]);
  auto answer = nlohmann::json::parse(response.body(), nullptr, false);
  if (answer.is_object()) {
    outcome.result = answer.value("result", "");
    outcome.reason = answer.value("reason", "");
  }
  if (outcome.status != 202) outcome.error = response.body();
  return outcome;
}

PushOutcome postPush(int port, const std::string& path, const SignedPush& push,
                     std::chrono::seconds timeout) {
  return PushConnection(port, timeout).post(path, push);
}

PushLoad::PushLoad(std::vector<PushTarget> targets, std::vector<int> ports, double rate)
    : targets_(std::move(targets)), ports_(std::move(ports)), rate_(rate), pending_on_(ports_.size(), 0) {}

PushLoad::~PushLoad() {
  stop();
}

void PushLoad::start() {
  for (int i = 0; i < kSenders; ++i) senders_.emplace_back([this] { send(); });
  scheduler_ = std::thread([this] { schedule(); });
}

std::vector<PushOutcome> PushLoad::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  for (auto& sender : senders_) {
    if (sender.joinable()) sender.join();
  }
  std::lock_guard lock(mutex_);
  return outcomes_;
}

int PushLoad::pendingOn(int replica) const {
  std::lock_guard lock(mutex_);
  return pending_on_.at(static_cast<std::size_t>(replica));
}

void PushLoad::schedule() {
  std::mt19937_64 random{std::random_device{}()};
  const auto start = Clock::now();
  for (int i = 0;; ++i) {
    const auto due = start + std::chrono::microseconds(static_cast<std::int64_t>(i * 1e6 / rate_));
    const PushTarget& target = targets_[static_cast<std::size_t>(i) % targets_.size()];
    std::string sha = hex(random, 40);
    Job job{i, target, sha, signedGitHubPush(target.secret, sha, "load " + std::to_string(i) + " @deploy")};
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, due, [this] { return stopping_; })) return;
    queue_.push_back(std::move(job));
    ++pending_on_[static_cast<std::size_t>(i) % ports_.size()];
    wake_.notify_all();
  }
}

void PushLoad::send() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Once stopping, what is queued is still sent: it was due before the stop.
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    const int first = job.index % static_cast<int>(ports_.size());
    PushOutcome outcome;
    bool refused = false;
    for (std::size_t attempt = 0; attempt < ports_.size(); ++attempt) {
      int replica = (first + static_cast<int>(attempt)) % static_cast<int>(ports_.size());
      outcome =
          postPush(ports_[static_cast<std::size_t>(replica)], job.target.path, job.push, kAnswerTimeout);
      if (!outcome.refused) {
        if (outcome.status != 0) outcome.replica = replica;
        break;
      }
      refused = true;
    }
    outcome.refused = refused;
    outcome.first_replica = first;
    outcome.autobuild = job.target.autobuild;
    outcome.revision = job.sha;
    std::lock_guard lock(mutex_);
    outcomes_.push_back(std::move(outcome));
    --pending_on_[static_cast<std::size_t>(first)];
  }
}

}  // namespace autobuild::e2e
