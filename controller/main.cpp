// autobuild-controller: reconciles AutoBuilds (SPEC sections 2 and 5).
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "controller/autobuild_controller.h"
#include "controller/probe_server.h"
#include "kube/config.h"
#include "kube/leader_elector.h"
#include "kube/logging.h"
#include "kube/metrics_endpoint.h"
#include "kube/process_options.h"
#include "kube/shutdown_signal.h"

int main(int argc, char** argv) {
  using namespace autobuild;
  // glibc gives each thread that allocates an arena of its own, up to eight per core, and memory freed in
  // one (a list page parsed by an informer) is not reused by another: with ~50 threads (cpprest's pool,
  // informers, workers) that costs more resident memory than the caches. Two arenas are plenty for a
  // process that waits on the API server; MALLOC_ARENA_MAX, when set, still decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  kube::blockShutdownSignals();

  kube::ProcessOptions process;
  controller::ControllerOptions options;
  std::string health_addr = "0.0.0.0:8081";
  bool leader_elect = false;
  std::string lease_namespace;
  std::string lease_name = "autobuild-controller";
  int resync_seconds = 600;
  double lease_duration = 15, renew_deadline = 10, retry_period = 2;
  double event_qps = 5;
  int event_burst = 10;

  CLI::App app{"autobuild-controller: reconciles AutoBuild resources and publishes their webhook URLs"};
  kube::addProcessOptions(app, process);
  app.add_option("--health-addr", health_addr, "address of /healthz and /readyz")->capture_default_str();
  app.add_flag("--leader-elect", leader_elect, "elect a leader through a Lease so one replica reconciles");
  app.add_option("--leader-election-namespace", lease_namespace,
                 "namespace of the Lease; default: the pod's namespace in a cluster, else autobuild-system");
  app.add_option("--leader-election-id", lease_name, "name of the Lease")->capture_default_str();
  app.add_option("--leader-elect-lease-duration", lease_duration,
                 "seconds a standby waits before taking over")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--leader-elect-renew-deadline", renew_deadline, "seconds the leader keeps trying to renew")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--leader-elect-retry-period", retry_period, "seconds between attempts to acquire or renew")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--webhook-base-url", options.reconciler.webhook_base_url,
                 "public base URL of the webhook endpoint, e.g. https://hooks.example.com");
  app.add_option("--webhook-service-url", options.reconciler.webhook_service_url,
                 "in-cluster URL of the webhook Service, published when there is no --webhook-base-url")
      ->capture_default_str();
  app.add_option("--workers", options.workers, "AutoBuilds reconciled at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  // Events are advisory and the status is the API: when every AutoBuild changes Ready at once (a cold
  // start), their Events must not take the API server's time from the status writes. Hence a rate limit
  // of their own, with kubelet's defaults; past the recorder's queue, Events are dropped (logged).
  app.add_option("--event-qps", event_qps, "Events written per second, apart from --kube-api-qps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--event-burst", event_burst, "burst of Events written")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--resync-period", resync_seconds, "seconds between full resyncs of the caches")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  CLI11_PARSE(app, argc, argv);
  if (leader_elect && !(lease_duration > renew_deadline && renew_deadline > retry_period)) {
    std::cerr << "--leader-elect: need lease duration > renew deadline > retry period\n";
    return 2;
  }

  try {
    kube::setupLogging(process.log_level, process.log_format);
    if (!options.reconciler.webhook_base_url.empty() && options.reconciler.webhook_base_url.back() == '/') {
      options.reconciler.webhook_base_url.pop_back();
    }

    kube::ClientConfig config = kube::resolveConfig(process.kubeconfig);
    kube::MetricsEndpoint metrics(process.metrics_addr);
    controller::ControllerMetrics controller_metrics(metrics.registry());
    kube::ClientOptions client_options;
    client_options.qps = process.kube_api_qps;
    client_options.burst = process.kube_api_burst;
    client_options.request_timeout = config.request_timeout;
    client_options.observer = [&metrics](std::string_view verb, int code) {
      metrics.countKubeRequest(verb, code);
    };
    auto client = std::make_shared<kube::Client>(kube::makeCpprestTransport(config), client_options);
    kube::ClientOptions event_options = client_options;
    event_options.qps = event_qps;
    event_options.burst = event_burst;
    // A transport of its own too, so that shutting it down at exit ends the Event writes alone.
    auto event_client = std::make_shared<kube::Client>(kube::makeCpprestTransport(config), event_options);

    std::string identity = kube::podName();
    kube::EventRecorder events(event_client, "autobuild-controller", identity);
    options.namespaces = process.namespaces;
    options.resync = std::chrono::seconds(resync_seconds);
    options.on_watch_restart = [&metrics](const std::string& resource) {
      metrics.countWatchRestart(resource);
    };
    controller::AutoBuildController controller(client, events, options, &controller_metrics);

    std::unique_ptr<kube::LeaderElector> elector;
    std::atomic<bool> lost_leadership{false};
    std::atomic<bool> shutting_down{false};
    controller::ProbeServer probes(
        health_addr, [&] { return controller.cachesSynced() && (!elector || elector->healthy()); });
    std::string watched;
    for (const auto& ns : process.namespaces) watched += (watched.empty() ? "" : ",") + ns;
    spdlog::info("autobuild-controller {} starting: API server {} ({}), namespaces: {}", AUTOBUILD_VERSION,
                 config.server, config.origin, watched.empty() ? "all" : watched);
    controller.startCaches();

    if (leader_elect) {
      kube::LeaderElectionConfig le;
      le.lease_namespace = !lease_namespace.empty()            ? lease_namespace
                           : !config.default_namespace.empty() ? config.default_namespace
                                                               : "autobuild-system";
      le.lease_name = lease_name;
      le.identity = identity + "_" + std::to_string(getpid());
      auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<long>(seconds * 1000)); };
      le.lease_duration = ms(lease_duration);
      le.renew_deadline = ms(renew_deadline);
      le.retry_period = ms(retry_period);
      le.on_started_leading = [&, lease = le.lease_namespace + "/" + le.lease_name, id = le.identity] {
        spdlog::info("leading: Lease {} acquired by {}", lease, id);
        controller_metrics.setLeader(true);
        controller.startWorkers();
      };
      le.on_stopped_leading = [&] {
        controller_metrics.setLeader(false);
        // Workers may be mid-reconcile on stale leadership: stop the process, as client-go does, and
        // let the next leader start clean.
        if (!shutting_down && !lost_leadership.exchange(true)) kill(getpid(), SIGTERM);
      };
      le.on_new_leader = [](const std::string& leader) { spdlog::info("the leader is {}", leader); };
      elector = std::make_unique<kube::LeaderElector>(client, le);
      elector->start();
    } else {
      controller.startWorkers();
    }

    int sig = kube::waitForShutdownSignal();
    // Releasing the Lease below ends leadership too; that is no loss.
    shutting_down = true;
    bool lost = lost_leadership;
    if (lost) {
      spdlog::error("leader election lost: stopping");
    } else {
      spdlog::info("signal {}: draining", sig);
    }
    controller.stop();
    if (elector) elector->stop();
    events.flush(std::chrono::seconds(5));
    // Events still waiting for their rate limit are given up rather than waited for.
    event_client->shutdown();
    client->shutdown();
    spdlog::info("stopped");
    return lost ? 1 : 0;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
