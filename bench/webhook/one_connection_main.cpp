// webhook-one-connection: the throughput benchmark's push (the body and signature of the run, headers as
// push.lua sends them, a delivery id of its own each time) sent one request after another on one kept-
// alive connection, each round trip timed. Prints the percentiles as measured and as wrk -c1 would print
// them for the same requests (latency_histogram.h), so that the pause of a request is told from wrk's
// correction of it.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench/webhook/keepalive_client.h"
#include "bench/webhook/latency_histogram.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  autobuild::bench::LatencyHistogram latencies;
  std::uint64_t failed = 0;
  double seconds = 0;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Run send(autobuild::bench::KeepAliveClient& client, const std::string& path, const std::string& body,
         const std::string& signature, double seconds) {
  static std::mt19937_64 random{std::random_device{}()};
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%016llx-", static_cast<unsigned long long>(random()));
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"User-Agent", "GitHub-Hookshot/1e2c4b3"},
      {"X-GitHub-Event", "push"},           {"X-GitHub-Hook-ID", "448113021"},
      {"X-Hub-Signature-256", signature},   {"X-GitHub-Delivery", ""}};
  Run run;
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (std::uint64_t sent = 1;; ++sent) {
    headers.back().second = prefix + std::to_string(sent);
    const auto before = Clock::now();
    if (before >= end) break;
    const auto answer = client.post(path, headers, body);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - before);
    run.latencies.record(static_cast<std::uint64_t>(took.count()));
    if (answer.status < 200 || answer.status > 299) ++run.failed;
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 0;
  std::string path, body_file, signature;
  double duration = 10, warmup = 3;
  CLI::App app{"webhook-one-connection: the benchmark's push, one request after another on one connection"};
  app.add_option("--port", port, "the server's port on 127.0.0.1")->required();
  app.add_option("--path", path, "the webhook path, /hooks/<id>")->required();
  app.add_option("--body", body_file, "the push body, as webhook-bench-payload wrote it")->required();
  app.add_option("--signature", signature, "its X-Hub-Signature-256 value")->required();
  app.add_option("--duration", duration, "seconds timed")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "seconds sent first, not timed")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  try {
    const std::string body = readFile(body_file);
    autobuild::bench::KeepAliveClient client(port);
    if (warmup > 0) send(client, path, body, signature, warmup);
    const Run run = send(client, path, body, signature, duration);
    const auto& measured = run.latencies;
    if (measured.count() == 0) throw std::runtime_error("no request completed");
    const auto interval =
        static_cast<std::uint64_t>(run.seconds * 1e6 / static_cast<double>(measured.count()));
    const auto as_wrk = measured.withWrkCorrection(interval);
    const auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000.0; };
    std::printf("requests=%llu rps=%.0f p50=%.3f p99=%.3f p99.9=%.3f wrk-p99=%.3f failed=%llu\n",
                static_cast<unsigned long long>(measured.count()),
                static_cast<double>(measured.count()) / run.seconds, ms(measured.percentile(50)),
                ms(measured.percentile(99)), ms(measured.percentile(99.9)), ms(as_wrk.percentile(99)),
                static_cast<unsigned long long>(run.failed));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "webhook-one-connection: " << e.what() << "\n";
    return 1;
  }
}
