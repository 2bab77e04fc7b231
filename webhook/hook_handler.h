// POST /hooks/<id>: one delivery from arrival to answer, in SPEC section 3's order of work: look up the
// id, verify authentication, parse, filter (event, repository, branch or tag, keyword, suspend),
// duplicate check, per-AutoBuild rate limit, target check, roll out (or, for a git source with
// spec.build, start the build: the controller rolls out when it succeeds); then record the outcome on the
// AutoBuild. The answer is the SPEC's JSON {"result","reason","message","autobuild","revision"}.
#pragma once

#include <functional>
#include <optional>

#include "api/rollout_patcher.h"
#include "webhook/build_starter.h"
#include "webhook/hook_index.h"
#include "webhook/http/message.h"
#include "webhook/sources/delivery_log.h"
#include "webhook/sources/push_event.h"
#include "webhook/sources/trigger_limiter.h"
#include "webhook/target_cache.h"
#include "webhook/trigger_recorder.h"
#include "webhook/webhook_metrics.h"

namespace autobuild::webhook {

struct HookServices {
  const HookIndex& index;
  const api::RolloutPatcher& patcher;
  TriggerRecorder& recorder;
  DeliveryLog& deliveries;
  TriggerLimiter& limiter;
  WebhookMetrics* metrics;  // optional
  const BuildStarter& builds;
  TargetCache& targets;
};

class HookHandler {
 public:
  explicit HookHandler(HookServices services);

  // The answer to one delivery, and what to record of it on the AutoBuild.
  struct Reply;

  // For an IoThreadFirst route on "/hooks/" (prefix): request.path_tail is the id. On the IO thread it
  // answers what needs no API call (unknown ids, refused credentials, bad bodies, ignored pushes) and
  // defers the rest to the worker pool before any step that is not to be taken twice (the duplicate
  // check, the rate limit) or that calls the API server.
  http::Response handle(const http::Request& request) const;

 private:
  // nullopt: defer to the worker pool (only when !request.on_worker_pool).
  std::optional<Reply> process(const http::Request& request, std::string& source) const;
  Reply startBuild(const api::AutoBuild& autobuild, const PushEvent& event, const std::string& trigger) const;

  HookServices s_;
};

}  // namespace autobuild::webhook
