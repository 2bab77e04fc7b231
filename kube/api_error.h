// A failure the API server reported: its Status (code, reason, message) and what was being done to which
// object when it happened.
#pragma once

#include <stdexcept>
#include <string>

namespace autobuild::kube {

struct ApiStatus {
  int code = 0;         // HTTP status code
  std::string reason;   // NotFound, AlreadyExists, Conflict, Forbidden, Gone, Invalid, ...
  std::string message;  // the API server's message
};

class ApiError : public std::runtime_error {
 public:
  // what(): "<verb> <object>: <code> <reason>: <message>", e.g.
  // "patch apps/v1 deployments shop/web: 409 Conflict: the object has been modified ..."
  ApiError(std::string verb, std::string object, ApiStatus status);

  const ApiStatus& status() const { return status_; }
  const std::string& verb() const { return verb_; }
  const std::string& object() const { return object_; }

  bool isNotFound() const { return status_.code == 404; }
  bool isConflict() const { return status_.code == 409 && status_.reason != "AlreadyExists"; }
  bool isAlreadyExists() const { return status_.reason == "AlreadyExists"; }
  bool isForbidden() const { return status_.code == 403; }
  bool isGone() const { return status_.code == 410; }
  bool isInvalid() const { return status_.code == 422; }

 private:
  std::string verb_;
  std::string object_;
  ApiStatus status_;
};

// Parses a response body as a metav1.Status; falls back to the code and the raw body as message.
ApiStatus parseStatus(int http_code, const std::string& body);

}  // namespace autobuild::kube
