// The contract of one webhook source (SPEC section 3): how a delivery from that provider is
// authenticated and read. The source of a delivery comes from the AutoBuild it is addressed to, never
// from its headers (Gogs and Gitea also send GitHub's headers). Sources hold no state: one instance
// per provider serves every thread (see source_table.h).
#pragma once

#include <string>
#include <variant>

#include "api/autobuild.h"
#include "webhook/sources/body_format.h"
#include "webhook/sources/delivery.h"
#include "webhook/sources/push_event.h"

namespace autobuild::webhook {

struct AuthResult {
  enum class Status {
    Ok,
    Missing,  // the credential is absent: `detail` names the header or body field
    Wrong,    // present but not the secret's: `detail` says which check failed, never what was expected
  };
  Status status = Status::Wrong;
  // For logs. The response is the same 401 whichever, so a caller learns nothing from it.
  std::string detail;

  bool ok() const { return status == Status::Ok; }
  static AuthResult accepted() { return {Status::Ok, ""}; }
  static AuthResult missing(std::string what) { return {Status::Missing, std::move(what)}; }
  static AuthResult wrong(std::string why) { return {Status::Wrong, std::move(why)}; }
};

// A delivery the webhook cannot read: answered with `status` (400 malformed body or missing header,
// 415 unsupported content type) and `message`, which says what is wrong and where
// ("missing header X-GitHub-Event", "field head_commit.id: expected a string").
struct ParseError {
  int status = 400;
  std::string message;
};

class ParseResult {
 public:
  // Implicit, so a reader can `return event;` or `return ParseError{...};`.
  ParseResult(PushEvent event) : value_(std::move(event)) {}
  ParseResult(ParseError error) : value_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<PushEvent>(value_); }
  // Only when ok().
  const PushEvent& event() const { return std::get<PushEvent>(value_); }
  // Only when !ok().
  const ParseError& error() const { return std::get<ParseError>(value_); }

 private:
  std::variant<PushEvent, ParseError> value_;
};

class Source {
 public:
  virtual ~Source() = default;

  virtual api::SourceType type() const = 0;
  // Whether this source reads bodies of this format; the server answers 415 for the others before
  // authenticating (parse() answers 415 too).
  virtual bool accepts(BodyFormat format) const = 0;
  // Checks the delivery's credential against the AutoBuild's secret. Every comparison with the secret
  // or a value derived from it takes the same time whatever the input (equal-length digests compared
  // with CRYPTO_memcmp), so timing reveals nothing of the secret.
  virtual AuthResult authenticate(const Delivery& delivery, const std::string& secret) const = 0;
  // Reads an authenticated delivery: the event header, the delivery id and the payload. Events other
  // than a push come back with their kind and no payload read, for the filter to ignore.
  virtual ParseResult parse(const Delivery& delivery) const = 0;
};

}  // namespace autobuild::webhook
