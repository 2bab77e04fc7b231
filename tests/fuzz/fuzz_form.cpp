// The application/x-www-form-urlencoded decoder: one component, and the payload field of a whole body.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_input.h"
#include "webhook/sources/form_encoding.h"
#include "webhook/sources/payload_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = autobuild::fuzz::asText(data, size);
  try {
    const std::string decoded = autobuild::webhook::decodeFormComponent(text);
    if (decoded.size() > text.size()) {
      __builtin_trap();  // decoding never grows its input
    }
  } catch (const autobuild::webhook::PayloadError&) {
  }
  try {
    autobuild::webhook::formField(text, "payload");
  } catch (const autobuild::webhook::PayloadError&) {
  }
  return 0;
}
