#include "webhook/http/message.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "webhook/http/ascii_case.h"

namespace autobuild::http {

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

const std::string* Headers::find(std::string_view name) const {
  for (const auto& [field_name, value] : fields_) {
    if (equalsIgnoringCase(field_name, name)) return &value;
  }
  return nullptr;
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(fields_.begin(), fields_.end(), [&](const Field& field) {
    return equalsIgnoringCase(field.first, name);
  }));
}

namespace {

constexpr std::string_view kReservedFields[] = {
    "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "Content-Type"};

// RFC 9110 token characters.
bool isToken(std::string_view text) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

// Visible characters, spaces and tabs; no CR, LF, NUL or other control characters.
bool isFieldValue(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  });
}

}  // namespace

std::optional<std::string> responseProblem(const Response& response) {
  if (response.defer_to_worker_pool) {
    return "deferral to the worker pool from a handler that is not on the IO thread of an IoThreadFirst "
           "route";
  }
  if (response.status < 200 || response.status > 599) {
    return "status " + std::to_string(response.status) + " is not a final status (200-599)";
  }
  if ((response.status == 204 || response.status == 304) && !response.body.empty()) {
    return "status " + std::to_string(response.status) + " cannot carry a body";
  }
  if (!isFieldValue(response.content_type)) return "content type has a control character";
  for (const auto& [name, value] : response.headers) {
    if (!isToken(name)) return "header name \"" + name + "\" is not a token";
    for (const auto reserved : kReservedFields) {
      if (equalsIgnoringCase(name, reserved)) return "header " + name + " is set by the server";
    }
    if (!isFieldValue(value)) return "header " + name + " has a control character in its value";
  }
  return std::nullopt;
}

Response rejectionResponse(int status, std::string_view reason, std::string_view message) {
  Response response;
  response.status = status;
  const nlohmann::json body = {{"result", "Rejected"}, {"reason", reason}, {"message", message}};
  // Messages may quote what a client sent: replace invalid UTF-8 rather than throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace autobuild::http
