// soak-traffic: a steady mix of valid and invalid deliveries to autobuild-webhook for as long as asked,
// checking each answer against what the SPEC says it must be. The soak (bench/soak/run) samples the
// webhook's memory, descriptors and threads meanwhile; this program says whether every answer was right.
//
// Each tick sends the next kind of the cycle below to the next hook, round robin, so every hook sees every
// kind. Pushes that roll out are spread over the hooks, under the webhook's per-AutoBuild rate limit.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "bench/webhook/github_push.h"
#include "bench/webhook/keepalive_client.h"

namespace {

using autobuild::bench::GitHubPushOptions;
using autobuild::bench::HttpAnswer;
using autobuild::bench::KeepAliveClient;
using Headers = std::vector<std::pair<std::string, std::string>>;
using Clock = std::chrono::steady_clock;

struct Hook {
  std::string path;  // /hooks/<id>
  std::string secret;
  std::string repository;
};

struct Delivery {
  std::string path;
  Headers headers;
  std::string body;
};

// One kind of traffic: how to make a delivery and the status (and reason, when the body carries one) the
// webhook must answer.
struct Kind {
  std::string name;
  int status;
  std::string reason;  // "" when the answer carries none to check
};

class Traffic {
 public:
  Traffic(std::vector<Hook> hooks, std::size_t max_body_bytes)
      : hooks_(std::move(hooks)), max_body_bytes_(max_body_bytes), random_(std::random_device{}()) {}

  static const std::vector<Kind>& kinds() {
    static const std::vector<Kind> all = {
        {"trigger", 202, "RolledOut"},   {"keyword-absent", 200, "KeywordAbsent"},
        {"duplicate", 200, "Duplicate"}, {"other-branch", 200, "BranchNotMatched"},
        {"wrong-signature", 401, ""},    {"unsigned", 401, ""},
        {"malformed-json", 400, ""},     {"unknown-id", 404, ""},
        {"oversized-body", 413, ""},     {"unsupported-content-type", 415, ""},
    };
    return all;
  }

  Delivery make(const std::string& kind, std::size_t tick) {
    const Hook& hook = hooks_[tick % hooks_.size()];
    GitHubPushOptions push;
    push.repository = hook.repository;
    push.head_sha = hex(40);
    push.head_subject = "change " + std::to_string(tick);
    if (kind == "duplicate") {
      // The cycle sends this hook its trigger first; the same delivery again must be recognised.
      const auto last = last_trigger_.find(hook.path);
      if (last == last_trigger_.end()) throw std::logic_error("a duplicate before any trigger");
      return last->second;
    }
    if (kind == "trigger") push.head_subject += " @deploy";
    if (kind == "other-branch") push.branch = "feature-" + std::to_string(tick);
    std::string body = autobuild::bench::gitHubPushBody(push);
    if (kind == "malformed-json") body.resize(body.size() / 2);
    if (kind == "oversized-body") body.append(max_body_bytes_, ' ');
    Delivery delivery{hook.path, autobuild::bench::gitHubPushHeaders(hook.secret, body, uuid()), body};
    if (kind == "wrong-signature") header(delivery, "X-Hub-Signature-256") = "sha256=" + hex(64);
    if (kind == "unsigned") erase(delivery, "X-Hub-Signature-256");
    if (kind == "unknown-id") delivery.path = "/hooks/" + hex(40);
    if (kind == "unsupported-content-type") header(delivery, "Content-Type") = "text/plain";
    if (kind == "trigger") last_trigger_[hook.path] = delivery;
    return delivery;
  }

 private:
  static std::string& header(Delivery& delivery, const std::string& name) {
    for (auto& [key, value] : delivery.headers) {
      if (key == name) return value;
    }
    throw std::logic_error("the push has no header " + name);
  }
  static void erase(Delivery& delivery, const std::string& name) {
    std::erase_if(delivery.headers, [&](const auto& header) { return header.first == name; });
  }
  std::string hex(std::size_t digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(digits, '0');
    for (char& c : out) c = kDigits[random_() & 0x0f];
    return out;
  }
  std::string uuid() { return hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12); }

  std::vector<Hook> hooks_;
  std::size_t max_body_bytes_;
  std::mt19937_64 random_;
  std::map<std::string, Delivery> last_trigger_;
};

