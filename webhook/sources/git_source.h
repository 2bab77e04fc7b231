// What the git sources share (SPEC section 3): bodies in JSON or form encoding, the common shape of a
// push payload, the choice of the head commit, and the credential checks. Each provider's file
// (github.cpp, gitlab.cpp, ...) supplies only what differs.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/sources/json_selection.h"
#include "webhook/sources/payload_object.h"
#include "webhook/sources/source.h"

namespace autobuild::webhook {

class GitSource : public Source {
 public:
  bool accepts(BodyFormat) const override { return true; }
  ParseResult parse(const Delivery& delivery) const final;

 protected:
  // Where a provider's push payload keeps the fields every push has.
  struct PayloadLayout {
    std::string_view repository_object;  // "repository"; GitLab "project"
    std::string_view full_name;          // "full_name"; GitLab "path_with_namespace"
    std::string_view clone_url;          // "clone_url"; GitLab "git_http_url"
    // The commit the ref points to after the push: "after"; GitLab "checkout_sha" (falling back to
    // "after"), since GitLab's `after` of a push is not always the checked-out commit.
    std::string_view head_sha;
    std::string_view pusher_object;               // "pusher"; "" for fields at the top level (GitLab)
    std::vector<std::string_view> pusher_fields;  // the first one present names the pusher
  };

  virtual std::string_view eventHeader() const = 0;  // "X-GitHub-Event", as printed in errors
  // Push, TagPush, Ping or Other, from the event header's value.
  virtual EventKind classifyEvent(std::string_view event) const = 0;
  virtual const PayloadLayout& layout() const = 0;
  // The delivery id; `payload` is nullptr for events whose payload is not read.
  virtual std::string deliveryId(const Delivery& delivery, const PayloadObject* payload) const = 0;
  // The top-level payload fields deliveryId() reads, besides "after".
  virtual std::vector<std::string_view> deliveryIdFields() const { return {}; }

 private:
  // What parse() reads of a payload, built once from layout() and deliveryIdFields(): the rest is left
  // out of the tree.
  const JsonSelection& selection() const;

  mutable std::once_flag selection_once_;
  mutable JsonSelection selection_;
};

// The value of a header; throws PayloadError (400) "missing header <name>" when absent or empty.
std::string requiredHeader(const Delivery& delivery, std::string_view name);

// Delivery ids end up in annotations and in the duplicate log: at most this long.
inline constexpr std::size_t kMaxDeliveryIdBytes = 256;
// `id` as valid UTF-8; throws PayloadError (400) "<what>: longer than 256 bytes" when it is too long.
std::string checkedDeliveryId(std::string id, std::string_view what);

// Both checks below refuse an empty secret, which would let anyone in.
//
// `header` must be `prefix` followed by the lower-case hex HMAC-SHA256 of the raw body under `secret`
// (GitHub: "sha256=", Gogs and Gitea: no prefix). Hex digits are compared case-insensitively.
AuthResult checkBodySignature(const Delivery& delivery, std::string_view header, std::string_view prefix,
                              const std::string& secret);
// `header` must equal `secret` (GitLab's token).
AuthResult checkToken(const Delivery& delivery, std::string_view header, const std::string& secret);

}  // namespace autobuild::webhook
