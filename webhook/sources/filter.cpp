#include "webhook/sources/filter.h"

#include <fnmatch.h>

#include <algorithm>
#include <vector>

#include "api/image_reference.h"
#include "webhook/sources/ascii.h"
#include "webhook/sources/repository_path.h"

namespace autobuild::webhook {
namespace {

const std::vector<std::string> kDefaultBranches{"main", "master"};

Decision ignore(IgnoreReason reason, std::string message) {
  return Decision{reason, std::move(message)};
}

bool matchesAny(const std::vector<std::string>& patterns, const std::string& name) {
  // fnmatch sees C strings: "main\0x" must not pass for "main".
  if (name.find('\0') != std::string::npos) return false;
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
  });
}

std::string listed(const std::vector<std::string>& patterns) {
  std::string list = "[";
  for (std::size_t i = 0; i < patterns.size(); ++i) list += (i == 0 ? "" : ", ") + patterns[i];
  return list + "]";
}

std::optional<Decision> checkEvent(api::SourceType type, const PushEvent& event) {
  const EventKind expected = type == api::SourceType::DockerHub ? EventKind::ImagePush
                             : type == api::SourceType::API     ? EventKind::ApiCall
                                                                : EventKind::Push;
  if (event.kind == expected) return std::nullopt;
  switch (event.kind) {
    case EventKind::Ping:
      return ignore(IgnoreReason::Ping, "ping received: the webhook is reachable");
    case EventKind::TagPush:
      return ignore(IgnoreReason::EventNotHandled, "tag pushes do not trigger; push to a branch");
    case EventKind::BranchDeletion:
      return ignore(IgnoreReason::EventNotHandled, "branch " + event.branch + " was deleted");
    default:
      break;
  }
  const std::string name = event.event_name.empty() ? toString(event.kind) : event.event_name;
  return ignore(IgnoreReason::EventNotHandled, "event " + name + " is not handled; only pushes trigger");
}

std::optional<Decision> checkRepository(const std::string& wanted, const PushEvent& event) {
  if (wanted.empty()) return std::nullopt;
  const std::string wanted_path = repositoryPathOf(wanted);
  const bool matches =
      (!event.repository.empty() && equalsIgnoreCaseAscii(repositoryPathOf(event.repository), wanted_path)) ||
      (!event.repository_path.empty() && equalsIgnoreCaseAscii(event.repository_path, wanted_path));
  if (matches) return std::nullopt;
  const std::string got = !event.repository.empty()        ? event.repository
                          : !event.repository_path.empty() ? event.repository_path
                                                           : "no repository";
  return ignore(IgnoreReason::RepositoryMismatch,
                "the push is for " + got + ", not for spec.source.repository " + wanted);
}

std::optional<Decision> checkBranch(const std::vector<std::string>& branches, const PushEvent& event) {
  const std::vector<std::string>& patterns = branches.empty() ? kDefaultBranches : branches;
  if (matchesAny(patterns, event.branch)) return std::nullopt;
  return ignore(IgnoreReason::BranchNotMatched,
                "branch " + event.branch + " matches none of spec.source.branches " + listed(patterns));
}

std::optional<Decision> checkTag(const std::vector<std::string>& tags, const PushEvent& event,
                                 std::optional<std::string_view> current_image) {
  if (!tags.empty()) {
    if (matchesAny(tags, event.tag)) return std::nullopt;
    return ignore(IgnoreReason::TagNotMatched,
                  "tag " + event.tag + " matches none of spec.source.tags " + listed(tags));
  }
  if (!current_image) {
    return ignore(IgnoreReason::TagNotMatched,
                  "spec.source.tags is empty and the target's current image is unknown");
  }
  const auto running = api::imageTagOf(*current_image);
  if (running && *running == event.tag) return std::nullopt;
  return ignore(IgnoreReason::TagNotMatched, "spec.source.tags is empty and the target runs " +
                                                 std::string(*current_image) + ", not tag " + event.tag);
}

std::optional<Decision> checkKeyword(const std::string& keyword, const PushEvent& event) {
  if (keyword.empty()) return std::nullopt;
  const std::string marker = "@" + keyword;
  if (event.message.find(marker) != std::string::npos) return std::nullopt;
  return ignore(IgnoreReason::KeywordAbsent, "the head commit message does not contain " + marker);
}

}  // namespace

const char* toString(IgnoreReason reason) {
  switch (reason) {
    case IgnoreReason::Ping:
      return "Ping";
    case IgnoreReason::EventNotHandled:
      return "EventNotHandled";
    case IgnoreReason::RepositoryMismatch:
      return "RepositoryMismatch";
    case IgnoreReason::BranchNotMatched:
      return "BranchNotMatched";
    case IgnoreReason::TagNotMatched:
      return "TagNotMatched";
    case IgnoreReason::KeywordAbsent:
      return "KeywordAbsent";
    case IgnoreReason::Suspended:
      return "Suspended";
  }
  return "EventNotHandled";
}

Decision decide(const api::AutoBuild& autobuild, const PushEvent& event,
                std::optional<std::string_view> current_image) {
  const api::AutoBuildSpec& spec = autobuild.spec;
  const api::SourceType type = spec.source.type;
  if (auto decision = checkEvent(type, event)) return *decision;
  if (type != api::SourceType::API) {
    if (auto decision = checkRepository(spec.source.repository, event)) return *decision;
  }
  if (api::isGit(type)) {
    if (auto decision = checkBranch(spec.source.branches, event)) return *decision;
    if (auto decision = checkKeyword(spec.trigger.keyword, event)) return *decision;
  } else if (type == api::SourceType::DockerHub) {
    if (auto decision = checkTag(spec.source.tags, event, current_image)) return *decision;
  }
  if (spec.suspend) {
    return ignore(IgnoreReason::Suspended, "AutoBuild " + autobuild.ns + "/" + autobuild.name +
                                               " is suspended (spec.suspend); nothing rolls out");
  }
  return Decision{};
}

}  // namespace autobuild::webhook
