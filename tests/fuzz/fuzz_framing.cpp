// The framing rules (Content-Length, Transfer-Encoding, Host) on any header block, and the response
// checks on a response built from the same fields.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_input.h"
#include "webhook/http/framing.h"
#include "webhook/http/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const int version = data[0] % 2 == 0 ? 11 : 10;
  const auto input = autobuild::fuzz::splitHeaders(autobuild::fuzz::asText(data + 1, size - 1));

  autobuild::http::Headers headers;
  for (const auto& [name, value] : input.headers) {
    headers.add(name, value);
  }
  const auto problem = autobuild::http::framingProblem(headers, version);
  if (problem && problem->empty()) {
    __builtin_trap();  // a refusal always says why
  }
  if (!problem && headers.count("content-length") > 1) {
    __builtin_trap();
  }

  autobuild::http::Response response;
  response.status = 100 + static_cast<int>(data[0]) * 2;
  response.headers = headers;
  response.body = input.body;
  autobuild::http::responseProblem(response);
  autobuild::http::rejectionResponse(400, input.body, input.body);
  return 0;
}
