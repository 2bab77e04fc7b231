// GitLab: X-Gitlab-Event "Push Hook" ("Tag Push Hook" for tags), X-Gitlab-Token equal to the secret,
// X-Gitlab-Event-UUID. Payloads carry at most 20 commits and no head_commit: the head commit is the
// one whose id is checkout_sha.
#include "webhook/sources/crypto.h"
#include "webhook/sources/git_source.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

class GitLabSource final : public GitSource {
 public:
  api::SourceType type() const override { return api::SourceType::GitLab; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    return checkToken(delivery, "X-Gitlab-Token", secret);
  }

 protected:
  std::string_view eventHeader() const override { return "X-Gitlab-Event"; }

  EventKind classifyEvent(std::string_view event) const override {
    if (event == "Push Hook") return EventKind::Push;
    if (event == "Tag Push Hook") return EventKind::TagPush;
    return EventKind::Other;
  }

  const PayloadLayout& layout() const override {
    static const PayloadLayout kLayout{
        "project", "path_with_namespace", "git_http_url", "checkout_sha", "", {"user_username", "user_name"}};
    return kLayout;
  }

  std::string deliveryId(const Delivery& delivery, const PayloadObject*) const override {
    // Older GitLab releases send no X-Gitlab-Event-UUID; such deliveries get an id of their own,
    // and redeliveries are then caught by the revision check alone.
    const std::string* uuid = delivery.header("X-Gitlab-Event-UUID");
    if (uuid == nullptr || uuid->empty()) return randomUuid();
    return checkedDeliveryId(*uuid, "header X-Gitlab-Event-UUID");
  }
};

}  // namespace

const Source& gitLabSource() {
  static const GitLabSource source;
  return source;
}

}  // namespace autobuild::webhook
