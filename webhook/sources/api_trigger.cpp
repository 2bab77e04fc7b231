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

class SecretKeyReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  enum class Found { Nothing, String, NotString };

  Found found = Found::Nothing;
  std::string secret_key;  // the last top-level secret_key, as the tree parser would keep it
  std::string error;       // why the body cannot be read; "" when it could

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool string(string_t& value) override {
    if (depth_ == 1 && at_secret_key_) {
      secret_key = std::move(value);
      found = Found::String;
      at_secret_key_ = false;
      return true;
    }
    return scalar();
  }
  bool start_object(std::size_t) override { return open(); }
  bool start_array(std::size_t) override { return depth_ == 0 ? fail("body is not a JSON object") : open(); }
  bool key(string_t& name) override {
    if (depth_ == 1) at_secret_key_ = name == kSecretKey;
    return true;
  }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    return fail("body is not valid JSON: " + describeJsonError(ex));
  }

 private:
  bool scalar() {
    if (depth_ == 0) return fail("body is not a JSON object");
    if (depth_ == 1 && at_secret_key_) found = Found::NotString;
    at_secret_key_ = false;
    return true;
  }
  bool open() {
    if (depth_ == 1 && at_secret_key_) found = Found::NotString;
    at_secret_key_ = false;
    if (++depth_ > kMaxJsonDepth) {
      return fail("body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }

  int depth_ = 0;
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
    if (!nlohmann::json::sax_parse(body, &reader) || !reader.error.empty()) {
      return AuthResult::missing("body field secret_key: " +
                                 (reader.error.empty() ? "unreadable body" : reader.error));
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
