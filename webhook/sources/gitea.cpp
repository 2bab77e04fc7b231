// Gitea: X-Gitea-Event push, X-Gitea-Signature "<hex HMAC of the body>", X-Gitea-Delivery. Gitea also
// sends Gogs' and GitHub's headers; only its own count.
#include "webhook/sources/git_source.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

class GiteaSource final : public GitSource {
 public:
  api::SourceType type() const override { return api::SourceType::Gitea; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    return checkBodySignature(delivery, "X-Gitea-Signature", "", secret);
  }

 protected:
  std::string_view eventHeader() const override { return "X-Gitea-Event"; }

  EventKind classifyEvent(std::string_view event) const override {
    return event == "push" ? EventKind::Push : EventKind::Other;
  }

  const PayloadLayout& layout() const override {
    static const PayloadLayout kLayout{"repository", "full_name", "clone_url",
                                       "after",      "pusher",    {"login", "username"}};
    return kLayout;
  }

  std::string deliveryId(const Delivery& delivery, const PayloadObject*) const override {
    return checkedDeliveryId(requiredHeader(delivery, "X-Gitea-Delivery"), "header X-Gitea-Delivery");
  }
};

}  // namespace

const Source& giteaSource() {
  static const GiteaSource source;
  return source;
}

}  // namespace autobuild::webhook
