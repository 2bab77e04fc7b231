#include "kube/client.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <stdexcept>

#include "kube/watch_stream.h"

namespace autobuild::kube {

namespace {

// RFC 3986: everything but the unreserved characters is escaped, so selectors like "app in (a,b)" and
// continue tokens (base64 with '+', '/', '=') arrive intact.
std::string percentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0x0F];
    }
  }
  return encoded;
}

class Query {
 public:
  Query& add(std::string_view key, std::string_view value) {
    text_ += text_.empty() ? '?' : '&';
    text_ += key;
    text_ += '=';
    text_ += percentEncode(value);
    return *this;
  }
  Query& addIfSet(std::string_view key, std::string_view value) {
    return value.empty() ? *this : add(key, value);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// "apps/v1 deployments shop/web", "v1 namespaces kube-system", "autobuild.dev/v1alpha1 autobuilds/status
// shop/web"
std::string describeObject(const Resource& r, std::string_view ns, std::string_view name,
                           std::string_view subresource = "") {
  std::string text = r.apiVersion() + " " + r.plural;
  if (!subresource.empty()) text += "/" + std::string(subresource);
  text += " ";
  if (r.namespaced && !ns.empty()) text += std::string(ns) + "/";
  return text + std::string(name);
}

// "apps/v1 deployments in namespace shop", "apps/v1 deployments in all namespaces", "v1 namespaces"
std::string describeCollection(const Resource& r, std::string_view ns) {
  std::string text = r.apiVersion() + " " + r.plural;
  if (r.namespaced) text += ns.empty() ? " in all namespaces" : " in namespace " + std::string(ns);
  return text;
}

std::string metadataField(const Json& object, const char* field) {
  if (!object.is_object()) return "";
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  const auto value = metadata->find(field);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : "";
}

std::string namespaceFor(const Resource& r, std::string_view ns, const Json& object) {
  if (!r.namespaced) return "";
  return ns.empty() ? metadataField(object, "namespace") : std::string(ns);
}

void requireName(std::string_view verb, const std::string& object, std::string_view name) {
  if (name.empty()) throw std::invalid_argument(std::string(verb) + " " + object + ": no object name");
}

void requireNamespace(std::string_view verb, const Resource& r, const std::string& object,
                      std::string_view ns) {
  if (r.namespaced && ns.empty())
    throw std::invalid_argument(std::string(verb) + " " + object + ": no namespace");
}

std::optional<std::chrono::seconds> retryAfter(const std::map<std::string, std::string>& headers) {
  const auto header = headers.find("retry-after");
  if (header == headers.end()) return std::nullopt;
  try {
    std::size_t used = 0;
    const long seconds = std::stol(header->second, &used);
    if (used != header->second.size() || seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  } catch (const std::exception&) {
    return std::nullopt;  // not delta-seconds: the API server never sends a date
  }
}

Json decode(std::string_view verb, const std::string& object, const HttpResponse& response) {
  if (response.body.empty()) return Json();
  auto json = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw TransportError(TransportError::Kind::Other,
                         std::string(verb) + " " + object + ": the API server answered " +
                             std::to_string(response.status) +
                             " with a body that is not JSON: " + response.body.substr(0, 200));
  }
  return json;
}

// A list body parsed with `transform` applied to each item of "items" as it completes: the parser's
// callback sees an item (depth 2 inside the top-level "items" array) when its closing brace is read and
// replaces it there with the transform's result.
Json decodeList(const std::string& object, const Resource& r, const HttpResponse& response,
                const std::function<Json(Json)>& transform) {
  if (response.body.empty()) return Json();
  bool in_items = false;
  auto on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key) {
      in_items = parsed == "items";
    } else if (depth == 2 && in_items && event == Json::parse_event_t::object_end) {
      if (!parsed.contains("apiVersion")) parsed["apiVersion"] = r.apiVersion();
      if (!parsed.contains("kind")) parsed["kind"] = r.kind;
      parsed = transform(std::move(parsed));
    }
    return true;
  };
  auto json = Json::parse(response.body, on_event, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    throw TransportError(TransportError::Kind::Other,
                         "list " + object + ": the API server answered " + std::to_string(response.status) +
                             " with a body that is not JSON: " + response.body.substr(0, 200));
  }
  return json;
}

const char* contentType(PatchType type) {
  switch (type) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::JsonPatch:
      return "application/json-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";  // JSON is YAML
  }
  throw std::invalid_argument("unknown patch type");
}

const char* propagationPolicy(Propagation propagation) {
  switch (propagation) {
    case Propagation::Foreground:
      return "Foreground";
    case Propagation::Background:
      return "Background";
    case Propagation::Orphan:
      return "Orphan";
    case Propagation::Default:
      break;
  }
  return "";
}

