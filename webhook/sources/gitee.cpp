// Gitee: X-Gitee-Event "Push Hook" ("Tag Push Hook" for tags). X-Gitee-Token is the secret itself
// (password mode) or base64(HMAC-SHA256(secret, timestamp + "\n" + secret)) with X-Gitee-Timestamp in
// milliseconds (sign mode). The signature does not cover the body: the timestamp window is what
// limits a replay. Gitee sends no delivery id: "<timestamp>:<after>" stands for one.
#include <chrono>
#include <cstdint>
#include <optional>

#include "webhook/sources/ascii.h"
#include "webhook/sources/crypto.h"
#include "webhook/sources/git_source.h"
#include "webhook/sources/providers.h"

namespace autobuild::webhook {
namespace {

constexpr std::chrono::milliseconds kTimestampWindow = std::chrono::hours(1);

std::optional<std::int64_t> parseMilliseconds(std::string_view text) {
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Gitee's documentation has the signature URL-encoded, what arrives is plain base64: accept both.
// Only "+", "/" and "=" of the base64 alphabet are ever escaped.
std::string unescapeBase64(std::string_view token) {
  std::string plain;
  plain.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    const std::string_view escape = token.substr(i, 3);
    if (equalsIgnoreCaseAscii(escape, "%2B")) {
      plain.push_back('+');
    } else if (equalsIgnoreCaseAscii(escape, "%2F")) {
      plain.push_back('/');
    } else if (equalsIgnoreCaseAscii(escape, "%3D")) {
      plain.push_back('=');
    } else {
      plain.push_back(token[i]);
      continue;
    }
    i += 2;
  }
  return plain;
}

class GiteeSource final : public GitSource {
 public:
  api::SourceType type() const override { return api::SourceType::Gitee; }

  AuthResult authenticate(const Delivery& delivery, const std::string& secret) const override {
    if (secret.empty()) return AuthResult::wrong("the AutoBuild's secret is empty");
    const std::string* token = delivery.header("X-Gitee-Token");
    if (token == nullptr || token->empty()) return AuthResult::missing("X-Gitee-Token");
    if (constantTimeEquals(*token, secret)) return AuthResult::accepted();

    const std::string* timestamp = delivery.header("X-Gitee-Timestamp");
    if (timestamp == nullptr || timestamp->empty()) {
      return AuthResult::wrong(
          "X-Gitee-Token is not the secret, and no X-Gitee-Timestamp makes it a signature");
    }
    const auto sent_ms = parseMilliseconds(*timestamp);
    if (!sent_ms) return AuthResult::wrong("X-Gitee-Timestamp is not a time in milliseconds");
    const auto received_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(delivery.received_at.time_since_epoch())
            .count();
    const std::int64_t skew = received_ms - *sent_ms;
    if (skew > kTimestampWindow.count() || skew < -kTimestampWindow.count()) {
      return AuthResult::wrong(
          "X-Gitee-Timestamp is more than 1 h away from the time the request was received");
    }
    const std::string expected = toBase64(hmacSha256(secret, *timestamp + "\n" + secret));
    if (!constantTimeEquals(unescapeBase64(*token), expected)) {
      return AuthResult::wrong("X-Gitee-Token is neither the secret nor its signature of X-Gitee-Timestamp");
    }
    return AuthResult::accepted();
  }

 protected:
  std::string_view eventHeader() const override { return "X-Gitee-Event"; }

  EventKind classifyEvent(std::string_view event) const override {
    if (event == "Push Hook") return EventKind::Push;
    if (event == "Tag Push Hook") return EventKind::TagPush;
    return EventKind::Other;
  }

  const PayloadLayout& layout() const override {
    static const PayloadLayout kLayout{"repository", "full_name", "clone_url",
                                       "after",      "pusher",    {"username", "name"}};
    return kLayout;
  }

  std::vector<std::string_view> deliveryIdFields() const override { return {"timestamp"}; }

  std::string deliveryId(const Delivery& delivery, const PayloadObject* payload) const override {
    std::string timestamp;
    if (const std::string* header = delivery.header("X-Gitee-Timestamp")) timestamp = *header;
    if (timestamp.empty() && payload != nullptr) {
      // The body's copy is a string in Gitee's documentation; take a number too.
      const nlohmann::json* field = payload->find("timestamp");
      if (field != nullptr && field->is_number_integer()) {
        timestamp = field->dump();
      } else {
        timestamp = payload->optionalString("timestamp").value_or("");
      }
    }
    const std::string after = payload == nullptr ? "" : payload->optionalString("after").value_or("");
    if (timestamp.empty() && after.empty()) return randomUuid();
    const std::string id = after.empty() ? timestamp : timestamp.empty() ? after : timestamp + ":" + after;
    return checkedDeliveryId(id, "delivery id (X-Gitee-Timestamp and after)");
  }
};

}  // namespace

const Source& giteeSource() {
  static const GiteeSource source;
  return source;
}

}  // namespace autobuild::webhook
