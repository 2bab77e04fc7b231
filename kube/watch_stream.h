// One watch request's event stream, decoded as it arrives. A WatchStream ends when the server closes
// it; resuming and relisting is the Reflector's job.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/api_error.h"
#include "kube/transport.h"

namespace autobuild::kube {

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type;
  nlohmann::json object;  // for Error: the metav1.Status
};

class WatchStream {
 public:
  // `what` names the watched collection in error messages, e.g. "apps/v1 deployments in namespace shop".
  WatchStream(std::unique_ptr<LineStream> lines, std::string what);
  // The next event; nullopt when the server ended the stream. An ERROR event carrying 410 Gone throws
  // ApiError (isGone()); another ERROR event throws ApiError with its Status; a broken connection or a
  // line that is not a watch event throws TransportError.
  std::optional<WatchEvent> next();
  // Unblocks next() from another thread.
  void cancel();

 private:
  std::unique_ptr<LineStream> lines_;
  std::string what_;
};

}  // namespace autobuild::kube
