// Whether a parsed, authenticated event triggers its AutoBuild (SPEC section 3): checked in the
// SPEC's order (event, repository, branch or tag, keyword, suspend), the first failing check naming
// the reason the request is answered 200 Ignored with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/autobuild.h"
#include "webhook/sources/push_event.h"

namespace autobuild::webhook {

enum class IgnoreReason {
  Ping,                // GitHub's ping
  EventNotHandled,     // not a push to a branch: tags, branch deletions, other events
  RepositoryMismatch,  // spec.source.repository names another repository
  BranchNotMatched,    // the branch matches none of spec.source.branches
  TagNotMatched,       // Docker Hub: the tag matches none of spec.source.tags (or, with none, is not
                       // the tag the target runs)
  KeywordAbsent,       // the head commit message lacks "@<keyword>"
  Suspended,           // spec.suspend
};

// "Ping", "EventNotHandled", ... as in responses, Events and metrics.
const char* toString(IgnoreReason reason);

struct Decision {
  std::optional<IgnoreReason> ignored;  // nullopt: go on and roll out
  std::string message;                  // why it was ignored, for the response and the Event

  bool proceed() const { return !ignored.has_value(); }
};

// Decides for `event`, addressed to `autobuild`. `current_image` is the image the target's container
// runs now; it matters only for Docker Hub with no spec.source.tags, where only a push of the tag it
// runs redeploys, and nullopt (target not known) then ignores the push.
//
// - Repository: spec.source.repository, when set, must equal (ignoring case, scheme, host, ".git" and
//   surrounding "/") the payload's full name or its clone URL's path.
// - Branches and tags are POSIX fnmatch globs with no flags ("*" also matches "/"); git sources with no
//   branches get SPEC's default, main and master.
// - Keyword: the head commit message must contain "@" + keyword, matched literally; "" accepts every
//   push.
Decision decide(const api::AutoBuild& autobuild, const PushEvent& event,
                std::optional<std::string_view> current_image = std::nullopt);

}  // namespace autobuild::webhook
