// coldstart_bench: cold starts of autobuild-controller against a control plane that already holds N
// AutoBuilds, measured side by side with the bare status writes they have to make (docs/benchmarks.md).
//
// In order: namespaces and their target Deployments are created; the controller runs once with no
// AutoBuild (its fixed memory); N AutoBuilds and their Secrets are created; then the reference writes
// every status through the kube client, the controller starts and is timed until the watch sees every
// AutoBuild Ready, and the reference writes every status again, once per round. The reference leaves the
// Ready condition Unknown and the controller makes it True, so every write of either side changes the
// object. The last line printed is the result.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <regex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench/coldstart/controller_process.h"
#include "bench/coldstart/loopback_http.h"
#include "bench/coldstart/population.h"
#include "bench/coldstart/process_cpu.h"
#include "bench/coldstart/ready_watch.h"
#include "bench/coldstart/reference_writes.h"
#include "kube/config.h"

namespace autobuild::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Options {
  std::string kubeconfig;
  std::string controller;
  std::string log_dir = ".";
  std::size_t count = 1000;
  int namespaces = 10;
  double qps = 1000;
  int burst = 2000;
  int writers = 4;
  int workers = 4;
  int create_threads = 8;
  int settle_seconds = 3;
  int timeout_seconds = 900;
  int rounds = 2;
  std::string webhook_base_url = "https://hooks.example.com";
  std::vector<std::string> observed;  // "name=pid" of processes whose CPU time each phase reports
};

double secondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

