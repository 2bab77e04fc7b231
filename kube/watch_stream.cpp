#include "kube/watch_stream.h"

namespace autobuild::kube {

namespace {

std::optional<WatchEvent::Type> eventType(const std::string& name) {
  if (name == "ADDED") return WatchEvent::Type::Added;
  if (name == "MODIFIED") return WatchEvent::Type::Modified;
  if (name == "DELETED") return WatchEvent::Type::Deleted;
  if (name == "BOOKMARK") return WatchEvent::Type::Bookmark;
  if (name == "ERROR") return WatchEvent::Type::Error;
  return std::nullopt;
}

}  // namespace

WatchStream::WatchStream(std::unique_ptr<LineStream> lines, std::string what)
    : lines_(std::move(lines)), what_(std::move(what)) {}

std::optional<WatchEvent> WatchStream::next() {
  for (;;) {
    auto line = lines_->nextLine();
    if (!line) return std::nullopt;
    if (line->find_first_not_of(" \t\r") == std::string::npos) continue;

    auto fail = [&](const std::string& why) {
      return TransportError(TransportError::Kind::Other, "watch " + what_ + ": " + why);
    };
    auto json = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) throw fail("undecodable event (not JSON): " + line->substr(0, 200));
    const auto type_field = json.is_object() ? json.find("type") : json.end();
    if (type_field == json.end() || !type_field->is_string())
      throw fail("event without a type: " + line->substr(0, 200));
    const auto type = eventType(type_field->get<std::string>());
    if (!type) throw fail("unknown event type \"" + type_field->get<std::string>() + "\"");
    const auto object = json.find("object");
    if (object == json.end() || !object->is_object()) {
      throw fail(type_field->get<std::string>() + " event without an object");
    }
    if (*type == WatchEvent::Type::Error) {
      // The Status names its own code (410 for an expired resourceVersion); 500 if it does not.
      throw ApiError("watch", what_, parseStatus(500, object->dump()));
    }
    return WatchEvent{*type, std::move(*object)};
  }
}

void WatchStream::cancel() {
  lines_->cancel();
}

}  // namespace autobuild::kube
