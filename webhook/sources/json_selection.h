// Which members of a payload a reader uses, so that parsing may leave the others out of the tree: a
// push payload is mostly URLs and counters no source reads, and building them costs more than checking
// the signature. A member kept whole keeps everything below it; a member kept with a nested selection
// keeps only those of its own members (of each element, when it is an array of objects). Members left
// out are still checked for syntax: a selection changes what is built, never what is accepted.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace autobuild::webhook {

class JsonSelection {
 public:
  // Keeps `name` with everything below it.
  JsonSelection& keep(std::string name);
  // Keeps `name` with only the members `nested` selects.
  JsonSelection& keep(std::string name, JsonSelection nested);

  bool keeps(std::string_view name) const;
  // The selection below a kept member, or nullptr when it is kept whole (or not kept).
  const JsonSelection* below(std::string_view name) const;

 private:
  std::map<std::string, std::shared_ptr<const JsonSelection>, std::less<>> members_;  // nullptr: whole
};

}  // namespace autobuild::webhook