void say(const std::string& line) {
  std::cerr << "coldstart: " << line << std::endl;
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// "1.25,1.31": seconds, ratios or KiB of each run, for the record.
std::string joined(const std::vector<double>& values, const char* pattern = "%.2f") {
  std::string text;
  for (double value : values) text += (text.empty() ? "" : ",") + format(pattern, value);
  return text;
}

// CPU seconds of the observed processes (and this one) at one moment; the difference of two tells what a
// phase cost whom.
class CpuSnapshot {
 public:
  explicit CpuSnapshot(const std::vector<std::pair<std::string, pid_t>>& processes) : processes_(processes) {
    for (const auto& [name, pid] : processes_) seconds_.push_back(cpuSeconds(pid));
  }

  std::string since(const CpuSnapshot& before) const {
    std::string text;
    for (std::size_t i = 0; i < processes_.size(); ++i) {
      text += (text.empty() ? "" : ", ") + processes_[i].first + " " +
              format("%.1f", seconds_[i] - before.seconds_[i]) + " s";
    }
    return text;
  }

 private:
  std::vector<std::pair<std::string, pid_t>> processes_;
  std::vector<double> seconds_;
};

// The controller as a Deployment would run it, with the rate limit the reference gets too.
class ControllerLauncher {
 public:
  explicit ControllerLauncher(const Options& options) : options_(options) {}

  std::unique_ptr<ControllerProcess> start(const std::string& label) {
    health_port_ = freeLoopbackPort();
    metrics_port_ = freeLoopbackPort();
    std::vector<std::string> args{"--kubeconfig",       options_.kubeconfig,
                                  "--health-addr",      "127.0.0.1:" + std::to_string(health_port_),
                                  "--metrics-addr",     "127.0.0.1:" + std::to_string(metrics_port_),
                                  "--webhook-base-url", options_.webhook_base_url,
                                  "--kube-api-qps",     std::to_string(options_.qps),
                                  "--kube-api-burst",   std::to_string(options_.burst),
                                  "--workers",          std::to_string(options_.workers)};
    return std::make_unique<ControllerProcess>(options_.controller, args,
                                               options_.log_dir + "/controller-" + label + ".log");
  }

  bool ready() const { return httpGet(health_port_, "/readyz").status == 200; }

  // The controller's API requests by verb and code, from its metrics.
  std::string requestCounts() const {
    HttpAnswer metrics = httpGet(metrics_port_, "/metrics");
    static const std::regex line(R"re(autobuild_kube_requests_total\{code="(\d+)",verb="(\w+)"\} (\d+))re");
    std::string counts;
    std::istringstream in(metrics.body);
    for (std::string text; std::getline(in, text);) {
      std::smatch m;
      if (std::regex_match(text, m, line)) counts += " " + m[2].str() + "/" + m[1].str() + "=" + m[3].str();
    }
    return counts.empty() ? " (none)" : counts;
  }

 private:
  const Options& options_;
  int health_port_ = 0;
  int metrics_port_ = 0;
};

void stopController(ControllerProcess& controller) {
  int code = controller.terminate(seconds(30));
  if (code != 0) {
    throw std::runtime_error("autobuild-controller exited with code " + std::to_string(code) +
                             " on SIGTERM; see " + controller.logPath());
  }
}

struct ColdStart {
  double seconds_to_ready = 0;
  ProcessMemory at_ready;
  ProcessMemory settled;
};

class ColdStartBench {
 public:
  explicit ColdStartBench(const Options& options) : options_(options) {
    static const std::regex name_and_pid(R"re(([^=]+)=([0-9]+))re");
    for (const auto& entry : options_.observed) {
      std::smatch m;
      if (!std::regex_match(entry, m, name_and_pid)) {
        throw std::invalid_argument("--observe " + entry + ": expected NAME=PID");
      }
      observed_.emplace_back(m[1].str(), static_cast<pid_t>(std::stol(m[2].str())));
    }
    observed_.emplace_back("coldstart_bench", getpid());
  }

  int run() {
    kube::ClientConfig config = kube::loadKubeconfig(options_.kubeconfig);
    // Setting up is not measured: no client-side limit.
    kube::ClientConfig unlimited = config;
    unlimited.qps = 0;
    auto setup_client = std::make_shared<kube::Client>(unlimited);
    kube::ClientConfig limited = config;
    limited.qps = options_.qps;
    limited.burst = options_.burst;
    kube::Client reference_client(limited);

    auto namespaces = namespaceNames(options_.namespaces);
    createNamespacesAndTargets(*setup_client, namespaces);
    // The controller's fixed memory moves by up to a megabyte from one start to the next on the same
    // code: one start per round, and their median.
    std::vector<double> baselines;
    for (int round = 1; round <= options_.rounds; ++round) {
      ProcessMemory memory = measureBaseline(round);
      say("baseline " + std::to_string(round) + " (no AutoBuild): VmHWM " + std::to_string(memory.peak_kib) +
          " KiB, VmRSS " + std::to_string(memory.rss_kib) + " KiB");
      baselines.push_back(static_cast<double>(memory.peak_kib));
    }
    const double baseline_kib = median(baselines);

    auto started = Clock::now();
    autobuilds_ = createAutoBuilds(*setup_client, namespaces, options_.count, options_.create_threads);
    say("created " + std::to_string(options_.count) + " AutoBuilds and Secrets in " +
        format("%.1f", secondsBetween(started, Clock::now())) + " s");

    watch_ = std::make_unique<ReadyWatch>(setup_client);
    watch_->start(seconds(options_.timeout_seconds));
    // Reference, cold start, reference, cold start, ..., reference: each cold start is compared with the
    // mean of the reference passes on either side, so a machine that gets busier or quieter meanwhile
    // weighs on both sides alike.
    std::vector<double> references{referencePass(reference_client, "Reference0")};
    std::vector<double> cold_starts;
    std::vector<double> ratios;
    ProcessMemory peak;
    for (int round = 1; round <= options_.rounds; ++round) {
      ColdStart cold = measureColdStart(round);
      references.push_back(referencePass(reference_client, "Reference" + std::to_string(round)));
      cold_starts.push_back(cold.seconds_to_ready);
      ratios.push_back(cold.seconds_to_ready / ((references[round - 1] + references[round]) / 2));
      if (cold.settled.peak_kib > peak.peak_kib) peak = cold.settled;
    }

    double per_autobuild =
        (static_cast<double>(peak.peak_kib) - baseline_kib) * 1024.0 / static_cast<double>(options_.count);
    std::ostringstream result;
    result << "result n=" << options_.count << " namespaces=" << options_.namespaces
           << " qps=" << options_.qps << " burst=" << options_.burst << " workers=" << options_.workers
           << " writers=" << options_.writers << " rounds=" << options_.rounds
           << " controller_s=" << format("%.2f", median(cold_starts))
           << " reference_s=" << format("%.2f", median(references))
           << " ratio=" << format("%.2f", median(ratios)) << " controller_runs_s=" << joined(cold_starts)
           << " reference_runs_s=" << joined(references) << " ratios=" << joined(ratios)
           << " baseline_kib=" << format("%.0f", baseline_kib)
           << " baseline_runs_kib=" << joined(baselines, "%.0f") << " peak_kib=" << peak.peak_kib
           << " bytes_per_autobuild=" << format("%.0f", per_autobuild);
    std::cout << result.str() << std::endl;
    return 0;
  }

 private:
  // The controller's memory with the namespaces and targets but no AutoBuild: what it costs before any.
  ProcessMemory measureBaseline(int round) {
    ControllerLauncher launcher(options_);
    auto controller = launcher.start("baseline-" + std::to_string(round));
    auto deadline = Clock::now() + seconds(options_.timeout_seconds);
    while (!launcher.ready()) {
      if (!controller->running() || Clock::now() > deadline) {
        throw std::runtime_error("the baseline controller never became ready; see " + controller->logPath());
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    std::this_thread::sleep_for(seconds(options_.settle_seconds));
    ProcessMemory memory = controller->memory();
    stopController(*controller);
    return memory;
  }

  double referencePass(kube::Client& client, const std::string& reason) {
    CpuSnapshot cpu_before(observed_);
    auto started = Clock::now();
    writeReferenceStatuses(client, autobuilds_, options_.webhook_base_url, "Unknown", reason,
                           options_.writers);
    auto written = Clock::now();
    auto seen = watch_->waitFor(reason, autobuilds_.size(), seconds(options_.timeout_seconds));
    if (!seen) throw std::runtime_error("the watch never saw every reference write of " + reason);
    say(reason + ": " + format("%.2f", secondsBetween(started, written)) +
        " s until the last write returned, " + format("%.2f", secondsBetween(started, *seen)) +
        " s until the watch saw it; CPU: " + CpuSnapshot(observed_).since(cpu_before));
    return secondsBetween(started, *seen);
  }

  ColdStart measureColdStart(int round) {
    ControllerLauncher launcher(options_);
    CpuSnapshot cpu_before(observed_);
    auto started = Clock::now();
    auto controller = launcher.start("coldstart-" + std::to_string(round));
    ColdStart result;
    // The watch's verdict, while the controller is checked on: a crash ends the wait early.
    std::optional<Clock::time_point> ready;
    auto deadline = started + seconds(options_.timeout_seconds);
    while (!ready) {
      ready = watch_->waitFor("WebhookReady", options_.count, milliseconds(200));
      if (ready) break;
      if (!controller->running()) {
        throw std::runtime_error("autobuild-controller exited during the cold start; see " +
                                 controller->logPath());
      }
      if (Clock::now() > deadline) {
        throw std::runtime_error("not every AutoBuild became Ready within " +
                                 std::to_string(options_.timeout_seconds) + " s; see " +
                                 controller->logPath());
      }
    }
    result.at_ready = controller->memory();
    result.seconds_to_ready = secondsBetween(started, *ready);
    std::string cpu = CpuSnapshot(observed_).since(cpu_before);
    double controller_cpu = cpuSeconds(controller->pid());
    std::this_thread::sleep_for(seconds(options_.settle_seconds));
    result.settled = controller->memory();
    say("cold start " + std::to_string(round) + ": every AutoBuild Ready after " +
        format("%.2f", result.seconds_to_ready) + " s; CPU: " + cpu + ", autobuild-controller " +
        format("%.1f", controller_cpu) + " s; VmRSS then " + std::to_string(result.at_ready.rss_kib) +
        " KiB; VmHWM " + std::to_string(result.settled.peak_kib) + " KiB " +
        std::to_string(options_.settle_seconds) + " s later");
    say("cold start " + std::to_string(round) + ": controller API requests:" + launcher.requestCounts());
    stopController(*controller);
    return result;
  }

  const Options& options_;
  std::vector<std::pair<std::string, pid_t>> observed_;
  std::vector<PopulatedAutoBuild> autobuilds_;
  std::unique_ptr<ReadyWatch> watch_;
};

}  // namespace
}  // namespace autobuild::bench

int main(int argc, char** argv) {
  autobuild::bench::Options options;
  CLI::App app{"coldstart_bench: times autobuild-controller's cold start against the bare status writes"};
  app.add_option("--kubeconfig", options.kubeconfig, "admin kubeconfig of the control plane")->required();
  app.add_option("--controller", options.controller, "the autobuild-controller binary")->required();
  app.add_option("--log-dir", options.log_dir, "where the controller's logs go")->capture_default_str();
  app.add_option("--count", options.count, "AutoBuilds present at the cold start")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--namespaces", options.namespaces, "namespaces they are spread over")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--qps", options.qps, "client-side rate limit of both the controller and the reference")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--burst", options.burst, "client-side burst of both")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--writers", options.writers, "threads of the reference writes")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--workers", options.workers, "the controller's --workers")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--settle", options.settle_seconds, "seconds between all Ready and reading the peak memory")
      ->capture_default_str()
      ->check(CLI::Range(0, 600));
  app.add_option("--timeout", options.timeout_seconds, "seconds any phase may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rounds", options.rounds, "cold starts, each between two reference passes")
      ->capture_default_str()
      ->check(CLI::Range(1, 20));
  app.add_option("--observe", options.observed, "NAME=PID of a process whose CPU time each phase reports");
  CLI11_PARSE(app, argc, argv);
  try {
    return autobuild::bench::ColdStartBench(options).run();
  } catch (const std::exception& e) {
    std::cerr << "coldstart: " << e.what() << std::endl;
    return 1;
  }
}
