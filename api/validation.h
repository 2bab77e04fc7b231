// Defaults and validation of an AutoBuild spec, as docs/api.md describes them. The CRD schema checks
// what it can; the controller runs these on every reconcile so that a spec the API server accepted but
// this version cannot act on gets Ready=False, reason InvalidSpec, with a message naming the field.
#pragma once

#include <string>
#include <vector>

#include "api/autobuild.h"
#include "api/field_error.h"

namespace autobuild::api {

// Fills what the user left out: git sources branches ["main", "master"]; secretRef.name
// "<name>-webhook"; secretRef.key "secret"; build.timeout "30m". The keyword ("deploy"), target kind
// (Deployment) and build.historyLimit (5) are already the defaults of the C++ types, and reading JSON
// (api/json.h) keeps them when the field is absent, while an explicit empty keyword stays empty.
void applyDefaults(AutoBuild& autobuild);

// Every problem of the spec, each with its path and a message saying what is expected, in the order
// of the fields in docs/api.md. Empty: the spec is valid. Expects applyDefaults to have run.
std::vector<FieldError> validate(const AutoBuild& autobuild);

}  // namespace autobuild::api
