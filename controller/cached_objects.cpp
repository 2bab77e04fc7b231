#include "controller/cached_objects.h"

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "kube/informer.h"

namespace autobuild::controller {
namespace {

using nlohmann::json;

constexpr const char* kPacked = "packed";

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

json packAutoBuild(json autobuild) {
  json trimmed = trimAutoBuild(std::move(autobuild));
  json identity = json::object();
  for (const char* field : {"name", "namespace", "resourceVersion"}) {
    if (auto it = trimmed["metadata"].find(field); it != trimmed["metadata"].end()) identity[field] = *it;
  }
  std::vector<std::uint8_t> bytes = json::to_cbor(trimmed);
  // The encoder grew the vector by doubling; the cache keeps it for as long as the AutoBuild is unchanged.
  bytes.shrink_to_fit();
  return {{"metadata", std::move(identity)}, {kPacked, json::binary(std::move(bytes))}};
}

json unpackAutoBuild(const json& packed) {
  auto it = packed.is_object() ? packed.find(kPacked) : packed.end();
  if (it == packed.end() || !it->is_binary()) {
    throw std::invalid_argument("cached AutoBuild " + kube::objectKey(packed) + " is not packed");
  }
  return json::from_cbor(it->get_binary());
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
