#include "kube/api_error.h"

#include <nlohmann/json.hpp>

namespace autobuild::kube {

namespace {

// The metav1.StatusReason the API server uses for a code, for responses that carry no Status (a proxy's
// error page, an empty body), so isConflict() and friends and the messages still work.
std::string reasonForCode(int code) {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "";
  }
}

// A raw body can be a whole HTML error page; the start of it is enough to say what happened.
constexpr std::size_t kMaxRawMessage = 1024;

std::string rawMessage(const std::string& body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = body.find_last_not_of(" \t\r\n");
  std::string message = body.substr(first, last - first + 1);
  if (message.size() > kMaxRawMessage) message = message.substr(0, kMaxRawMessage) + "...";
  return message;
}

std::string describe(const std::string& verb, const std::string& object, const ApiStatus& status) {
  std::string text = verb + " " + object + ": " + std::to_string(status.code);
  if (!status.reason.empty()) text += " " + status.reason;
  if (!status.message.empty()) text += ": " + status.message;
  return text;
}

}  // namespace

ApiError::ApiError(std::string verb, std::string object, ApiStatus status)
    : std::runtime_error(describe(verb, object, status)),
      verb_(std::move(verb)),
      object_(std::move(object)),
      status_(std::move(status)) {}

ApiStatus parseStatus(int http_code, const std::string& body) {
  ApiStatus status;
  status.code = http_code;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.value("kind", nlohmann::json()) == "Status") {
    if (const auto code = json.find("code"); code != json.end() && code->is_number_integer() && *code != 0) {
      status.code = code->get<int>();
    }
    if (const auto reason = json.find("reason"); reason != json.end() && reason->is_string()) {
      status.reason = reason->get<std::string>();
    }
    if (const auto message = json.find("message"); message != json.end() && message->is_string()) {
      status.message = message->get<std::string>();
    }
  } else {
    status.message = rawMessage(body);
  }
  if (status.reason.empty()) status.reason = reasonForCode(status.code);
  return status;
}

}  // namespace autobuild::kube
