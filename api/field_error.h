// A problem with one field of an object, named by its path ("spec.source.branches[1]"). Reading
// (api/json.h) and validation (api/validation.h) report every problem they find as a list of these.
#pragma once

#include <string>
#include <vector>

namespace autobuild::api {

struct FieldError {
  std::string path;     // "spec.trigger.keyword"; "" for the object as a whole
  std::string message;  // "must match ^[A-Za-z0-9_.-]{0,64}$"

  std::string toString() const;  // "<path>: <message>", or the message alone for the object itself (path "")
  bool operator==(const FieldError&) const = default;
};

// "<path>: <message>; <path>: <message>", the form a Ready condition message or a log line carries.
std::string toString(const std::vector<FieldError>& errors);

}  // namespace autobuild::api