ClientOptions optionsFor(const ClientConfig& config) {
  ClientOptions options;
  options.qps = config.qps;
  options.burst = config.burst;
  options.request_timeout = config.request_timeout;
  return options;
}

}  // namespace

Client::Client(std::shared_ptr<Transport> transport, ClientOptions options)
    : transport_(std::move(transport)),
      options_(std::move(options)),
      limiter_(options_.qps, options_.burst) {}

Client::Client(const ClientConfig& config) : Client(makeCpprestTransport(config), optionsFor(config)) {}

Json Client::get(const Resource& r, std::string_view ns, std::string_view name,
                 std::string_view subresource) {
  const std::string object = describeObject(r, ns, name, subresource);
  requireName("get", object, name);
  HttpRequest request{"GET", r.objectPath(ns, name, subresource), "", "", options_.request_timeout};
  return decode("get", object, roundTrip("get", object, std::move(request)));
}

ListPage Client::list(const Resource& r, std::string_view ns, const ListOptions& options) {
  const std::string object = describeCollection(r, ns);
  Query query;
  query.addIfSet("labelSelector", options.label_selector)
      .addIfSet("fieldSelector", options.field_selector)
      .addIfSet("resourceVersion", options.resource_version)
      .addIfSet("continue", options.continue_token);
  if (options.limit > 0) query.add("limit", std::to_string(options.limit));
  HttpRequest request{"GET", r.collectionPath(ns) + query.text(), "", "", options_.request_timeout};
  ListPage page;
  // The response's text goes as soon as it is parsed.
  Json body = [&] {
    HttpResponse response = roundTrip("list", object, std::move(request));
    page.bytes = response.body.size();
    return options.item_transform ? decodeList(object, r, response, options.item_transform)
                                  : decode("list", object, response);
  }();

  const auto items = body.is_object() ? body.find("items") : body.end();
  if (!body.is_object() || (items != body.end() && !items->is_array() && !items->is_null())) {
    throw TransportError(TransportError::Kind::Other,
                         "list " + object + ": the API server's answer is not a list");
  }
  if (items != body.end() && items->is_array()) {
    page.items.reserve(items->size());
    for (auto& item : *items) {
      if (item.is_object() && !options.item_transform) {
        if (!item.contains("apiVersion")) item["apiVersion"] = r.apiVersion();
        if (!item.contains("kind")) item["kind"] = r.kind;
      }
      page.items.push_back(std::move(item));
    }
  }
  page.resource_version = metadataField(body, "resourceVersion");
  page.continue_token = metadataField(body, "continue");
  return page;
}

ListPage Client::listAll(const Resource& r, std::string_view ns, ListOptions options) {
  ListPage all;
  for (;;) {
    ListPage page = list(r, ns, options);
    std::move(page.items.begin(), page.items.end(), std::back_inserter(all.items));
    all.resource_version = std::move(page.resource_version);
    if (page.continue_token.empty()) return all;
    options.continue_token = std::move(page.continue_token);
  }
}

Json Client::create(const Resource& r, std::string_view ns, const Json& object) {
  const std::string target_ns = namespaceFor(r, ns, object);
  std::string name = metadataField(object, "name");
  if (name.empty()) name = metadataField(object, "generateName") + "*";
  const std::string description = describeObject(r, target_ns, name);
  requireNamespace("create", r, description, target_ns);
  HttpRequest request{"POST", r.collectionPath(target_ns), "application/json", object.dump(),
                      options_.request_timeout};
  return decode("create", description, roundTrip("create", description, std::move(request)));
}

Json Client::update(const Resource& r, std::string_view ns, const Json& object,
                    std::string_view subresource) {
  const std::string target_ns = namespaceFor(r, ns, object);
  const std::string name = metadataField(object, "name");
  const std::string description = describeObject(r, target_ns, name, subresource);
  requireName("update", description, name);
  requireNamespace("update", r, description, target_ns);
  HttpRequest request{"PUT", r.objectPath(target_ns, name, subresource), "application/json", object.dump(),
                      options_.request_timeout};
  return decode("update", description, roundTrip("update", description, std::move(request)));
}

Json Client::patch(const Resource& r, std::string_view ns, std::string_view name, PatchType type,
                   const Json& body, const PatchOptions& options, std::string_view subresource) {
  const std::string description = describeObject(r, ns, name, subresource);
  requireName("patch", description, name);
  if (type == PatchType::Apply && options.field_manager.empty()) {
    throw std::invalid_argument("patch " + description + ": server-side apply needs a field manager");
  }
  Query query;
  query.addIfSet("fieldManager", options.field_manager);
  if (type == PatchType::Apply && options.force) query.add("force", "true");
  HttpRequest request{"PATCH", r.objectPath(ns, name, subresource) + query.text(), contentType(type),
                      body.dump(), options_.request_timeout};
  return decode("patch", description, roundTrip("patch", description, std::move(request)));
}

