// The API trigger: a JSON body {"secret_key": "...", "revision"?: "...", "tag"?: "..."}. The secret
// travels in the body, so authentication reads the body before anything has vouched for it: a
// streaming pass that builds no tree, keeps only the top-level secret_key and stops at the depth limit.
#include <algorithm>

#include "api/image_reference.h"
#include "webhook/sources/crypto.h"
#include "webhook/sources/json_body.h"
#include "webhook/sources/payload_error.h"
#include "webhook/sources/payload_object.h"
#include "webhook/sources/providers.h"
#include "webhook/sources/utf8.h"

namespace autobuild::webhook {
namespace {

constexpr std::string_view kSecretKey = "secret_key";
constexpr std::size_t kMaxRevisionBytes = 128;

// Keeps the last top-level secret_key, as the tree parser would.
class SecretKeyReader final : public JsonShapeCheck {
 public:
  enum class Found { Nothing, String, NotString };

  Found found = Found::Nothing;
  std::string secret_key;

 private:
  void topLevelKey(const std::string& name) override { at_secret_key_ = name == kSecretKey; }
  void topLevelString(std::string& value) override {
    if (!at_secret_key_) return;
    secret_key = std::move(value);
    found = Found::String;
  }
  void topLevelNonString() override {
    if (at_secret_key_) found = Found::NotString;
  }

  bool at_secret_key_ = false;
};

bool isValidRevision(std::string_view revision) {
  return !revision.empty() && revision.size() <= kMaxRevisionBytes &&
         std::all_of(revision.begin(), revision.end(), [](char c) { return c > ' ' && c <= '~'; });
}

class ApiTriggerSource final : public Source {
 public:
  api::SourceType type() const override { return api::SourceType::API; }
  bool accepts(BodyFormat format) const override { return format == BodyFormat::Json; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    if (secret.empty()) return AuthResult::wrong("the AutoBuild's secret is empty");
    if (bodyFormatOf(delivery.content_type) != BodyFormat::Json) {
      return AuthResult::missing("body field secret_key: the body is not application/json");
    }
    SecretKeyReader reader;
    const std::string body = toValidUtf8(delivery.body);
    if (!nlohmann::json::sax_parse(body, &reader) || reader.error) {
      return AuthResult::missing("body field secret_key: " + reader.error.value_or("unreadable body"));
    }
    switch (reader.found) {
      case SecretKeyReader::Found::Nothing:
        return AuthResult::missing("body field secret_key");
      case SecretKeyReader::Found::NotString:
        return AuthResult::wrong("body field secret_key is not a string");
      case SecretKeyReader::Found::String:
        break;
    }
    if (!constantTimeEquals(reader.secret_key, secret)) {
      return AuthResult::wrong("body field secret_key is not the secret");
    }
    return AuthResult::accepted();
  }

  ParseResult parse(const Delivery& delivery) const override {
    return parseOrError([&] {
      requireAcceptedFormat(*this, delivery);
      const nlohmann::json json = parseJsonObject(delivery.body);
      const PayloadObject body(json);
      body.requiredString(kSecretKey);

      PushEvent event;
      event.kind = EventKind::ApiCall;
      event.delivery_id = randomUuid();
      // An empty revision or tag means none: the same as leaving the field out.
      const std::string revision = body.optionalString("revision").value_or("");
      if (!revision.empty() && !isValidRevision(revision)) {
        throw PayloadError("field revision: expected at most " + std::to_string(kMaxRevisionBytes) +
                           " printable ASCII characters without spaces");
      }
      event.revision = revision.empty() ? event.delivery_id : revision;
      event.tag = body.optionalString("tag").value_or("");
      if (!event.tag.empty() && !api::isImageTag(event.tag)) {
        throw PayloadError("field tag: not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
      }
      event.image = event.tag;
      return event;
    });
  }
};

}  // namespace

const Source& apiTriggerSource() {
  static const ApiTriggerSource source;
  return source;
}

}  // namespace autobuild::webhook
