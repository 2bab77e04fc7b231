#include "webhook/hook_handler.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "kube/transport.h"
#include "webhook/sources/body_format.h"
#include "webhook/sources/commit_message.h"
#include "webhook/sources/filter.h"
#include "webhook/sources/source_table.h"

namespace autobuild::webhook {

struct HookHandler::Reply {
  int code = 200;
  std::string result;  // RolledOut, BuildStarted, Ignored, Rejected, Failed
  std::string reason;
  std::string message;
  std::string autobuild;  // "<namespace>/<name>", "" when it must not be told
  std::string revision;
  std::chrono::seconds retry_after{0};
};

namespace {

// Every unknown id gets this very body, so an answer tells nothing about which ids exist.
constexpr const char* kUnknownHook = "no webhook at this URL";
// Whichever credential is missing or wrong, the answer is the same.
constexpr const char* kUnauthenticated =
    "the request's signature, token or secret_key does not match the AutoBuild's secret";
constexpr std::chrono::seconds kApiRetryAfter{5};
// Within GitHub's 10 s, with the build Job's creation before it.
constexpr std::chrono::seconds kBuildRecordTimeout{3};

HookHandler::Reply reject(int code, std::string reason, std::string message) {
  return {code, code >= 500 ? "Failed" : "Rejected", std::move(reason), std::move(message), "", "", {}};
}

HookHandler::Reply unavailable(const std::string& what, const std::exception& e) {
  auto r = reject(503, "APIUnavailable",
                  what + ": the Kubernetes API server did not answer (" + e.what() +
                      "); nothing was changed, retry later");
  r.retry_after = kApiRetryAfter;
  return r;
}

bool retryable(const kube::ApiError& e) {
  int code = e.status().code;
  return code == 429 || code >= 500;
}

Delivery toDelivery(const http::Request& request) {
  Delivery d;
  for (const auto& [name, value] : request.headers) {
    // A header sent twice keeps its first value: a second signature cannot replace the first.
    if (!d.header(name)) d.setHeader(name, value);
  }
  if (const std::string* ct = request.headers.find("content-type")) d.content_type = *ct;
  d.body = request.body;
  d.received_at = std::chrono::system_clock::now();
  return d;
}

}  // namespace

HookHandler::HookHandler(HookServices services) : s_(services) {}

http::Response HookHandler::handle(const http::Request& request) const {
  auto started = std::chrono::steady_clock::now();
  std::string source = "unknown";
  std::optional<Reply> processed = process(request, source);
  if (!processed) {
    http::Response deferred;
    deferred.defer_to_worker_pool = true;
    return deferred;
  }
  const Reply& reply = *processed;

  nlohmann::json body = {{"result", reply.result}, {"reason", reply.reason}, {"message", reply.message}};
  if (!reply.autobuild.empty()) body["autobuild"] = reply.autobuild;
  if (!reply.revision.empty()) body["revision"] = reply.revision;
  http::Response response;
  response.status = reply.code;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (reply.retry_after.count() > 0)
    response.headers.add("Retry-After", std::to_string(reply.retry_after.count()));

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (s_.metrics) s_.metrics->countRequest(source, reply.code, seconds);
  spdlog::info("request source={} autobuild={} result={} reason={} code={} duration_ms={:.1f} remote={}",
               source, reply.autobuild.empty() ? "-" : reply.autobuild, reply.result, reply.reason,
               reply.code, seconds * 1000, request.remote_address);
  return response;
}

std::optional<HookHandler::Reply> HookHandler::process(const http::Request& request,
                                                       std::string& source_name) const {
  const bool may_block = request.on_worker_pool;
  if (!s_.index.synced()) {
    auto r = reject(503, "NotReady", "the webhook's caches are not synced yet; retry later");
    r.retry_after = kApiRetryAfter;
    return r;
  }
  std::optional<Hook> hook;
  try {
    if (may_block) {
      hook = s_.index.find(request.path_tail);
    } else {
      bool would_block = false;
      hook = s_.index.findCached(request.path_tail, would_block);
      if (would_block) return std::nullopt;
    }
  } catch (const kube::TransportError& e) {
    return unavailable("read the webhook's Secret", e);
  } catch (const kube::ApiError& e) {
    if (retryable(e)) return unavailable("read the webhook's Secret", e);
    return reject(500, "InternalError", std::string("read the webhook's Secret: ") + e.what());
  }
  if (!hook) return reject(404, "NotFound", kUnknownHook);

  const api::AutoBuild& autobuild = *hook->autobuild;
  const std::string key = autobuild.ns + "/" + autobuild.name;
  source_name = api::toString(autobuild.spec.source.type);
  const Source& source = sourceFor(autobuild.spec.source.type);
  auto finish = [&](Reply r) {
    r.autobuild = key;
    return r;
  };

  Delivery delivery = toDelivery(request);
  auto format = bodyFormatOf(delivery.content_type);
  if (!format || !source.accepts(*format)) {
    return finish(reject(
        415, "UnsupportedMediaType",
        "Content-Type \"" + delivery.content_type + "\" is not one " + source_name + " deliveries use"));
  }
  AuthResult auth = source.authenticate(delivery, hook->secret);
  if (!auth.ok()) {
    spdlog::debug("autobuild {}: authentication failed: {}", key, auth.detail);
    // No name in the answer: whoever failed to authenticate learns nothing about the AutoBuild.
    return reject(401, "Unauthorized", kUnauthenticated);
  }
  ParseResult parsed = source.parse(delivery);
  if (!parsed.ok()) return finish(reject(parsed.error().status, "BadRequest", parsed.error().message));
  const PushEvent& event = parsed.event();

  api::LastTrigger last;
  last.source = source_name;
  last.delivery_id = event.delivery_id;
  last.revision = event.revision;
  last.branch = event.branch;
  last.message = sanitizeMessage(event.message);
  auto record = [&](Reply r, kube::EventType type, const std::string& event_reason) {
    r.revision = event.revision;
    last.result = r.result;
    TriggerRecord entry{last, type, event_reason, r.message};
    if (r.result == "BuildStarted") {
      // The controller records the build's outcome in the same lastTrigger when the Job ends: this
      // record must be written first, so the answer waits for it.
      s_.recorder.recordAndWait(autobuild, std::move(entry), kBuildRecordTimeout);
    } else {
      s_.recorder.record(autobuild, std::move(entry));
    }
    if (s_.metrics) s_.metrics->countTrigger(source_name, r.result);
    return finish(std::move(r));
  };

  const bool builds = autobuild.spec.build && api::isGit(autobuild.spec.source.type);
  const std::string action = builds ? "start the build of " : "roll out ";
  try {
    std::optional<api::TargetState> target;
    std::optional<std::string_view> current_image;
    // Docker Hub with no tag patterns redeploys only the tag the target runs: read it before filtering.
    if (autobuild.spec.source.type == api::SourceType::DockerHub && autobuild.spec.source.tags.empty()) {
      if (!may_block) return std::nullopt;
      target = s_.patcher.readTarget(autobuild);
      s_.targets.remember(autobuild, target->object);
      if (!target->not_running && target->container_index >= 0) current_image = target->current_image;
    }
    Decision decision = decide(autobuild, event, current_image);
    if (!decision.proceed()) {
      Reply r{200, "Ignored", toString(*decision.ignored), decision.message, "", "", {}};
      if (*decision.ignored == IgnoreReason::Ping) return finish(r);
      return record(r, kube::EventType::Normal, "TriggerIgnored");
    }
    // What follows remembers the delivery, takes a token and calls the API server.
    if (!may_block) return std::nullopt;
    if (!s_.deliveries.record(key, event.delivery_id)) {
      return finish({200,
                     "Ignored",
                     "Duplicate",
                     "delivery " + event.delivery_id + " was handled already",
                     "",
                     event.revision,
                     {}});
    }
    // From here a failure forgets the delivery, so the provider's retry is handled, not taken for a
    // duplicate.
    auto verdict = s_.limiter.tryTake(key, TriggerLimiter::Clock::now());
    if (!verdict.allowed) {
      s_.deliveries.forget(key, event.delivery_id);
      Reply r = reject(429, "RateLimited",
                       "too many triggers for this AutoBuild; retry after " +
                           std::to_string(verdict.retry_after.count()) + " s");
      r.retry_after = verdict.retry_after;
      r.revision = event.revision;
      return finish(r);
    }
    // A rollout may start from the copy of the target kept from its last read or rollout: the patch
    // then applies only if the target is still exactly that (see target_cache.h). A build may not: it
    // starts without the patch that would check.
    if (!target && !builds) target = s_.targets.find(autobuild);
    if (!target) {
      target = s_.patcher.readTarget(autobuild);
      s_.targets.remember(autobuild, target->object);
    }
    const std::string trigger = source_name + "/" + event.delivery_id;
    if (builds && !target->not_running) {
      return record(startBuild(autobuild, event, trigger), kube::EventType::Normal, "BuildStarted");
    }

    // Docker Hub and the API name a tag: the image keeps the registry host and repository it runs now.
    std::string tag = event.image.empty() ? "" : event.tag;
    api::RolloutRequest rollout{event.revision, trigger, tag, !tag.empty()};
    api::RolloutOutcome outcome = s_.patcher.rollOut(autobuild, std::move(*target), rollout);
    // What rollOut read meanwhile is not returned: only a patched object is known to be current.
    if (outcome.result == api::RolloutResult::RolledOut) {
      s_.targets.remember(autobuild, outcome.object);
    } else {
      s_.targets.forget(autobuild);
    }
    switch (outcome.result) {
      case api::RolloutResult::RolledOut:
        return record({202, "RolledOut", "RolledOut", outcome.message, "", "", {}}, kube::EventType::Normal,
                      "Triggered");
      case api::RolloutResult::AlreadyAtRevision:
        return record({200, "Ignored", "AlreadyAtRevision", outcome.message, "", "", {}},
                      kube::EventType::Normal, "TriggerIgnored");
      case api::RolloutResult::TargetNotRunning:
        s_.deliveries.forget(key, event.delivery_id);
        return record({409, "Rejected", "TargetNotRunning", outcome.message, "", "", {}},
                      kube::EventType::Warning, "TriggerRejected");
    }
    return finish(reject(500, "InternalError", "unknown rollout result"));
  } catch (const api::TargetKeptChanging& e) {
    s_.deliveries.forget(key, event.delivery_id);
    s_.targets.forget(autobuild);
    Reply r = reject(503, "TargetBusy", std::string(e.what()) + "; nothing was changed, retry later");
    r.retry_after = std::chrono::seconds(1);
    r.revision = event.revision;
    return finish(r);
  } catch (const api::OutcomeUnknown& e) {
    s_.deliveries.forget(key, event.delivery_id);
    s_.targets.forget(autobuild);
    Reply r = reject(503, "APIUnavailable",
                     action + key + ": " + e.what() +
                         "; redeliver: the rollout then happens, or is found done (AlreadyAtRevision)");
    r.retry_after = kApiRetryAfter;
    r.revision = event.revision;
    return finish(r);
  } catch (const kube::TransportError& e) {
    s_.deliveries.forget(key, event.delivery_id);
    s_.targets.forget(autobuild);
    auto r = unavailable(action + key, e);
    r.revision = event.revision;
    return finish(r);
  } catch (const kube::ApiError& e) {
    s_.deliveries.forget(key, event.delivery_id);
    s_.targets.forget(autobuild);
    Reply r = retryable(e) ? unavailable(action + key, e)
                           : reject(500, "InternalError", action + key + ": " + e.what());
    r.revision = event.revision;
    return finish(r);
  }
}

HookHandler::Reply HookHandler::startBuild(const api::AutoBuild& autobuild, const PushEvent& event,
                                           const std::string& trigger) const {
  // created_at is stamped by the BuildStarter.
  BuildStart build = s_.builds.start(autobuild, {event.clone_url, event.revision, event.branch, trigger, ""});
  std::string message = build.created ? "build Job " + build.job_name + " started"
                                      : "build Job " + build.job_name + " exists already";
  for (const auto& cancelled : build.cancelled) message += "; cancelled the older build Job " + cancelled;
  message += "; the target rolls out to " + api::buildImage(*autobuild.spec.build, event.revision) +
             " when it succeeds";
  return {202, "BuildStarted", "BuildStarted", message, "", "", {}};
}

}  // namespace autobuild::webhook
