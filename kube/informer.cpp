#include "kube/informer.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "kube/api_error.h"
#include "kube/object_packer.h"
#include "kube/transport.h"
#include "kube/watch_stream.h"

namespace autobuild::kube {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

const std::string& metadataString(const Json& object, const char* field) {
  static const std::string empty;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return empty;
  auto value = metadata->find(field);
  if (value == metadata->end() || !value->is_string()) return empty;
  return value->get_ref<const std::string&>();
}

const std::string& resourceVersionOf(const Json& object) {
  return metadataString(object, "resourceVersion");
}

// How many objects of the size of the `items` that came in `bytes` fit in `budget` bytes, between 1 and
// `most`.
int pageSizeFor(std::size_t budget, std::size_t items, std::size_t bytes, int most) {
  const double fit = static_cast<double>(budget) * static_cast<double>(items) / static_cast<double>(bytes);
  return static_cast<int>(std::clamp(fit, 1.0, static_cast<double>(std::max(most, 1))));
}

std::mt19937_64& randomEngine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// Capped exponential backoff; each delay is stretched by up to half again so that many informers
// cut off by the same outage do not come back in lockstep.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
      : min_(std::max(min, std::chrono::milliseconds(1))), max_(std::max(max, min_)), next_(min_) {}

  std::chrono::milliseconds next() {
    auto base = next_;
    next_ = std::min(max_, next_ * 2);
    std::uniform_real_distribution<double> stretch(1.0, 1.5);
    auto jittered =
        std::chrono::milliseconds(static_cast<std::int64_t>(base.count() * stretch(randomEngine())));
    return std::min(jittered, max_);
  }
  void reset() { next_ = min_; }

 private:
  std::chrono::milliseconds min_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

// How long the server keeps one watch open: a random 5 to 10 minutes (as client-go does) so that
// watches opened together do not all end together.
std::chrono::seconds serverWatchTimeout() {
  std::uniform_int_distribution<int> seconds(300, 600);
  return std::chrono::seconds(seconds(randomEngine()));
}

}  // namespace

