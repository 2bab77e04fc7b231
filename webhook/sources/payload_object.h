// Typed, path-aware reads from a JSON object of a payload. Errors name the full path of the field:
// "field head_commit.id: expected a string, got number". JSON null counts as absent: GitHub and
// GitLab send null for what a push does not have (head_commit of a deletion, checkout_sha).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "webhook/sources/json_selection.h"

namespace autobuild::webhook {

class PayloadObject {
 public:
  // `object` must outlive this view; `path` is where it sits in the payload ("" for the top level).
  explicit PayloadObject(const nlohmann::json& object, std::string path = "");
  // A view of an object parsed with `selection` (json_selection.h), which must outlive it: reading a
  // member the selection left out is a programming error, thrown as std::logic_error naming it, never
  // taken for an absent field.
  PayloadObject(const nlohmann::json& object, const JsonSelection& selection, std::string path = "");

  // The field, or nullptr when absent or null.
  const nlohmann::json* find(std::string_view key) const;
  // "head_commit.id" for key "id" of the object at "head_commit".
  std::string pathOf(std::string_view key) const;

  std::optional<std::string> optionalString(std::string_view key) const;
  std::string requiredString(std::string_view key) const;
  std::optional<bool> optionalBool(std::string_view key) const;
  std::optional<PayloadObject> optionalObject(std::string_view key) const;
  PayloadObject requiredObject(std::string_view key) const;
  // An array of objects; empty when absent. Each element's path is "commits[3]".
  std::vector<PayloadObject> objectArray(std::string_view key) const;

  // Throws PayloadError "field <path>: expected <expected>, got <type>".
  [[noreturn]] void throwTypeError(std::string_view key, std::string_view expected) const;

 private:
  PayloadObject(const nlohmann::json& object, const JsonSelection* selection, std::string path);
  // The view of `field`, the member `key` of this object.
  PayloadObject member(const nlohmann::json& field, std::string_view key, std::string path) const;

  const nlohmann::json* object_;
  const JsonSelection* selection_;  // nullptr: everything was kept
  std::string path_;
};

}  // namespace autobuild::webhook
