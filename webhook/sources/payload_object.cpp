#include "webhook/sources/payload_object.h"

#include <stdexcept>

#include "webhook/sources/payload_error.h"

namespace autobuild::webhook {

PayloadObject::PayloadObject(const nlohmann::json& object, std::string path)
    : PayloadObject(object, nullptr, std::move(path)) {}

PayloadObject::PayloadObject(const nlohmann::json& object, const JsonSelection& selection, std::string path)
    : PayloadObject(object, &selection, std::move(path)) {}

PayloadObject::PayloadObject(const nlohmann::json& object, const JsonSelection* selection, std::string path)
    : object_(&object), selection_(selection), path_(std::move(path)) {}

PayloadObject PayloadObject::member(const nlohmann::json& field, std::string_view key,
                                    std::string path) const {
  return PayloadObject(field, selection_ == nullptr ? nullptr : selection_->below(key), std::move(path));
}

const nlohmann::json* PayloadObject::find(std::string_view key) const {
  if (selection_ != nullptr && !selection_->keeps(key)) {
    throw std::logic_error("payload field " + pathOf(key) +
                           " is read but was left out when parsing: " + "add it to the source's selection");
  }
  const auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string PayloadObject::pathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void PayloadObject::throwTypeError(std::string_view key, std::string_view expected) const {
  const nlohmann::json* field = find(key);
  const std::string got = field == nullptr ? "nothing" : field->type_name();
  throw PayloadError("field " + pathOf(key) + ": expected " + std::string(expected) + ", got " + got);
}

std::optional<std::string> PayloadObject::optionalString(std::string_view key) const {
  const nlohmann::json* field = find(key);
  if (field == nullptr) return std::nullopt;
  if (!field->is_string()) throwTypeError(key, "a string");
  return field->get<std::string>();
}

std::string PayloadObject::requiredString(std::string_view key) const {
  auto value = optionalString(key);
  if (!value) throw PayloadError("field " + pathOf(key) + ": missing");
  return std::move(*value);
}

std::optional<bool> PayloadObject::optionalBool(std::string_view key) const {
  const nlohmann::json* field = find(key);
  if (field == nullptr) return std::nullopt;
  if (!field->is_boolean()) throwTypeError(key, "a boolean");
  return field->get<bool>();
}

std::optional<PayloadObject> PayloadObject::optionalObject(std::string_view key) const {
  const nlohmann::json* field = find(key);
  if (field == nullptr) return std::nullopt;
  if (!field->is_object()) throwTypeError(key, "an object");
  return member(*field, key, pathOf(key));
}

PayloadObject PayloadObject::requiredObject(std::string_view key) const {
  auto object = optionalObject(key);
  if (!object) throw PayloadError("field " + pathOf(key) + ": missing");
  return *object;
}

std::vector<PayloadObject> PayloadObject::objectArray(std::string_view key) const {
  std::vector<PayloadObject> elements;
  const nlohmann::json* field = find(key);
  if (field == nullptr) return elements;
  if (!field->is_array()) throwTypeError(key, "an array");
  elements.reserve(field->size());
  for (std::size_t i = 0; i < field->size(); ++i) {
    const nlohmann::json& element = (*field)[i];
    const std::string element_path = pathOf(key) + "[" + std::to_string(i) + "]";
    if (!element.is_object()) {
      throw PayloadError("field " + element_path + ": expected an object, got " + element.type_name());
    }
    elements.push_back(member(element, key, element_path));
  }
  return elements;
}

}  // namespace autobuild::webhook
