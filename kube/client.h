// Typed-by-resource REST verbs against the API server, on top of a Transport: JSON objects in and out,
// client-side rate limiting, bounded retries of 429 and 5xx with Retry-After, and ApiError on failure.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api_error.h"
#include "kube/rate_limiter.h"
#include "kube/resource.h"
#include "kube/transport.h"

namespace autobuild::kube {

using Json = nlohmann::json;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;  // page size; 0: the server's default (everything)
  std::string continue_token;
  std::string resource_version;  // "" most recent; "0" any (served from the watch cache)
  // Applied to each item (apiVersion and kind already set) as soon as it is parsed, before the next one
  // is read, so a page of large objects never exists whole in memory; the page holds what it returns.
  std::function<Json(Json)> item_transform;
};

struct ListPage {
  // Each with apiVersion and kind (the API server leaves them out of list items), or what
  // ListOptions::item_transform made of it.
  std::vector<Json> items;
  std::string resource_version;
  std::string continue_token;  // empty on the last page
  std::size_t bytes = 0;       // the length of the page's text as the API server sent it
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // the server ends the watch after this (must be > 0); the client's silence
                              // timer is 30 s longer
};

enum class PatchType { Merge, StrategicMerge, JsonPatch, Apply };

struct PatchOptions {
  std::string field_manager;  // required for Apply
  bool force = false;         // Apply only: take ownership of conflicting fields
};

enum class Propagation { Default, Foreground, Background, Orphan };

struct ClientOptions {
  double qps = 50;
  int burst = 100;
  int max_retries = 3;                       // for 429 / 5xx with Retry-After
  std::chrono::seconds max_retry_after{10};  // the wait is capped at this, whatever Retry-After says
  std::chrono::milliseconds request_timeout{30000};
  // Called once per HTTP round trip with the verb (get, list, watch, create, update, patch, delete)
  // and the status code (0 when no response came); for metrics.
  std::function<void(std::string_view verb, int code)> observer;
};

class WatchStream;

// Errors: ApiError when the API server answers with a failure (after the retries above), TransportError
// when no answer came (never retried; its message prefixed with "<verb> <object>: ") or when a 2xx body
// is not JSON; std::invalid_argument for a request that cannot be built (no name, Apply without a field
// manager).
class Client {
 public:
  Client(std::shared_ptr<Transport> transport, ClientOptions options = {});
  // Convenience: the cpprestsdk transport for `config`, with its qps, burst and timeout.
  explicit Client(const ClientConfig& config);

  Json get(const Resource& r, std::string_view ns, std::string_view name, std::string_view subresource = "");
  ListPage list(const Resource& r, std::string_view ns, const ListOptions& options = {});
  // Follows continue tokens; the returned page has every item and the final resourceVersion.
  ListPage listAll(const Resource& r, std::string_view ns, ListOptions options = {});
  // `ns` empty: the object's metadata.namespace. Never retried after a transport error.
  Json create(const Resource& r, std::string_view ns, const Json& object);
  // PUT; the object's metadata.resourceVersion makes it conditional (409 Conflict if stale). `ns` empty:
  // the object's metadata.namespace.
  Json update(const Resource& r, std::string_view ns, const Json& object, std::string_view subresource = "");
  Json patch(const Resource& r, std::string_view ns, std::string_view name, PatchType type, const Json& body,
             const PatchOptions& options = {}, std::string_view subresource = "");
  // Returns the server's answer (the object while finalizers run, or a Status).
  Json remove(const Resource& r, std::string_view ns, std::string_view name,
              Propagation propagation = Propagation::Default, std::string_view precondition_uid = "");
  std::unique_ptr<WatchStream> watch(const Resource& r, std::string_view ns, const WatchOptions& options);

  Transport& transport() { return *transport_; }
  // Cancels requests in flight and refuses new ones.
  void shutdown();

 private:
  // Sends with rate limiting and retries; returns a 2xx response or throws ApiError / TransportError.
  HttpResponse roundTrip(std::string_view verb, const std::string& object, HttpRequest request);
  // Waits for a rate limiter token; TransportError when none comes within the request timeout or the
  // client was shut down.
  void throttle(std::string_view verb, const std::string& object);
  // Whether a response with `status` and `headers` is retried after `attempt` retries; waits the
  // Retry-After (capped) first.
  bool waitBeforeRetry(int attempt, int status, const std::map<std::string, std::string>& headers);
  void observe(std::string_view verb, int code) const;

  std::shared_ptr<Transport> transport_;
  ClientOptions options_;
  RateLimiter limiter_;
  std::mutex shutdown_mutex_;
  std::condition_variable shutdown_wake_;
  bool shut_down_ = false;
};

}  // namespace autobuild::kube
