// webhook-trigger-latency: how long a push takes from the request's arrival at autobuild-webhook to its
// 202 (the target's patch accepted by the API server), next to the bare PATCH round trip that is the
// floor: the same JSON patch of a Deployment's pod-template annotations, sent by the project's
// Kubernetes client on a kept-alive connection to the same API server.
//
// Both are measured in turns, one of each per round (alternating which goes first), so that whatever
// else the machine does weighs on both alike. The webhook's pushes go to one Deployment, the bare
// patches to a twin, so neither changes the object the other works on. Each push is a new delivery of a
// new commit whose message carries the keyword; the webhook must run with a trigger rate limit high
// enough not to refuse them. A GET of the twin is timed too, to show what a read of the target costs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "bench/webhook/github_push.h"
#include "bench/webhook/keepalive_client.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/rfc3339.h"

namespace {

using autobuild::bench::GitHubPushOptions;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kRevision = "autobuild.dev/revision";

std::string randomHex(std::mt19937_64& random, std::size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(digits, '0');
  for (char& c : hex) c = kDigits[random() & 0x0f];
  return hex;
}

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Summary {
  double p50, p99, mean;
};

Summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
    return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
  };
  const double total = std::accumulate(samples.begin(), samples.end(), 0.0);
  return {at(0.50), at(0.99), total / static_cast<double>(samples.size())};
}

// The JSON patch the webhook sends for a git push (api/rollout_patcher.cpp): a test of what the change
// was computed from, then the three annotations.
json rolloutPatch(const json& template_metadata, const std::string& revision, const std::string& trigger) {
  const json annotations = {{kRevision, revision},
                            {"autobuild.dev/triggered-at", autobuild::kube::nowRfc3339()},
                            {"autobuild.dev/trigger", trigger}};
  json patch = json::array();
  const auto current = template_metadata.find("annotations");
  if (current == template_metadata.end() || !current->is_object()) {
    patch.push_back({{"op", "test"}, {"path", "/spec/template/metadata"}, {"value", template_metadata}});
    patch.push_back({{"op", "add"}, {"path", "/spec/template/metadata/annotations"}, {"value", annotations}});
    return patch;
  }
  if (current->contains(kRevision)) {
    patch.push_back({{"op", "test"},
                     {"path", "/spec/template/metadata/annotations/autobuild.dev~1revision"},
                     {"value", (*current)[kRevision]}});
  } else {
    patch.push_back({{"op", "test"}, {"path", "/spec/template/metadata/annotations"}, {"value", *current}});
  }
  for (const auto& [key, value] : annotations.items()) {
    std::string escaped;
    for (char c : key) escaped += c == '/' ? std::string("~1") : std::string(1, c);
    patch.push_back(
        {{"op", "add"}, {"path", "/spec/template/metadata/annotations/" + escaped}, {"value", value}});
  }
  return patch;
}

void printRow(const char* name, const Summary& s, const Summary& floor) {
  std::printf("| %-36s | %8.2f | %8.2f | %8.2f | %5.2fx | %5.2fx |\n", name, s.p50, s.p99, s.mean,
              s.p50 / floor.p50, s.mean / floor.mean);
}

}  // namespace

int main(int argc, char** argv) {
  std::string kubeconfig;
  std::string ns;
  std::string hook_path;
  std::string secret;
  std::string webhook_target;
  std::string bare_target;
  std::uint16_t port = 0;
  int count = 200;
  int warmup = 10;
  int pause_ms = 100;

  CLI::App app{"webhook-trigger-latency: push-to-202 latency of autobuild-webhook against a bare PATCH"};
  app.add_option("--kubeconfig", kubeconfig, "the API server both use")->required();
  app.add_option("--namespace", ns, "namespace of both Deployments")->required();
  app.add_option("--webhook-port", port, "autobuild-webhook on 127.0.0.1")->required();
  app.add_option("--hook-path", hook_path, "the AutoBuild's /hooks/<id>")->required();
  app.add_option("--secret", secret, "the AutoBuild's webhook secret")->required();
  app.add_option("--webhook-target", webhook_target, "the Deployment the AutoBuild rolls out")->required();
  app.add_option("--bare-target", bare_target, "its twin, patched directly")->required();
  app.add_option("--count", count, "rounds measured")->capture_default_str()->check(CLI::Range(10, 100000));
  app.add_option("--warmup", warmup, "rounds before those")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--pause-ms", pause_ms, "pause after each round")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    autobuild::kube::ClientConfig config = autobuild::kube::loadKubeconfig(kubeconfig);
    // The client's own rate limit must not be what is measured.
    config.qps = 10000;
    config.burst = 10000;
    autobuild::kube::Client kube(config);
    autobuild::bench::KeepAliveClient webhook(port);
    std::mt19937_64 random{std::random_device{}()};

    const auto& deployments = autobuild::kube::resources::Deployments;
    json bare_metadata =
        kube.get(deployments, ns, bare_target)["spec"]["template"].value("metadata", json::object());

    std::vector<double> via_webhook;
    std::vector<double> bare;
    std::vector<double> reads;
    for (int round = 0; round < warmup + count; ++round) {
      const bool measured = round >= warmup;
      auto push = [&] {
        const std::string sha = randomHex(random, 40);
        const std::string body = autobuild::bench::gitHubPushBody(
            GitHubPushOptions{"acme/web", "main", sha, "fix login timeout @deploy"});
        const auto headers =
            autobuild::bench::gitHubPushHeaders(secret, body, "latency-" + randomHex(random, 32));
        const auto start = Clock::now();
        const autobuild::bench::HttpAnswer answer = webhook.post(hook_path, headers, body);
        const double elapsed = millisecondsSince(start);
        if (answer.status != 202) {
          throw std::runtime_error("push " + std::to_string(round) + " was answered " +
                                   std::to_string(answer.status) + ": " + answer.body);
        }
        if (measured) via_webhook.push_back(elapsed);
      };
      auto patch = [&] {
        const std::string revision = randomHex(random, 40);
        const json body = rolloutPatch(bare_metadata, revision, "GitHub/latency-" + randomHex(random, 32));
        const auto start = Clock::now();
        const json patched =
            kube.patch(deployments, ns, bare_target, autobuild::kube::PatchType::JsonPatch, body);
        const double elapsed = millisecondsSince(start);
        bare_metadata = patched["spec"]["template"].value("metadata", json::object());
        if (measured) bare.push_back(elapsed);
      };
      auto read = [&] {
        const auto start = Clock::now();
        kube.get(deployments, ns, bare_target);
        if (measured) reads.push_back(millisecondsSince(start));
      };
      if (round % 2 == 0) {
        push();
        patch();
      } else {
        patch();
        push();
      }
      read();
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }

    const Summary w = summarize(via_webhook);
    const Summary b = summarize(bare);
    std::printf("%d rounds after %d of warm-up, %d ms apart; times in ms\n\n", count, warmup, pause_ms);
    std::printf("| %-36s | %8s | %8s | %8s | %6s | %6s |\n", "", "p50", "p99", "mean", "p50 /", "mean /");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(38, '-').c_str(), std::string(10, '-').c_str(),
                std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(8, '-').c_str(),
                std::string(8, '-').c_str());
    printRow("push to autobuild-webhook, until 202", w, b);
    printRow("bare PATCH of the Deployment", b, b);
    printRow("GET of the Deployment", summarize(reads), b);
    std::printf("\nRATIO p50=%.2f p99=%.2f mean=%.2f\n", w.p50 / b.p50, w.p99 / b.p99, w.mean / b.mean);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "webhook-trigger-latency: " << e.what() << "\n";
    return 1;
  }
}
