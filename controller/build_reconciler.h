// Finishes the builds of one AutoBuild (SPEC section 6) from its build Jobs (api/build_job.h) and its
// target alone, so a controller that restarts mid-build still finishes the rollout when the Job ends:
// - the newest finished Job decides: Complete=True rolls the target out to the Job's image unless the
//   target runs that revision already (status.lastTrigger result RolledOut, Event Triggered);
//   Failed=True (including DeadlineExceeded, the build timeout) rolls nothing out (lastTrigger result
//   Failed with the Job's reason and message, Warning Event BuildFailed);
// - a handled Job is annotated autobuild.dev/build-result, so it is reported once;
// - status.build reports the newest running Job and the newest finished one;
// - finished Jobs beyond spec.build.historyLimit are deleted, oldest first.
#pragma once

#include <memory>
#include <string>

#include "api/autobuild.h"
#include "api/rollout_patcher.h"
#include "kube/client.h"
#include "kube/event_recorder.h"
#include "kube/informer_group.h"

namespace autobuild::controller {

// The Job annotation marking a build whose outcome was acted on: RolledOut, AlreadyAtRevision,
// TargetNotRunning or Failed.
inline constexpr const char* kBuildResultAnnotation = "autobuild.dev/build-result";
// The index of the Jobs cache by "<namespace>/<autobuild>" (the autobuild.dev/autobuild label).
inline constexpr const char* kJobsByAutoBuild = "autobuild";

// What the Jobs cache keeps of a Job: identity, labels, annotations, owners, and the status.
nlohmann::json trimBuildJob(nlohmann::json job);
// The "<namespace>/<autobuild>" key of a build Job, from its label; "" when it has none.
std::string autoBuildKeyOfJob(const nlohmann::json& job);

class BuildReconciler {
 public:
  // `jobs` is indexed by kJobsByAutoBuild.
  BuildReconciler(std::shared_ptr<kube::Client> client, const kube::InformerGroup& jobs,
                  kube::EventRecorder& events);

  // For a valid AutoBuild with spec.build (defaults applied). Throws kube::ApiError or
  // kube::TransportError when a write fails; the caller retries with backoff.
  void reconcile(const api::AutoBuild& autobuild);

 private:
  void finish(const api::AutoBuild& autobuild, const nlohmann::json& job);
  void writeBuildStatus(const api::AutoBuild& autobuild, const api::BuildStatus& build);
  void recordTrigger(const api::AutoBuild& autobuild, const nlohmann::json& job, const std::string& result);
  void pruneHistory(const api::AutoBuild& autobuild, const std::vector<nlohmann::json>& finished);

  std::shared_ptr<kube::Client> client_;
  const kube::InformerGroup& jobs_;
  kube::EventRecorder& events_;
  api::RolloutPatcher patcher_;
};

}  // namespace autobuild::controller