std::string objectKey(const nlohmann::json& object) {
  const std::string& ns = metadataString(object, "namespace");
  const std::string& name = metadataString(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

Informer::Informer(std::shared_ptr<Client> client, Resource resource, InformerOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      options_(std::move(options)),
      packer_(options_.packed ? std::make_unique<ObjectPacker>() : nullptr) {
  what_ = resource_.apiVersion() + " " + resource_.plural;
  if (resource_.namespaced)
    what_ += options_.ns.empty() ? " in all namespaces" : " in namespace " + options_.ns;
  if (!options_.label_selector.empty()) what_ += " with labels " + options_.label_selector;
  if (!options_.field_selector.empty()) what_ += " with fields " + options_.field_selector;
}

Informer::~Informer() {
  stop();
}

void Informer::addHandlers(InformerHandlers handlers) {
  if (thread_.joinable()) throw std::logic_error("informer of " + what_ + ": addHandlers after start()");
  handlers_.push_back(std::move(handlers));
}

void Informer::addIndex(const std::string& name, IndexFunc func) {
  if (thread_.joinable()) throw std::logic_error("informer of " + what_ + ": addIndex after start()");
  index_funcs_[name] = std::move(func);
  indexes_[name];
}

void Informer::start() {
  if (thread_.joinable() || stopping_.load()) {
    throw std::logic_error("informer of " + what_ + ": start() called twice or after stop()");
  }
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(wait_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  {
    std::lock_guard lock(stream_mutex_);
    if (current_stream_ != nullptr) current_stream_->cancel();
  }
  // A handler calling stop() cannot join its own thread; the loop ends once it returns.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(wait_mutex_);
  wake_.wait_for(lock, timeout, [this] { return synced_.load() || stopping_.load(); });
  return synced_.load();
}

ObjectPtr Informer::get(const std::string& key) const {
  std::shared_lock lock(cache_mutex_);
  auto it = cache_.find(key);
  return it == cache_.end() ? nullptr : load(it->second);
}

std::vector<ObjectPtr> Informer::list() const {
  std::shared_lock lock(cache_mutex_);
  std::vector<ObjectPtr> objects;
  objects.reserve(cache_.size());
  for (const auto& [key, object] : cache_) objects.push_back(load(object));
  return objects;
}

std::vector<std::string> Informer::keys() const {
  std::shared_lock lock(cache_mutex_);
  std::vector<std::string> keys;
  keys.reserve(cache_.size());
  for (const auto& [key, object] : cache_) keys.push_back(key);
  return keys;
}

const Informer::Index& Informer::indexNamed(const std::string& name) const {
  auto index = indexes_.find(name);
  if (index == indexes_.end()) {
    throw std::out_of_range("informer of " + what_ + ": no index named \"" + name + "\"");
  }
  return index->second;
}

bool Informer::indexed(const std::string& index, const std::string& value) const {
  std::shared_lock lock(cache_mutex_);
  return indexNamed(index).count(value) > 0;
}

std::vector<ObjectPtr> Informer::byIndex(const std::string& index, const std::string& value) const {
  std::shared_lock lock(cache_mutex_);
  const Index& by_value = indexNamed(index);
  std::vector<ObjectPtr> objects;
  auto keys = by_value.find(value);
  if (keys == by_value.end()) return objects;
  objects.reserve(keys->second.size());
  for (const auto& key : keys->second) {
    auto it = cache_.find(key);
    if (it != cache_.end()) objects.push_back(load(it->second));
  }
  return objects;
}

std::size_t Informer::size() const {
  std::shared_lock lock(cache_mutex_);
  return cache_.size();
}

void Informer::run() {
  Backoff backoff(options_.min_backoff, options_.max_backoff);
  std::string resource_version;
  bool need_list = true;
  while (!stopping_.load()) {
    if (need_list) {
      try {
        if (!listAndReplace(resource_version)) break;
        need_list = false;
        backoff.reset();
        if (options_.resync.count() > 0) next_resync_ = Clock::now() + options_.resync;
      } catch (const std::exception& e) {
        if (stopping_.load()) break;
        auto delay = backoff.next();
        spdlog::warn("informer of {}: list failed, retrying in {} ms: {}", what_, delay.count(), e.what());
        if (!sleepFor(delay)) break;
        continue;
      }
    }
    resyncIfDue();

    bool progressed = false;
    try {
      if (!watchFrom(resource_version, progressed)) break;
      backoff.reset();
    } catch (const ApiError& e) {
      if (stopping_.load()) break;
      need_list = true;
      if (e.isGone()) {
        spdlog::info("informer of {}: resourceVersion {} is too old ({}); listing again", what_,
                     resource_version, e.what());
        continue;
      }
      auto delay = backoff.next();
      spdlog::warn("informer of {}: watch failed, listing again in {} ms: {}", what_, delay.count(),
                   e.what());
      if (!sleepFor(delay)) break;
    } catch (const std::exception& e) {
      if (stopping_.load()) break;
      if (progressed) backoff.reset();
      auto delay = backoff.next();
      spdlog::warn("informer of {}: watch broken, resuming from resourceVersion {} in {} ms: {}", what_,
                   resource_version, delay.count(), e.what());
      if (!sleepFor(delay)) break;
    }
  }
}

bool Informer::listAndReplace(std::string& resource_version) {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  // Transformed as each item is parsed: a page of whole objects would cost far more than the cache.
  if (options_.transform) list_options.item_transform = options_.transform;

  // Keyed as they arrive: with a packed cache, no page's JSON trees outlive the page.
  std::unordered_map<std::string, Stored> fresh;
  std::string list_version;
  while (true) {
    ListPage page;
    try {
      page = client_->list(resource_, options_.ns, list_options);
    } catch (const ApiError& e) {
      // The continue token outlived etcd's compaction: only a list in one piece is consistent now.
      if (!e.isGone() || list_options.continue_token.empty()) throw;
      spdlog::info("informer of {}: list continuation expired, listing in one request: {}", what_, e.what());
      fresh.clear();
      list_options.limit = 0;
      list_options.continue_token.clear();
      continue;
    }
    if (stopping_.load()) return false;
    // The client has set apiVersion and kind, which items of a list lack, and applied the transform.
    for (auto& item : page.items) {
      std::string key = objectKey(item);
      fresh[std::move(key)] = store(std::make_shared<const Json>(std::move(item)));
    }
    list_version = page.resource_version;
    if (page.continue_token.empty()) break;
    list_options.continue_token = page.continue_token;
    if (options_.page_bytes > 0 && list_options.limit > 0 && !page.items.empty() && page.bytes > 0) {
      list_options.limit =
          pageSizeFor(options_.page_bytes, page.items.size(), page.bytes, options_.max_page_size);
    }
  }
  replace(std::move(fresh));
  resource_version = list_version;
  if (!synced_.load()) {
    {
      std::lock_guard lock(wait_mutex_);
      synced_ = true;
    }
    wake_.notify_all();
    spdlog::info("informer of {}: synced, {} objects at resourceVersion {}", what_, size(), resource_version);
  }
  return true;
}

bool Informer::watchFrom(std::string& resource_version, bool& progressed) {
  WatchOptions watch_options;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.resource_version = resource_version;
  watch_options.allow_bookmarks = true;
  auto timeout = serverWatchTimeout();
  if (options_.resync.count() > 0) {
    // End the watch by the next resync so that a quiet stream does not delay it.
    auto until_resync = std::chrono::ceil<std::chrono::seconds>(next_resync_ - Clock::now());
    timeout = std::clamp(until_resync, std::chrono::seconds(1), timeout);
  }
  watch_options.timeout_seconds = static_cast<int>(timeout.count());

  // Any watch after the first attempt, failed or not, re-establishes the informer's watch.
  const bool restart = watch_attempted_;
  watch_attempted_ = true;
  std::unique_ptr<WatchStream> stream = client_->watch(resource_, options_.ns, watch_options);
  {
    std::lock_guard lock(stream_mutex_);
    if (stopping_.load()) return false;
    current_stream_ = stream.get();
  }
  struct Unregister {
    Informer* informer;
    ~Unregister() {
      std::lock_guard lock(informer->stream_mutex_);
      informer->current_stream_ = nullptr;
    }
  } unregister{this};
  if (restart && options_.on_watch_restart) {
    try {
      options_.on_watch_restart();
    } catch (const std::exception& e) {
      spdlog::error("informer of {}: on_watch_restart failed: {}", what_, e.what());
    }
  }

  while (auto event = stream->next()) {
    progressed = true;
    switch (event->type) {
      case WatchEvent::Type::Bookmark:
        if (!resourceVersionOf(event->object).empty()) resource_version = resourceVersionOf(event->object);
        break;
      case WatchEvent::Type::Error:
        throw ApiError("watch", what_, parseStatus(500, event->object.dump()));
      case WatchEvent::Type::Added:
      case WatchEvent::Type::Modified:
      case WatchEvent::Type::Deleted: {
        std::string version = resourceVersionOf(event->object);
        apply(event->type, std::move(event->object));
        if (!version.empty()) resource_version = std::move(version);
        break;
      }
    }
    if (stopping_.load()) return false;
    resyncIfDue();
  }
  return !stopping_.load();
}

ObjectPtr Informer::prepare(Json object) const {
  if (options_.transform) object = options_.transform(std::move(object));
  return std::make_shared<const Json>(std::move(object));
}

Informer::Stored Informer::store(ObjectPtr object) const {
  if (!options_.packed) return object;
  return std::make_shared<const std::string>(packer_->pack(*object));
}

ObjectPtr Informer::load(const Stored& stored) const {
  if (const auto* object = std::get_if<ObjectPtr>(&stored)) return *object;
  return std::make_shared<const Json>(packer_->unpack(*std::get<std::shared_ptr<const std::string>>(stored)));
}

void Informer::apply(WatchEvent::Type type, Json object) {
  ObjectPtr current = prepare(std::move(object));
  std::string key = objectKey(*current);
  const bool deleted = type == WatchEvent::Type::Deleted;
  Stored stored = deleted ? Stored{} : store(current);
  ObjectPtr previous;
  {
    std::unique_lock lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      previous = load(it->second);
      index(key, *previous, false);
    }
    if (deleted) {
      if (it != cache_.end()) cache_.erase(it);
    } else {
      cache_[key] = std::move(stored);
      index(key, *current, true);
    }
  }
  if (deleted) {
    notify(Change{Change::Kind::Delete, {}, current});
  } else if (previous) {
    notify(Change{Change::Kind::Update, previous, current});
  } else {
    notify(Change{Change::Kind::Add, {}, current});
  }
}

void Informer::replace(std::unordered_map<std::string, Stored> fresh) {
  std::vector<Change> changes;
  {
    std::unique_lock lock(cache_mutex_);
    for (auto& [key, old_object] : cache_) {
      if (!fresh.contains(key)) changes.push_back(Change{Change::Kind::Delete, {}, std::move(old_object)});
    }
    for (auto& [key, object] : fresh) {
      auto old = cache_.find(key);
      if (old == cache_.end()) {
        changes.push_back(Change{Change::Kind::Add, {}, object});
        continue;
      }
      ObjectPtr old_object = load(old->second);
      ObjectPtr new_object = load(object);
      if (resourceVersionOf(*old_object) != resourceVersionOf(*new_object)) {
        changes.push_back(Change{Change::Kind::Update, std::move(old->second), object});
      } else {
        // Unchanged: keep the instance handlers have already seen.
        object = std::move(old->second);
      }
    }
    cache_ = std::move(fresh);
    for (auto& [name, by_value] : indexes_) by_value.clear();
    if (!index_funcs_.empty()) {
      for (const auto& [key, object] : cache_) index(key, *load(object), true);
    }
  }
  for (const auto& change : changes) notify(change);
}

void Informer::index(const std::string& key, const Json& object, bool add) {
  for (const auto& [name, func] : index_funcs_) {
    std::vector<std::string> values;
    try {
      values = func(object);
    } catch (const std::exception& e) {
      spdlog::error("informer of {}: index {} failed on {}: {}", what_, name, key, e.what());
      continue;
    }
    auto& by_value = indexes_[name];
    for (const auto& value : values) {
      if (add) {
        by_value[value].insert(key);
        continue;
      }
      auto keys = by_value.find(value);
      if (keys == by_value.end()) continue;
      keys->second.erase(key);
      if (keys->second.empty()) by_value.erase(keys);
    }
  }
}

void Informer::notify(const Change& change) {
  const ObjectPtr object = load(change.object);
  const ObjectPtr old_object = change.kind == Change::Kind::Update ? load(change.old_object) : nullptr;
  for (const auto& handlers : handlers_) {
    try {
      switch (change.kind) {
        case Change::Kind::Add:
          if (handlers.on_add) handlers.on_add(object);
          break;
        case Change::Kind::Update:
          if (handlers.on_update) handlers.on_update(old_object, object);
          break;
        case Change::Kind::Delete:
          if (handlers.on_delete) handlers.on_delete(object);
          break;
      }
    } catch (const std::exception& e) {
      spdlog::error("informer of {}: handler failed on {}: {}", what_, objectKey(*object), e.what());
    }
  }
}

void Informer::resyncIfDue() {
  if (options_.resync.count() <= 0 || Clock::now() < next_resync_) return;
  next_resync_ = Clock::now() + options_.resync;
  // One object at a time: a packed cache is parsed only as far as it is being delivered.
  for (const auto& key : keys()) {
    if (ObjectPtr object = get(key)) notify(Change{Change::Kind::Update, object, object});
  }
}

bool Informer::sleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(wait_mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

}  // namespace autobuild::kube
