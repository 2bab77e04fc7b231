#include "webhook/sources/payload_error.h"

#include "webhook/sources/utf8.h"

namespace autobuild::webhook {

BodyFormat requireAcceptedFormat(const Source& source, const Delivery& delivery) {
  const std::string accepted = source.accepts(BodyFormat::Form)
                                   ? "send application/json or application/x-www-form-urlencoded"
                                   : "send application/json";
  if (delivery.content_type.empty()) throw PayloadError("missing header Content-Type: " + accepted, 415);
  const auto format = bodyFormatOf(delivery.content_type);
  if (!format || !source.accepts(*format)) {
    throw PayloadError("unsupported content type \"" + toValidUtf8(delivery.content_type) + "\": " + accepted,
                       415);
  }
  return *format;
}

}  // namespace autobuild::webhook
