#include "webhook/sources/json_selection.h"

namespace autobuild::webhook {

JsonSelection& JsonSelection::keep(std::string name) {
  members_.insert_or_assign(std::move(name), nullptr);
  return *this;
}

JsonSelection& JsonSelection::keep(std::string name, JsonSelection nested) {
  members_.insert_or_assign(std::move(name), std::make_shared<const JsonSelection>(std::move(nested)));
  return *this;
}

bool JsonSelection::keeps(std::string_view name) const {
  return members_.find(name) != members_.end();
}

const JsonSelection* JsonSelection::below(std::string_view name) const {
  const auto it = members_.find(name);
  return it == members_.end() ? nullptr : it->second.get();
}

}  // namespace autobuild::webhook
