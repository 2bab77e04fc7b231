#include "api/rollout_patcher.h"

#include <chrono>
#include <optional>
#include <random>
#include <thread>
#include "api/image_reference.h"

#include "kube/rfc3339.h"

namespace autobuild::api {
namespace {

// A test that failed means someone changed the template since it was read: read again, this often,
// pausing a few milliseconds (jittered) so that a busy editor's next write is not met in lockstep.
constexpr int kAttempts = 10;

// RFC 6901: "~" and "/" in a key.
std::string pointerEscape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> notRunning(TargetKind kind, const nlohmann::json& object) {
  const auto spec = object.value("spec", nlohmann::json::object());
  if (kind != TargetKind::DaemonSet) {
    // A DaemonSet has no replica count: it runs wherever its nodes are. The others default to 1.
    auto replicas = spec.value("replicas", 1);
    if (replicas <= 0) return "it is scaled to 0 replicas";
  }
  if (kind == TargetKind::Deployment && spec.value("paused", false)) return "its rollout is paused";
  return std::nullopt;
}

std::string describeTarget(const AutoBuild& autobuild) {
  const auto& target = autobuild.spec.target;
  return std::string(toString(target.kind)) + " " + autobuild.ns + "/" + target.name;
}

}  // namespace

RolloutPatcher::RolloutPatcher(std::shared_ptr<kube::Client> client) : client_(std::move(client)) {}

TargetState RolloutPatcher::readTarget(const AutoBuild& autobuild) const {
  const auto& target = autobuild.spec.target;
  nlohmann::json object;
  try {
    object = client_->get(targetResource(target.kind), autobuild.ns, target.name);
  } catch (const kube::ApiError& e) {
    if (!e.isNotFound()) throw;
    TargetState state;
    state.description = describeTarget(autobuild);
    state.not_running = "it does not exist";
    return state;
  }
  return stateOf(autobuild, std::move(object));
}

TargetState RolloutPatcher::stateOf(const AutoBuild& autobuild, nlohmann::json object) {
  const auto& target = autobuild.spec.target;
  TargetState state;
  state.description = describeTarget(autobuild);
  state.object = std::move(object);
  state.not_running = notRunning(target.kind, state.object);
  const auto& tmpl = state.object["spec"]["template"];
  state.current_revision = tmpl.value("metadata", nlohmann::json::object())
                               .value("annotations", nlohmann::json::object())
                               .value(kRevisionAnnotation, "");
  const auto containers =
      tmpl.value("spec", nlohmann::json::object()).value("containers", nlohmann::json::array());
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (target.container.empty() || containers[i].value("name", "") == target.container) {
      state.container_index = static_cast<int>(i);
      state.current_image = containers[i].value("image", "");
      break;
    }
  }
  return state;
}

std::optional<RolloutOutcome> RolloutPatcher::readBackLostAnswer(const AutoBuild& autobuild,
                                                                 const RolloutRequest& request,
                                                                 const std::string& image) const {
  TargetState now;
  try {
    now = readTarget(autobuild);
  } catch (const std::exception& e) {
    throw OutcomeUnknown("the patch of " + autobuild.ns + "/" + autobuild.spec.target.name +
                         " was sent but its answer was lost, and reading it back failed: " + e.what());
  }
  const auto& annotations = now.object["spec"]["template"]
                                .value("metadata", nlohmann::json::object())
                                .value("annotations", nlohmann::json::object());
  if (now.current_revision != request.revision ||
      annotations.value(kTriggerAnnotation, "") != request.trigger) {
    return std::nullopt;
  }
  std::string message = now.description + " rolls out revision " + request.revision;
  if (!image.empty()) message += " with image " + image;
  return RolloutOutcome{RolloutResult::RolledOut, message, image, std::move(now.object)};
}

