// Gogs: X-Gogs-Event push, X-Gogs-Signature "<hex HMAC of the body>", X-Gogs-Delivery. Gogs payloads
// have no head_commit: the head commit is the one whose id is `after`.
#include "webhook/sources/git_source.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

class GogsSource final : public GitSource {
 public:
  api::SourceType type() const override { return api::SourceType::Gogs; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    return checkBodySignature(delivery, "X-Gogs-Signature", "", secret);
  }

 protected:
  std::string_view eventHeader() const override { return "X-Gogs-Event"; }

  EventKind classifyEvent(std::string_view event) const override {
    return event == "push" ? EventKind::Push : EventKind::Other;
  }

  const PayloadLayout& layout() const override {
    static const PayloadLayout kLayout{"repository", "full_name", "clone_url",
                                       "after",      "pusher",    {"username", "login"}};
    return kLayout;
  }

  std::string deliveryId(const Delivery& delivery, const PayloadObject*) const override {
    return checkedDeliveryId(requiredHeader(delivery, "X-Gogs-Delivery"), "header X-Gogs-Delivery");
  }
};

}  // namespace

const Source& gogsSource() {
  static const GogsSource source;
  return source;
}

}  // namespace autobuild::webhook
