// The controller loop: informers over AutoBuilds, the Secrets they reference, the three target kinds and
// the build Jobs feed a WorkQueue of AutoBuild keys; workers run the AutoBuildReconciler and, for an
// AutoBuild with spec.build, the BuildReconciler, retrying failures with capped exponential backoff. Caches
// run on every replica (a standby is warm); workers only on the leader.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "controller/autobuild_reconciler.h"
#include "controller/build_reconciler.h"
#include "controller/controller_metrics.h"
#include "controller/work_queue.h"
#include "kube/event_recorder.h"
#include "kube/informer_group.h"

namespace autobuild::controller {

struct ControllerOptions {
  std::vector<std::string> namespaces;  // empty: all
  int workers = 4;
  std::chrono::seconds resync{600};
  ReconcilerOptions reconciler;
  std::function<void(const std::string& resource)> on_watch_restart;
};

class AutoBuildController {
 public:
  AutoBuildController(std::shared_ptr<kube::Client> client, kube::EventRecorder& events,
                      ControllerOptions options, ControllerMetrics* metrics);
  ~AutoBuildController();

  void startCaches();
  bool cachesSynced() const;
  // Starts the workers (once, on becoming leader) after every cache has synced; every AutoBuild in the
  // cache is queued. Returns early, starting nothing, if stop() is called meanwhile.
  void startWorkers();
  // Stops the workers after the reconciles in flight finish, then the informers.
  void stop();

 private:
  void enqueueReferencing(const std::string& index, const kube::ObjectPtr& object);
  void work();
  // Runs the BuildReconciler when the AutoBuild is valid and has spec.build.
  void reconcileBuilds(const std::string& key);

  std::shared_ptr<kube::Client> client_;
  ControllerOptions options_;
  ControllerMetrics* metrics_;
  kube::InformerGroup autobuilds_;
  kube::InformerGroup secrets_;
  kube::InformerGroup deployments_;
  kube::InformerGroup statefulsets_;
  kube::InformerGroup daemonsets_;
  kube::InformerGroup jobs_;
  WorkQueue queue_;
  AutoBuildReconciler reconciler_;
  BuildReconciler build_reconciler_;
  std::atomic<bool> workers_started_{false};
  std::atomic<bool> stopping_{false};
  std::thread starter_;
  std::vector<std::thread> workers_;
};

}  // namespace autobuild::controller
