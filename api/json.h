// AutoBuild objects to and from the JSON the API server speaks (field names as in docs/api.md).
//
// Reading never throws nlohmann's exceptions: a field of the wrong JSON type is reported with its path
// ("spec.source.branches[1]: must be a string"). Writing starts from the object as read (AutoBuild::raw)
// and overlays the known fields, so fields this version does not know survive a read-modify-write.
#pragma once

#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/autobuild.h"
#include "api/field_error.h"

namespace autobuild::api {

struct ReadResult {
  AutoBuild autobuild;
  std::vector<FieldError> errors;  // empty: every known field was read
};

// Reads an AutoBuild object. Absent and null fields keep the defaults of the C++ types (so an absent
// trigger.keyword reads as "deploy", an explicit "" stays ""). A field of the wrong type, an unknown
// source type or target kind, or a missing spec.source.type is reported in `errors` and the field keeps
// its default; reading continues with the other fields. `raw` is a copy of `object`.
ReadResult readAutoBuild(const nlohmann::json& object);

// The errors of reading an AutoBuild; what() is "AutoBuild <ns>/<name>: <path>: <message>; ...".
class InvalidAutoBuildError : public std::runtime_error {
 public:
  InvalidAutoBuildError(const std::string& ns, const std::string& name, std::vector<FieldError> errors);
  const std::vector<FieldError>& errors() const { return errors_; }

 private:
  std::vector<FieldError> errors_;
};

// readAutoBuild, throwing InvalidAutoBuildError when anything could not be read.
AutoBuild parseAutoBuild(const nlohmann::json& object);

// The whole object: `raw` with apiVersion, kind, metadata identity, spec and status overlaid. Empty
// optional strings and lists are left out; trigger.keyword is always written, since "" means something.
nlohmann::json toJson(const AutoBuild& autobuild);

// The status object alone, overlaid on raw["status"]: the body of a status write (as the "status" of
// toJson(autobuild) for a PUT of the status subresource, or inside {"status": ...} for a merge patch).
nlohmann::json statusToJson(const AutoBuild& autobuild);

nlohmann::json toJson(const Condition& condition);
// status.build and its runs; empty fields are left out.
nlohmann::json toJson(const BuildRun& run);
nlohmann::json toJson(const BuildStatus& build);

}  // namespace autobuild::api
