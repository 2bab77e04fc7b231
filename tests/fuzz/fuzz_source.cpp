// Every provider's authenticate and parse on one delivery. The first byte picks the source; the rest is
// headers and body (fuzz_input.h). parse() runs whatever authenticate() says, because the fuzzer cannot
// forge an HMAC and the parser must be safe on any bytes regardless.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_input.h"
#include "webhook/sources/body_format.h"
#include "webhook/sources/source_table.h"

namespace {

constexpr autobuild::api::SourceType kTypes[] = {
    autobuild::api::SourceType::GitHub, autobuild::api::SourceType::GitLab,
    autobuild::api::SourceType::Gitee,  autobuild::api::SourceType::Gogs,
    autobuild::api::SourceType::Gitea,  autobuild::api::SourceType::DockerHub,
    autobuild::api::SourceType::API,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const auto type = kTypes[data[0] % std::size(kTypes)];
  const auto input = autobuild::fuzz::splitHeaders(autobuild::fuzz::asText(data + 1, size - 1));

  autobuild::webhook::Delivery delivery;
  for (const auto& [name, value] : input.headers) {
    delivery.setHeader(name, value);
  }
  if (const std::string* content_type = delivery.header("content-type")) {
    delivery.content_type = *content_type;
  }
  delivery.body = input.body;

  const autobuild::webhook::Source& source = autobuild::webhook::sourceFor(type);
  if (const auto format = autobuild::webhook::bodyFormatOf(delivery.content_type)) {
    source.accepts(*format);
  }
  source.authenticate(delivery, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  const autobuild::webhook::ParseResult result = source.parse(delivery);
  if (!result.ok() && result.error().status != 400 && result.error().status != 415) {
    __builtin_trap();  // a parse error is only ever a 400 or a 415
  }
  return 0;
}