RolloutOutcome RolloutPatcher::rollOut(const AutoBuild& autobuild, TargetState target,
                                       const RolloutRequest& request) const {
  const auto& spec = autobuild.spec.target;
  for (int attempt = 1;; ++attempt) {
    const bool decided_without_patch = target.not_running || target.current_revision == request.revision ||
                                       (!request.image.empty() && target.container_index < 0);
    // A copy may be stale: only the API server's acceptance of the pinned patch answers from it.
    if (target.from_cache && decided_without_patch) target = readTarget(autobuild);
    if (target.not_running) {
      return {RolloutResult::TargetNotRunning,
              target.description + " is not running: " + *target.not_running,
              "",
              {}};
    }
    if (target.current_revision == request.revision) {
      return {RolloutResult::AlreadyAtRevision,
              target.description + " already runs revision " + request.revision,
              "",
              {}};
    }
    std::string image;
    if (!request.image.empty()) {
      if (target.container_index < 0) {
        return {RolloutResult::TargetNotRunning,
                target.description + " has no container named \"" + spec.container + "\"",
                "",
                {}};
      }
      image = request.image_is_tag ? imageWithTag(target.current_image, request.image) : request.image;
    }

    nlohmann::json annotations = {{kRevisionAnnotation, request.revision},
                                  {kTriggeredAtAnnotation, kube::nowRfc3339()},
                                  {kTriggerAnnotation, request.trigger}};
    nlohmann::json patch = nlohmann::json::array();
    if (target.from_cache) {
      // The very object, with the very spec that was judged running: any change of the spec moves the
      // generation.
      const auto& object_metadata = target.object["metadata"];
      patch.push_back(
          {{"op", "test"}, {"path", "/metadata/uid"}, {"value", object_metadata.value("uid", "")}});
      patch.push_back({{"op", "test"},
                       {"path", "/metadata/generation"},
                       {"value", object_metadata.value("generation", std::int64_t{0})}});
    }
    const auto& metadata = target.object["spec"]["template"].value("metadata", nlohmann::json::object());
    // The test pins what this patch was computed from, as narrowly as JSON patch allows: the revision
    // annotation when there is one (only another trigger changes it); else the annotations, or the
    // template's metadata when it has no annotations (the first trigger only).
    if (metadata.contains("annotations") && metadata["annotations"].is_object()) {
      const auto& current = metadata["annotations"];
      if (current.contains(kRevisionAnnotation)) {
        patch.push_back({{"op", "test"},
                         {"path", std::string("/spec/template/metadata/annotations/") +
                                      pointerEscape(kRevisionAnnotation)},
                         {"value", current[kRevisionAnnotation]}});
      } else {
        patch.push_back(
            {{"op", "test"}, {"path", "/spec/template/metadata/annotations"}, {"value", current}});
      }
      for (auto& [key, value] : annotations.items()) {
        patch.push_back({{"op", "add"},
                         {"path", "/spec/template/metadata/annotations/" + pointerEscape(key)},
                         {"value", value}});
      }
    } else {
      patch.push_back({{"op", "test"}, {"path", "/spec/template/metadata"}, {"value", metadata}});
      patch.push_back(
          {{"op", "add"}, {"path", "/spec/template/metadata/annotations"}, {"value", annotations}});
    }
    if (!image.empty()) {
      std::string container = "/spec/template/spec/containers/" + std::to_string(target.container_index);
      const auto& c = target.object["spec"]["template"]["spec"]["containers"][target.container_index];
      patch.push_back({{"op", "test"}, {"path", container + "/name"}, {"value", c.value("name", "")}});
      patch.push_back({{"op", "replace"}, {"path", container + "/image"}, {"value", image}});
    }

    try {
      nlohmann::json patched = client_->patch(targetResource(spec.kind), autobuild.ns, spec.name,
                                              kube::PatchType::JsonPatch, patch);
      std::string message = target.description + " rolls out revision " + request.revision;
      if (!image.empty()) message += " with image " + image;
      return {RolloutResult::RolledOut, message, image, std::move(patched)};
    } catch (const kube::TransportError&) {
      if (auto outcome = readBackLostAnswer(autobuild, request, image)) return std::move(*outcome);
      throw;
    } catch (const kube::ApiError& e) {
      if (e.status().code >= 500) {
        if (auto outcome = readBackLostAnswer(autobuild, request, image)) return std::move(*outcome);
        throw;
      }
      // A failed test op is 422 Invalid: the template moved since it was read (or the copy was stale).
      if (!e.isInvalid()) throw;
      if (attempt == kAttempts) {
        throw TargetKeptChanging(target.description + " changed under every one of " +
                                 std::to_string(kAttempts) + " attempts to patch it");
      }
    }
    // A stale copy is no busy editor: read again at once.
    if (!target.from_cache) {
      thread_local std::minstd_rand jitter{std::random_device{}()};
      std::this_thread::sleep_for(std::chrono::milliseconds(2 + jitter() % 8));
    }
    target = readTarget(autobuild);
  }
}

}  // namespace autobuild::api