// A connection that sends half a request and goes away, as a client that crashed or a scanner would: the
// server must free what it held for it.
void abandonConnection(std::uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string partial = "POST /hooks/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"ref\":";
  boost::asio::write(socket, boost::asio::buffer(partial));
}

std::vector<Hook> readHooks(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the hooks file " + file);
  std::vector<Hook> hooks;
  Hook hook;
  while (in >> hook.path >> hook.secret >> hook.repository) hooks.push_back(hook);
  if (hooks.empty()) throw std::runtime_error("the hooks file " + file + " names no hook");
  return hooks;
}

std::string reasonOf(const std::string& body) {
  const std::string key = "\"reason\":\"";
  const auto start = body.find(key);
  if (start == std::string::npos) return "";
  const auto end = body.find('"', start + key.size());
  return body.substr(start + key.size(), end - start - key.size());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"soak-traffic: a steady mix of valid and invalid deliveries, each answer checked"};
  std::uint16_t port = 0;
  std::string hooks_file;
  double rate = 20;
  double seconds = 60;
  std::size_t max_body_bytes = 65536;
  double report_every = 60;
  app.add_option("--port", port, "autobuild-webhook's port on 127.0.0.1")->required();
  app.add_option("--hooks", hooks_file, "lines of: <path> <secret> <repository>")->required();
  app.add_option("--rate", rate, "deliveries per second")->check(CLI::PositiveNumber);
  app.add_option("--seconds", seconds, "how long to send")->check(CLI::PositiveNumber);
  app.add_option("--max-body-bytes", max_body_bytes, "the webhook's --max-body-bytes");
  app.add_option("--report-every", report_every, "seconds between progress lines")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  try {
    Traffic traffic(readHooks(hooks_file), max_body_bytes);
    KeepAliveClient client(port);
    const auto& kinds = Traffic::kinds();
    // One abandoned connection per cycle, besides the kinds that get an answer.
    std::map<std::string, std::map<int, long>> answers;
    long sent = 0, wrong = 0, abandoned = 0;
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / rate));
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    auto next_report =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(report_every));
    auto next = start;
    for (std::size_t tick = 0; Clock::now() < end; ++tick) {
      std::this_thread::sleep_until(next);
      next += period;
      const std::size_t slot = tick % (kinds.size() + 1);
      if (slot == kinds.size()) {
        abandonConnection(port);
        ++abandoned;
        continue;
      }
      const Kind& kind = kinds[slot];
      // The hook index moves once per cycle, so each hook gets every kind in turn.
      const Delivery delivery = traffic.make(kind.name, tick / (kinds.size() + 1));
      HttpAnswer answer;
      try {
        answer = client.post(delivery.path, delivery.headers, delivery.body);
      } catch (const std::exception&) {
        // The connection may have been closed under a request the server refused early: retry once on a
        // new one, which the client opens by itself.
        answer = client.post(delivery.path, delivery.headers, delivery.body);
      }
      ++sent;
      ++answers[kind.name][answer.status];
      const std::string reason = reasonOf(answer.body);
      if (answer.status != kind.status || (!kind.reason.empty() && reason != kind.reason)) {
        ++wrong;
        if (wrong <= 20) {
          std::cerr << "soak-traffic: " << kind.name << " answered " << answer.status << " " << answer.body
                    << " (expected " << kind.status << " " << kind.reason << ")\n";
        }
      }
      if (Clock::now() >= next_report) {
        next_report +=
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(report_every));
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("soak-traffic: %.0f s: %ld answered, %ld wrong, %ld connections abandoned\n", elapsed,
                    sent, wrong, abandoned);
        std::fflush(stdout);
      }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("soak-traffic: %ld deliveries answered in %.0f s (%.1f/s), %ld connections abandoned\n", sent,
                elapsed, sent / elapsed, abandoned);
    for (const Kind& kind : kinds) {
      std::printf("  %-26s expected %d %-18s got", kind.name.c_str(), kind.status, kind.reason.c_str());
      for (const auto& [status, count] : answers[kind.name]) std::printf(" %d x%ld", status, count);
      std::printf("\n");
    }
    std::printf("soak-traffic: %ld answers not as the SPEC says\n", wrong);
    return wrong == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "soak-traffic: " << e.what() << "\n";
    return 1;
  }
}
