#include "api/field_error.h"

namespace autobuild::api {

std::string FieldError::toString() const {
  return path.empty() ? message : path + ": " + message;
}

std::string toString(const std::vector<FieldError>& errors) {
  std::string joined;
  for (const FieldError& error : errors) {
    if (!joined.empty()) joined += "; ";
    joined += error.toString();
  }
  return joined;
}

}  // namespace autobuild::api
