#include "tests/e2e/deploy/manifest.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <stdexcept>

namespace autobuild::e2e {
namespace {

using nlohmann::json;

json scalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // yaml-cpp tags quoted and block scalars "!", plain ones "?".
  if (node.Tag() == "!") return text;
  static const std::regex integer("[-+]?[0-9]+");
  static const std::regex number("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (std::regex_match(text, integer)) return std::stoll(text);
  if (std::regex_match(text, number)) return std::stod(text);
  return text;
}

json toJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return scalarToJson(node);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(toJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) object[entry.first.as<std::string>()] = toJson(entry.second);
      return object;
    }
  }
  return nullptr;
}

std::string listIds(const std::vector<json>& objects) {
  std::string ids;
  for (const auto& o : objects) ids += "\n  " + objectId(o);
  return ids;
}

}  // namespace

std::vector<json> parseManifests(const std::string& yaml, const std::string& origin) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(origin + ": not YAML: " + e.what());
  }
  std::vector<json> objects;
  for (const auto& document : documents) {
    if (document.IsNull()) continue;
    json object = toJson(document);
    if (!object.is_object() || !object.contains("kind") || !object.contains("apiVersion")) {
      throw std::runtime_error(origin + ": a document without apiVersion and kind: " + object.dump());
    }
    objects.push_back(std::move(object));
  }
  return objects;
}

std::string objectId(const json& object) {
  const json metadata = object.value("metadata", json::object());
  return object.value("kind", "") + "/" + metadata.value("namespace", "") + "/" + metadata.value("name", "");
}

const json& findObject(const std::vector<json>& objects, const std::string& kind, const std::string& name) {
  const json* found = nullptr;
  for (const auto& o : objects) {
    if (o.value("kind", "") != kind || o["metadata"].value("name", "") != name) continue;
    if (found != nullptr)
      throw std::runtime_error("two " + kind + " objects named " + name + ":" + listIds(objects));
    found = &o;
  }
  if (found == nullptr)
    throw std::runtime_error("no " + kind + " named " + name + " among:" + listIds(objects));
  return *found;
}

std::vector<json> objectsOfKind(const std::vector<json>& objects, const std::string& kind) {
  std::vector<json> matching;
  for (const auto& o : objects) {
    if (o.value("kind", "") == kind) matching.push_back(o);
  }
  return matching;
}

const json& firstContainer(const json& deployment) {
  return deployment.at("spec").at("template").at("spec").at("containers").at(0);
}

std::vector<std::string> containerArgs(const json& deployment) {
  std::vector<std::string> args;
  for (const auto& arg : firstContainer(deployment).value("args", json::array()))
    args.push_back(arg.get<std::string>());
  return args;
}

}  // namespace autobuild::e2e
