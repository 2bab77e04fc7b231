// An AutoBuild object as JSON through what the controller does on every reconcile: read, default,
// validate, and write back.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "api/json.h"
#include "api/validation.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json object = nlohmann::json::parse(autobuild::fuzz::asText(data, size), nullptr, false);
  if (object.is_discarded()) {
    return 0;
  }
  autobuild::api::ReadResult read = autobuild::api::readAutoBuild(object);
  autobuild::api::applyDefaults(read.autobuild);
  autobuild::api::validate(read.autobuild);
  autobuild::api::toJson(read.autobuild);
  autobuild::api::statusToJson(read.autobuild);
  return 0;
}
