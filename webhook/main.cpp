// autobuild-webhook: serves POST /hooks/<id> (SPEC sections 3, 4 and 5). Stateless: any number of
// replicas serve the same URLs from their own watch-fed caches.
#include <unistd.h>

#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "kube/config.h"
#include "kube/event_recorder.h"
#include "kube/logging.h"
#include "kube/metrics_endpoint.h"
#include "kube/process_options.h"
#include "kube/shutdown_signal.h"
#include "webhook/build_starter.h"
#include "webhook/hook_handler.h"
#include "webhook/hook_index.h"
#include "webhook/http/server.h"

int main(int argc, char** argv) {
  using namespace autobuild;
  kube::blockShutdownSignals();

  kube::ProcessOptions process;
  http::ServerOptions server_options;
  server_options.listen_address = "0.0.0.0:8080";
  std::size_t io_threads = 2;
  std::size_t workers = 16;
  double trigger_rate = 1.0;
  double trigger_burst = 5.0;

  CLI::App app{"autobuild-webhook: verifies pushes and rolls the AutoBuilds' targets out"};
  kube::addProcessOptions(app, process);
  app.add_option("--listen-addr", server_options.listen_address,
                 "address of the webhook, /healthz and /readyz")
      ->capture_default_str();
  app.add_option("--tls-cert", server_options.tls_cert_file,
                 "serve HTTPS with this certificate (PEM); reloaded when it changes");
  app.add_option("--tls-key", server_options.tls_key_file, "the certificate's private key (PEM)");
  app.add_option("--max-body-bytes", server_options.max_body_bytes, "largest request body accepted")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  app.add_option("--threads", io_threads, "threads reading and writing connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--workers", workers, "deliveries handled at once (each may wait on the API server)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--max-connections", server_options.max_connections, "open connections accepted at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--trigger-rate", trigger_rate, "triggers per second allowed per AutoBuild")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--trigger-burst", trigger_burst, "triggers allowed at once per AutoBuild")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1000.0));
  CLI11_PARSE(app, argc, argv);
  if (server_options.tls_cert_file.empty() != server_options.tls_key_file.empty()) {
    std::cerr << "--tls-cert and --tls-key go together\n";
    return 2;
  }

  try {
    kube::setupLogging(process.log_level, process.log_format);
    kube::ClientConfig config = kube::resolveConfig(process.kubeconfig);
    kube::MetricsEndpoint metrics(process.metrics_addr);
    webhook::WebhookMetrics webhook_metrics(metrics.registry());
    kube::ClientOptions client_options;
    client_options.qps = process.kube_api_qps;
    client_options.burst = process.kube_api_burst;
    // A delivery must be answered within GitHub's 10 s even when the API server is slow.
    client_options.request_timeout = std::chrono::seconds(3);
    client_options.max_retry_after = std::chrono::seconds(1);
    client_options.observer = [&metrics](std::string_view verb, int code) {
      metrics.countKubeRequest(verb, code);
    };
    auto client = std::make_shared<kube::Client>(kube::makeCpprestTransport(config), client_options);
    // Watches get their own client without the short request timeout: a watch is a long request.
    kube::ClientOptions watch_options = client_options;
    watch_options.request_timeout = config.request_timeout;
    auto watch_client = std::make_shared<kube::Client>(kube::makeCpprestTransport(config), watch_options);

    kube::EventRecorder events(client, "autobuild-webhook", kube::podName());
    webhook::HookIndex index(watch_client, process.namespaces, [&metrics](const std::string& resource) {
      metrics.countWatchRestart(resource);
    });
    api::RolloutPatcher patcher(client);
    webhook::TriggerRecorder recorder(client, events);
    webhook::DeliveryLog deliveries;
    webhook::TriggerLimiter limiter({trigger_rate, trigger_burst, 10'000});
    webhook::BuildStarter builds(client);
    webhook::TargetCache targets;
    webhook::HookHandler handler(
        {index, patcher, recorder, deliveries, limiter, &webhook_metrics, builds, targets});

    http::Router router;
    router.add({"/healthz", false, {"GET", "HEAD"}, http::Dispatch::IoThread, [](const http::Request&) {
                  return http::Response{200, "text/plain", {}, "ok\n", false};
                }});
    router.add({"/readyz", false, {"GET", "HEAD"}, http::Dispatch::IoThread, [&index](const http::Request&) {
                  bool ready = index.synced();
                  return http::Response{
                      ready ? 200 : 503, "text/plain", {}, ready ? "ok\n" : "caches not synced\n", false};
                }});
    router.add({"/hooks/", true, {"POST"}, http::Dispatch::IoThreadFirst, [&handler](const http::Request& r) {
                  return handler.handle(r);
                }});
    server_options.threads = io_threads;
    server_options.worker_threads = workers;
    server_options.worker_queue_capacity = workers * 8;
    http::HttpServer server(server_options, std::move(router));

    std::string watched;
    for (const auto& ns : process.namespaces) watched += (watched.empty() ? "" : ",") + ns;
    spdlog::info("autobuild-webhook {} starting: API server {} ({}), namespaces: {}", AUTOBUILD_VERSION,
                 config.server, config.origin, watched.empty() ? "all" : watched);
    index.start();
    server.start();
    spdlog::info("listening on {} (port {}){}", server_options.listen_address, server.port(),
                 server_options.tls_cert_file.empty() ? "" : " with TLS");

    int sig = kube::waitForShutdownSignal();
    spdlog::info("signal {}: draining {} requests in flight", sig, server.inFlight());
    server.stop();
    // What the answered deliveries did is still to be recorded: status first, then its Events.
    recorder.stop(std::chrono::seconds(5));
    index.stop();
    events.flush(std::chrono::seconds(5));
    client->shutdown();
    watch_client->shutdown();
    spdlog::info("stopped");
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
