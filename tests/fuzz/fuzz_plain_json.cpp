// The fast JSON reader against nlohmann::json, on the same bytes: whatever the fast reader accepts,
// nlohmann::json must accept too and build the very same tree; nesting beyond the bound is never
// accepted. The fast reader may give up on valid input (the caller then takes nlohmann's way), never
// accept invalid input or read it differently.
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "tests/fuzz/fuzz_input.h"
#include "webhook/sources/plain_json_reader.h"
#include "webhook/sources/utf8.h"

namespace {

int depthOf(const nlohmann::json& value) {
  int deepest = 0;
  if (value.is_structured()) {
    for (const auto& child : value) deepest = std::max(deepest, depthOf(child));
    return deepest + 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr int kMaxDepth = 16;
  const std::string_view text = autobuild::fuzz::asText(data, size);
  if (!autobuild::webhook::isValidUtf8(text)) return 0;  // the reader's precondition
  const auto fast = autobuild::webhook::readPlainJsonObject(text, kMaxDepth);
  if (!fast) return 0;
  const auto reference = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (reference.is_discarded() || !reference.is_object()) __builtin_trap();  // accepted what is not JSON
  if (*fast != reference) __builtin_trap();                                   // read it differently
  if (depthOf(*fast) > kMaxDepth) __builtin_trap();                           // past the bound
  return 0;
}
