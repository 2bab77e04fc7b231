#include "webhook/sources/git_source.h"

#include <algorithm>
#include <optional>

#include "webhook/sources/ascii.h"
#include "webhook/sources/crypto.h"
#include "webhook/sources/form_encoding.h"
#include "webhook/sources/json_body.h"
#include "webhook/sources/payload_error.h"
#include "webhook/sources/repository_path.h"
#include "webhook/sources/utf8.h"

namespace autobuild::webhook {
namespace {

constexpr std::string_view kBranchPrefix = "refs/heads/";
constexpr std::string_view kTagPrefix = "refs/tags/";

// The JSON of a git delivery: the body itself, or the `payload` field of a form body.
nlohmann::json readPayload(BodyFormat format, const Delivery& delivery, const JsonSelection& selection) {
  if (format == BodyFormat::Json) return parseJsonObject(delivery.body, &selection);
  const auto payload = formField(delivery.body, "payload");
  if (!payload) throw PayloadError("form body has no payload field");
  return parseJsonObject(*payload, &selection);
}

// A SHA of all zeros stands for "no commit": the ref was deleted.
bool isZeroSha(std::string_view sha) {
  return !sha.empty() && std::all_of(sha.begin(), sha.end(), [](char c) { return c == '0'; });
}

bool isCommitSha(std::string_view sha) {
  return (sha.size() == 40 || sha.size() == 64) && std::all_of(sha.begin(), sha.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string requireCommitSha(std::string sha, const std::string& path) {
  sha = toLowerAscii(sha);
  if (!isCommitSha(sha)) {
    throw PayloadError("field " + path + ": expected a commit SHA (40 or 64 hex digits)");
  }
  return sha;
}

// The head commit (SPEC section 3): head_commit where the payload has one, else the commit whose id is
// the head SHA, else the last commit (GitLab and Gogs list them oldest first).
std::optional<PayloadObject> findHeadCommit(const PayloadObject& payload,
                                            const std::optional<std::string>& head_sha) {
  // Read (and so type-checked) whether or not head_commit makes it unnecessary: a malformed body is a 400.
  const std::vector<PayloadObject> commits = payload.objectArray("commits");
  if (auto head_commit = payload.optionalObject("head_commit")) return head_commit;
  if (commits.empty()) return std::nullopt;
  if (head_sha) {
    for (const PayloadObject& commit : commits) {
      const auto id = commit.optionalString("id");
      if (id && equalsIgnoreCaseAscii(*id, *head_sha)) return commit;
    }
  }
  return commits.back();
}

std::string readPusher(const PayloadObject& payload, std::string_view object,
                       const std::vector<std::string_view>& fields) {
  std::optional<PayloadObject> holder =
      object.empty() ? std::optional(payload) : payload.optionalObject(object);
  if (!holder) return "";
  for (const std::string_view field : fields) {
    if (auto name = holder->optionalString(field); name && !name->empty()) return std::move(*name);
  }
  return "";
}

}  // namespace

ParseResult GitSource::parse(const Delivery& delivery) const {
  return parseOrError([&] {
    const BodyFormat format = requireAcceptedFormat(*this, delivery);
    PushEvent event;
    event.event_name = toValidUtf8(requiredHeader(delivery, eventHeader()));
    event.kind = classifyEvent(event.event_name);
    if (event.kind != EventKind::Push) {
      event.delivery_id = deliveryId(delivery, nullptr);
      return event;
    }

    const nlohmann::json json = readPayload(format, delivery, selection());
    const PayloadObject payload(json, selection());
    const PayloadLayout& fields = layout();

    if (auto repository = payload.optionalObject(fields.repository_object)) {
      event.repository = repository->optionalString(fields.full_name).value_or("");
      event.clone_url = repository->optionalString(fields.clone_url).value_or("");
      event.repository_path = repositoryPathOf(event.clone_url);
    }
    event.pusher = readPusher(payload, fields.pusher_object, fields.pusher_fields);
    event.delivery_id = deliveryId(delivery, &payload);

    const std::string ref = payload.requiredString("ref");
    if (ref.starts_with(kTagPrefix)) {
      event.kind = EventKind::TagPush;
      event.tag = ref.substr(kTagPrefix.size());
      return event;
    }
    if (!ref.starts_with(kBranchPrefix)) {
      event.kind = EventKind::Other;  // refs/notes/..., refs/pull/...: not a branch
      return event;
    }
    event.branch = ref.substr(kBranchPrefix.size());

    const auto after = payload.optionalString("after");
    if (payload.optionalBool("deleted").value_or(false) || (after && isZeroSha(*after))) {
      event.kind = EventKind::BranchDeletion;
      return event;
    }

    std::optional<std::string> head_sha = payload.optionalString(fields.head_sha);
    std::string head_sha_path = payload.pathOf(fields.head_sha);
    if (!head_sha) {
      head_sha = after;
      head_sha_path = "after";
    }
    if (const auto head_commit = findHeadCommit(payload, head_sha)) {
      event.revision = requireCommitSha(head_commit->requiredString("id"), head_commit->pathOf("id"));
      event.message = head_commit->optionalString("message").value_or("");
    } else if (head_sha) {
      event.revision = requireCommitSha(*head_sha, head_sha_path);
    } else {
      throw PayloadError("field after: missing");
    }
    return event;
  });
}

const JsonSelection& GitSource::selection() const {
  std::call_once(selection_once_, [this] {
    const PayloadLayout& fields = layout();
    JsonSelection commit;
    commit.keep("id").keep("message");
    selection_.keep("ref").keep("after").keep("deleted").keep(std::string(fields.head_sha));
    selection_.keep("head_commit", commit).keep("commits", commit);
    selection_.keep(std::string(fields.repository_object),
                    JsonSelection().keep(std::string(fields.full_name)).keep(std::string(fields.clone_url)));
    JsonSelection pusher;
    for (const std::string_view field : fields.pusher_fields) pusher.keep(std::string(field));
    if (fields.pusher_object.empty()) {
      for (const std::string_view field : fields.pusher_fields) selection_.keep(std::string(field));
    } else {
      selection_.keep(std::string(fields.pusher_object), pusher);
    }
    for (const std::string_view field : deliveryIdFields()) selection_.keep(std::string(field));
  });
  return selection_;
}

std::string requiredHeader(const Delivery& delivery, std::string_view name) {
  const std::string* value = delivery.header(name);
  if (value == nullptr || value->empty()) throw PayloadError("missing header " + std::string(name));
  return *value;
}

std::string checkedDeliveryId(std::string id, std::string_view what) {
  if (id.size() > kMaxDeliveryIdBytes) {
    throw PayloadError(std::string(what) + ": longer than " + std::to_string(kMaxDeliveryIdBytes) + " bytes");
  }
  return toValidUtf8(id);
}

AuthResult checkBodySignature(const Delivery& delivery, std::string_view header, std::string_view prefix,
                              const std::string& secret) {
  if (secret.empty()) return AuthResult::wrong("the AutoBuild's secret is empty");
  const std::string* value = delivery.header(header);
  if (value == nullptr || value->empty()) return AuthResult::missing(std::string(header));
  const std::string provided = toLowerAscii(*value);
  if (!provided.starts_with(prefix)) {
    return AuthResult::wrong(std::string(header) + " does not start with \"" + std::string(prefix) + "\"");
  }
  const std::string expected = toHex(hmacSha256(secret, delivery.body));
  if (!constantTimeEquals(std::string_view(provided).substr(prefix.size()), expected)) {
    return AuthResult::wrong(std::string(header) + " is not the body's HMAC-SHA256 under the secret");
  }
  return AuthResult::accepted();
}

AuthResult checkToken(const Delivery& delivery, std::string_view header, const std::string& secret) {
  if (secret.empty()) return AuthResult::wrong("the AutoBuild's secret is empty");
  const std::string* value = delivery.header(header);
  if (value == nullptr || value->empty()) return AuthResult::missing(std::string(header));
  if (!constantTimeEquals(*value, secret)) {
    return AuthResult::wrong(std::string(header) + " is not the secret");
  }
  return AuthResult::accepted();
}

}  // namespace autobuild::webhook
