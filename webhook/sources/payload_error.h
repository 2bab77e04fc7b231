// How the readers of a delivery report what makes it unreadable: they throw PayloadError, and each
// Source::parse turns it into the ParseError it answers with.
#pragma once

#include <stdexcept>
#include <string>

#include "webhook/sources/source.h"

namespace autobuild::webhook {

class PayloadError : public std::runtime_error {
 public:
  explicit PayloadError(const std::string& message, int status = 400)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Runs `read` (returning a PushEvent) and turns a PayloadError into the ParseError it describes.
template <typename Read>
ParseResult parseOrError(Read&& read) {
  try {
    return ParseResult(read());
  } catch (const PayloadError& error) {
    return ParseResult(ParseError{error.status(), error.what()});
  }
}

// The format of the delivery's body; throws PayloadError (415) when its Content-Type is absent or names
// a format `source` does not accept.
BodyFormat requireAcceptedFormat(const Source& source, const Delivery& delivery);

}  // namespace autobuild::webhook
