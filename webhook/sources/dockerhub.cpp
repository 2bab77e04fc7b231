// Docker Hub: no signature and no event header; the unguessable webhook URL is the authentication
// (SPEC section 2). The payload names the pushed tag (push_data.tag), when (push_data.pushed_at) and
// the repository (repository.repo_name); a push is identified by all three.
#include <cmath>
#include <cstdint>

#include "api/image_reference.h"
#include "api/syntax.h"
#include "webhook/sources/json_body.h"
#include "webhook/sources/payload_error.h"
#include "webhook/sources/payload_object.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

// pushed_at is a number of seconds, documented as an integer and sent as a float by older Docker Hub
// releases ("1.417566161e+09"): printed as an integer whenever it is one.
std::string readPushedAt(const PayloadObject& push_data) {
  const nlohmann::json* field = push_data.find("pushed_at");
  if (field == nullptr) throw PayloadError("field " + push_data.pathOf("pushed_at") + ": missing");
  if (field->is_number_integer()) return field->dump();
  if (field->is_number_float()) {
    const double seconds = field->get<double>();
    if (std::isfinite(seconds) && seconds == std::floor(seconds) && std::fabs(seconds) < 1e15) {
      return std::to_string(static_cast<std::int64_t>(seconds));
    }
    return field->dump();
  }
  push_data.throwTypeError("pushed_at", "a number");
}

class DockerHubSource final : public Source {
 public:
  api::SourceType type() const override { return api::SourceType::DockerHub; }
  bool accepts(BodyFormat format) const override { return format == BodyFormat::Json; }

  AuthResult authenticate(const Delivery&, const std::string&) const override {
    return AuthResult::accepted();
  }

  ParseResult parse(const Delivery& delivery) const override {
    return parseOrError([&] {
      requireAcceptedFormat(*this, delivery);
      const nlohmann::json json = parseJsonObject(delivery.body);
      const PayloadObject payload(json);
      const PayloadObject push_data = payload.requiredObject("push_data");
      const PayloadObject repository = payload.requiredObject("repository");

      PushEvent event;
      event.kind = EventKind::ImagePush;
      event.tag = push_data.requiredString("tag");
      if (!api::isImageTag(event.tag)) {
        throw PayloadError("field push_data.tag: not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
      }
      event.repository = repository.requiredString("repo_name");
      if (!api::isDockerHubRepository(event.repository)) {
        throw PayloadError(
            "field repository.repo_name: not a valid image repository (lower-case, at most 255 "
            "characters of a-z 0-9 . _ - /)");
      }
      const std::string pushed_at = readPushedAt(push_data);
      event.pusher = push_data.optionalString("pusher").value_or("");
      event.image = event.repository + ":" + event.tag;
      event.revision = event.image + "@" + pushed_at;
      event.delivery_id = event.image + ":" + pushed_at;
      return event;
    });
  }
};

}  // namespace

const Source& dockerHubSource() {
  static const DockerHubSource source;
  return source;
}

}  // namespace autobuild::webhook
