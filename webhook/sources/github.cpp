// GitHub: X-GitHub-Event push (ping when the hook is created), X-Hub-Signature-256 "sha256=<hex HMAC
// of the body>", X-GitHub-Delivery.
#include "webhook/sources/git_source.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

class GitHubSource final : public GitSource {
 public:
  api::SourceType type() const override { return api::SourceType::GitHub; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    return checkBodySignature(delivery, "X-Hub-Signature-256", "sha256=", secret);
  }

 protected:
  std::string_view eventHeader() const override { return "X-GitHub-Event"; }

  EventKind classifyEvent(std::string_view event) const override {
    if (event == "push") return EventKind::Push;
    if (event == "ping") return EventKind::Ping;
    return EventKind::Other;
  }

  const PayloadLayout& layout() const override {
    static const PayloadLayout kLayout{"repository", "full_name", "clone_url", "after", "pusher", {"name"}};
    return kLayout;
  }

  std::string deliveryId(const Delivery& delivery, const PayloadObject*) const override {
    return checkedDeliveryId(requiredHeader(delivery, "X-GitHub-Delivery"), "header X-GitHub-Delivery");
  }
};

}  // namespace

const Source& gitHubSource() {
  static const GitHubSource source;
  return source;
}

}  // namespace autobuild::webhook
