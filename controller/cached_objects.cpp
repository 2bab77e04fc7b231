#include "controller/cached_objects.h"

#include <initializer_list>

namespace autobuild::controller {
namespace {

using nlohmann::json;

// The listed members of `from` (an object, or anything else for none), moved into a new object.
json pick(json& from, std::initializer_list<const char*> fields) {
  json picked = json::object();
  if (!from.is_object()) return picked;
  for (const char* field : fields) {
    auto it = from.find(field);
    if (it != from.end()) picked[field] = std::move(*it);
  }
  return picked;
}

}  // namespace

json trimAutoBuild(json autobuild) {
  json trimmed = {{"metadata", pick(autobuild["metadata"], {"name", "namespace", "uid", "resourceVersion",
                                                            "generation", "deletionTimestamp"})}};
  if (auto spec = autobuild.find("spec"); spec != autobuild.end()) trimmed["spec"] = std::move(*spec);
  if (auto status = autobuild.find("status"); status != autobuild.end() && status->is_object()) {
    trimmed["status"] =
        pick(*status, {"observedGeneration", "webhookPath", "webhookURL", "conditions", "build"});
  }
  return trimmed;
}

json trimSecret(json secret) {
  if (auto metadata = secret.find("metadata"); metadata != secret.end() && metadata->is_object()) {
    for (const char* field : {"labels", "ownerReferences", "uid"}) metadata->erase(field);
  }
  return secret;
}

json identityOnly(json object) {
  return {{"metadata", pick(object["metadata"], {"name", "namespace", "uid", "resourceVersion"})}};
}

}  // namespace autobuild::controller
