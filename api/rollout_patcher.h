// Rolls a target workload out (SPEC section 4): checks that it runs, then patches its pod template so the
// workload controller starts a new revision, as `kubectl rollout restart` does.
//
// The patch is a JSON patch that adds the revision annotations (and replaces the one container's image);
// its `test` operations pin what it was computed from: the current revision annotation (on a first
// trigger, the annotations or the template's metadata) and the container's name at its index. The API
// server applies it atomically: a concurrent edit of anything else survives, and two replicas handling
// the same revision at once roll out once (the second's test fails, and reading again it finds the
// revision there). A failed test is read again and retried.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "api/autobuild.h"
#include "kube/client.h"

namespace autobuild::api {

// The pod template annotations a rollout sets.
inline constexpr const char* kRevisionAnnotation = "autobuild.dev/revision";
inline constexpr const char* kTriggeredAtAnnotation = "autobuild.dev/triggered-at";
inline constexpr const char* kTriggerAnnotation = "autobuild.dev/trigger";

struct RolloutRequest {
  std::string revision;
  std::string trigger;  // "<source>/<delivery id>"
  // The new image: a full reference (a finished build), or a tag only (Docker Hub, API), which keeps the
  // registry host and repository of the current image. "" leaves the image alone.
  std::string image;
  bool image_is_tag = false;
};

struct TargetState {
  nlohmann::json object;                   // as read
  std::string description;                 // "Deployment shop/web"
  std::optional<std::string> not_running;  // why it does not count as running, or nullopt
  int container_index = -1;  // the container image updates go to; -1 when it has none of that name
  std::string current_image;
  std::string current_revision;  // the template's autobuild.dev/revision, "" when absent
  // The object is a copy kept from an earlier read or patch and may be stale. rollOut then patches only
  // the very object and spec it shows (the patch also tests metadata.uid and metadata.generation, which
  // every change of the spec moves), and reads the target again before any answer but RolledOut.
  bool from_cache = false;
};

enum class RolloutResult { RolledOut, AlreadyAtRevision, TargetNotRunning };

struct RolloutOutcome {
  RolloutResult result;
  std::string message;
  std::string image;      // the image rolled out, "" when unchanged
  nlohmann::json object;  // RolledOut: the target as the API server returned it after the patch
};

// The target changed between every read and patch: nothing was changed; retrying later is right.
class TargetKeptChanging : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The patch was sent but neither its answer nor the target's state could be read: it may or may not
// have been applied. A redelivery is safe: it rolls out, or finds the revision there (AlreadyAtRevision).
class OutcomeUnknown : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RolloutPatcher {
 public:
  explicit RolloutPatcher(std::shared_ptr<kube::Client> client);

  // Reads the target. A missing target is a TargetState with not_running set. Throws kube::ApiError or
  // kube::TransportError when it cannot be read.
  TargetState readTarget(const AutoBuild& autobuild) const;
  // The state of `autobuild`'s target shown by `object` (as a GET or PATCH of it returned it).
  static TargetState stateOf(const AutoBuild& autobuild, nlohmann::json object);

  // Rolls out from `target` (from readTarget), re-reading it when the server's state moved meanwhile.
  // Throws TargetKeptChanging when it moved every time, OutcomeUnknown when the patch's answer was lost
  // and the target could not be read back, kube::ApiError or kube::TransportError (nothing changed).
  RolloutOutcome rollOut(const AutoBuild& autobuild, TargetState target, const RolloutRequest& request) const;

 private:
  // After a patch whose answer never came (a timeout, a dropped connection, a 5xx): RolledOut when the
  // target, read back, carries this very trigger, so a rollout that happened is never reported as nothing
  // changed; nullopt when it does not (nothing changed); OutcomeUnknown when it cannot be read.
  std::optional<RolloutOutcome> readBackLostAnswer(const AutoBuild& autobuild, const RolloutRequest& request,
                                                   const std::string& image) const;

  std::shared_ptr<kube::Client> client_;
};

}  // namespace autobuild::api