Json Client::remove(const Resource& r, std::string_view ns, std::string_view name, Propagation propagation,
                    std::string_view precondition_uid) {
  const std::string description = describeObject(r, ns, name);
  requireName("delete", description, name);
  HttpRequest request{"DELETE", r.objectPath(ns, name), "", "", options_.request_timeout};
  if (propagation != Propagation::Default || !precondition_uid.empty()) {
    Json options{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
    if (propagation != Propagation::Default) options["propagationPolicy"] = propagationPolicy(propagation);
    if (!precondition_uid.empty()) options["preconditions"] = {{"uid", precondition_uid}};
    request.content_type = "application/json";
    request.body = options.dump();
  }
  return decode("delete", description, roundTrip("delete", description, std::move(request)));
}

std::unique_ptr<WatchStream> Client::watch(const Resource& r, std::string_view ns,
                                           const WatchOptions& options) {
  const std::string description = describeCollection(r, ns);
  if (options.timeout_seconds <= 0) {
    throw std::invalid_argument("watch " + description + ": timeout_seconds must be positive");
  }
  Query query;
  query.add("watch", "1")
      .addIfSet("resourceVersion", options.resource_version)
      .addIfSet("labelSelector", options.label_selector)
      .addIfSet("fieldSelector", options.field_selector)
      .add("timeoutSeconds", std::to_string(options.timeout_seconds));
  if (options.allow_bookmarks) query.add("allowWatchBookmarks", "true");
  // The server ends the watch after timeoutSeconds; silence well past that means the connection is dead.
  HttpRequest request{"GET", r.collectionPath(ns) + query.text(), "", "",
                      std::chrono::seconds(options.timeout_seconds) + std::chrono::seconds(30)};
  for (int attempt = 0;; ++attempt) {
    throttle("watch", description);
    StreamResponse response;
    try {
      response = transport_->stream(request);
    } catch (const TransportError& e) {
      observe("watch", 0);
      throw TransportError(e.kind(), "watch " + description + ": " + e.what());
    }
    observe("watch", response.status);
    if (response.status >= 200 && response.status < 300) {
      return std::make_unique<WatchStream>(std::move(response.lines), description);
    }
    if (!waitBeforeRetry(attempt, response.status, response.headers)) {
      throw ApiError("watch", description, parseStatus(response.status, response.error_body));
    }
  }
}

void Client::shutdown() {
  {
    std::lock_guard lock(shutdown_mutex_);
    shut_down_ = true;
  }
  shutdown_wake_.notify_all();
  limiter_.stop();
  transport_->shutdown();
}

HttpResponse Client::roundTrip(std::string_view verb, const std::string& object, HttpRequest request) {
  for (int attempt = 0;; ++attempt) {
    throttle(verb, object);
    HttpResponse response;
    try {
      response = transport_->send(request);
    } catch (const TransportError& e) {
      // Not retried: the request may have reached the server (a create would be made twice).
      observe(verb, 0);
      throw TransportError(e.kind(), std::string(verb) + " " + object + ": " + e.what());
    }
    observe(verb, response.status);
    if (response.status >= 200 && response.status < 300) return response;
    if (!waitBeforeRetry(attempt, response.status, response.headers)) {
      throw ApiError(std::string(verb), object, parseStatus(response.status, response.body));
    }
  }
}

void Client::throttle(std::string_view verb, const std::string& object) {
  if (limiter_.acquire(RateLimiter::Clock::now() + options_.request_timeout)) return;
  std::lock_guard lock(shutdown_mutex_);
  if (shut_down_) {
    throw TransportError(TransportError::Kind::Cancelled,
                         std::string(verb) + " " + object + ": client shut down");
  }
  char qps[32];
  std::snprintf(qps, sizeof qps, "%g", options_.qps);
  throw TransportError(TransportError::Kind::Timeout, std::string(verb) + " " + object +
                                                          ": the client-side rate limit (" + qps +
                                                          " qps) gave no token within the request timeout");
}

bool Client::waitBeforeRetry(int attempt, int status, const std::map<std::string, std::string>& headers) {
  if (attempt >= options_.max_retries || (status != 429 && status < 500)) return false;
  const auto after = retryAfter(headers);
  if (!after) return false;
  std::unique_lock lock(shutdown_mutex_);
  return !shutdown_wake_.wait_for(lock, std::min(*after, options_.max_retry_after),
                                  [&] { return shut_down_; });
}

void Client::observe(std::string_view verb, int code) const {
  if (options_.observer) options_.observer(verb, code);
}

}  // namespace autobuild::kube
