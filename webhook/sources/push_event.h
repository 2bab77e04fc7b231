// What a delivery means once its provider's format is read: one normalized event, whatever the
// source. Every string is valid UTF-8 (invalid bytes in the payload become U+FFFD), so it can go
// into JSON and Kubernetes objects as is.
#pragma once

#include <string>

namespace autobuild::webhook {

enum class EventKind {
  Push,            // a git push to a branch: the one git event that triggers
  Ping,            // GitHub's hook-created ping
  TagPush,         // a git push (or deletion) of a tag
  BranchDeletion,  // a git push deleting a branch (`deleted: true` or `after` all zeros)
  ImagePush,       // Docker Hub: a tag was pushed
  ApiCall,         // an API trigger call
  Other,           // any other event the provider sends (issues, merge requests, ...)
};

// "Push", "Ping", ...
const char* toString(EventKind kind);

struct PushEvent {
  EventKind kind = EventKind::Other;
  std::string
      event_name;  // the provider's event header as sent ("push", "Push Hook"); "" for Docker Hub and API
  // The provider's id of this delivery (SPEC section 3): a header, "<timestamp>:<after>" on Gitee,
  // "<repo_name>:<tag>:<pushed_at>" on Docker Hub, a generated UUID for the API.
  std::string delivery_id;
  std::string repository;       // "acme/web"; GitLab path_with_namespace; Docker Hub repo_name
  std::string clone_url;        // git: the HTTP(S) clone URL from the payload, "" when absent
  std::string repository_path;  // clone_url without scheme, host and trailing ".git": "acme/web"
  std::string branch;           // refs/heads/ stripped, slashes kept: "feature/x"
  std::string tag;              // git: refs/tags/ stripped; Docker Hub: the pushed tag; API: the body's tag
  // SPEC section 4: git, the head commit's SHA (lower-case hex); Docker Hub,
  // "<repo_name>:<tag>@<pushed_at>"; API, the body's revision, else the delivery id.
  std::string revision;
  std::string message;  // the head commit's full message; "" when there is none
  // The image to roll out: Docker Hub "<repo_name>:<tag>"; API the body's tag (only the tag: the
  // rollout keeps the registry and repository of the current image); "" otherwise.
  std::string image;
  std::string pusher;  // who pushed, when the payload says
};

}  // namespace autobuild::webhook
