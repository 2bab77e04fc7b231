// Kubernetes objects read from YAML as kubectl and helm print them (several documents, `---` between),
// as JSON values for assertions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace autobuild::e2e {

// Every non-empty document of `yaml`, as JSON. Plain scalars become booleans, integers, numbers or null
// where YAML 1.2's core schema says so; quoted ones stay strings. Throws std::runtime_error naming
// `origin` when the YAML does not parse or a document has no kind.
std::vector<nlohmann::json> parseManifests(const std::string& yaml, const std::string& origin);

// "Kind/namespace/name" ("Kind//name" when cluster-scoped): an object's identity, for messages and sets.
std::string objectId(const nlohmann::json& object);

// The one object of `kind` named `name` (any namespace); throws std::runtime_error listing the objects
// when there is none or more than one.
const nlohmann::json& findObject(const std::vector<nlohmann::json>& objects, const std::string& kind,
                                 const std::string& name);
std::vector<nlohmann::json> objectsOfKind(const std::vector<nlohmann::json>& objects,
                                          const std::string& kind);

// The first container of a Deployment's pod template, and its args as strings.
const nlohmann::json& firstContainer(const nlohmann::json& deployment);
std::vector<std::string> containerArgs(const nlohmann::json& deployment);

}  // namespace autobuild::e2e
