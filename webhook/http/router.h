// Maps a raw request path to a route. Matching is literal on the path as sent: no decoding, no dot-segment
// resolution, no trailing-slash folding, so what a prefix route receives is exactly what the client sent
// and it alone decides what its tail may contain.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/http/message.h"

namespace autobuild::http {

// Where a route's handler runs.
enum class Dispatch {
  // On the IO thread that read the request: only for handlers that never block (/healthz, /readyz).
  IoThread,
  // On the bounded worker pool; when its queue is full the client gets 503 with Retry-After at once.
  WorkerPool,
  // For handlers that block only for some requests: on the IO thread first, with
  // Request::on_worker_pool false. A handler that finds it would block returns a response with
  // defer_to_worker_pool set, before doing anything it must not do twice, and is called again for the
  // same request on the worker pool (as a WorkerPool route: a full queue is answered 503), where it may
  // block. The others are answered without a hand-off between threads.
  IoThreadFirst,
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string path;                  // begins with '/'
  bool prefix = false;               // true: matches every path that starts with `path`
  std::vector<std::string> methods;  // allowed methods, e.g. {"GET", "HEAD"}; others get 405 with Allow
  Dispatch dispatch = Dispatch::IoThread;
  Handler handler;

  bool allows(std::string_view method) const;
  std::string allowHeader() const;  // "GET, HEAD"
};

class Router {
 public:
  // Throws std::invalid_argument naming the route when its path does not begin with '/', it has no
  // methods or no handler, or the same path and kind is already routed.
  void add(Route route);

  // An exact route equal to `raw_path` wins; else the longest prefix route it starts with; else nullptr.
  const Route* match(std::string_view raw_path) const;

 private:
  std::map<std::string, Route, std::less<>> exact_;
  std::vector<Route> prefixes_;  // longest first
};

}  // namespace autobuild::http
