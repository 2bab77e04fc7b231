// Starts the build of one pushed revision (SPEC section 6): creates the AutoBuild's build Job
// (api/build_job.h) and cancels the builds of older revisions still running, so that only the newest
// push ends in a rollout. The Job's name makes this idempotent: a redelivery, or a second webhook
// replica handling the same push, finds the Job there and creates nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/autobuild.h"
#include "api/build_job.h"
#include "kube/client.h"

namespace autobuild::webhook {

struct BuildStart {
  std::string job_name;
  bool created = false;                // false: the Job existed already
  std::vector<std::string> cancelled;  // the older, unfinished build Jobs deleted
};

class BuildStarter {
 public:
  explicit BuildStarter(std::shared_ptr<kube::Client> client);

  // Creates the Job for `request` (its created_at set to now) and, when it is new, deletes (foreground) this
  // AutoBuild's other build Jobs created before it that have not finished. Throws kube::ApiError or
  // kube::TransportError when the Job cannot be created or the older Jobs cannot be listed or deleted.
  BuildStart start(const api::AutoBuild& autobuild, const api::BuildRequest& request) const;

 private:
  std::vector<std::string> cancelOlder(const api::AutoBuild& autobuild, const nlohmann::json& job) const;

  std::shared_ptr<kube::Client> client_;
};

}  // namespace autobuild::webhook
