// A watch-fed cache of one resource: list, then watch from the list's resourceVersion; on a broken
// stream resume from the last resourceVersion seen with capped backoff; on 410 Gone list again and
// reconcile the cache (deletions seen while away are delivered). Handlers run in event order on the
// informer's own thread; they must not block for long.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "kube/resource.h"
#include "kube/watch_stream.h"

namespace autobuild::kube {

class ObjectPacker;

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "<namespace>/<name>", or "<name>" for cluster-scoped objects.
std::string objectKey(const nlohmann::json& object);

struct InformerHandlers {
  std::function<void(const ObjectPtr&)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr&)> on_delete;
};

struct InformerOptions {
  std::string ns;  // "" all namespaces
  std::string label_selector;
  std::string field_selector;
  std::chrono::seconds resync{0};  // 0: no periodic resync; else on_update(obj, obj) for every object
  // Objects asked for in each list page; a page's text is held whole while it is parsed.
  int page_size = 500;
  // When > 0, every page after the first asks for as many objects as, judged by the page before, fit in
  // this many bytes of text, between 1 and max_page_size: small objects come in few requests, large ones
  // in pages that stay small. page_size is then the first page's.
  std::size_t page_bytes = 0;
  int max_page_size = 500;
  // Applied to every object before it is cached, to keep only what the owner needs (memory). It must
  // keep metadata.name, metadata.namespace and metadata.resourceVersion.
  std::function<nlohmann::json(nlohmann::json)> transform;
  // Keep each object packed (kube/object_packer.h: compressed CBOR) and parse it again for every read
  // (get, list, byIndex, the handlers): a fraction of the memory of a JSON tree, for a large cache read
  // far less often than it holds objects (a controller's, not a request path's).
  bool packed = false;
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // Called each time a watch is established after the first attempt, when it ended or failed (for
  // autobuild_watch_restarts_total).
  std::function<void()> on_watch_restart;
};

class Informer {
 public:
  using IndexFunc = std::function<std::vector<std::string>(const nlohmann::json&)>;

  Informer(std::shared_ptr<Client> client, Resource resource, InformerOptions options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before start() only (std::logic_error after).
  void addHandlers(InformerHandlers handlers);
  void addIndex(const std::string& name, IndexFunc func);

  void start();  // once; std::logic_error on a second call or after stop()
  void stop();   // joins the thread; idempotent
  bool hasSynced() const { return synced_.load(); }
  // Waits until synced or the timeout passes.
  bool waitForSync(std::chrono::milliseconds timeout) const;

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  // The keys of every cached object: with a packed cache, far cheaper than list().
  std::vector<std::string> keys() const;
  // std::out_of_range if no index of that name was added.
  std::vector<ObjectPtr> byIndex(const std::string& index, const std::string& value) const;
  // Whether some cached object has `value` in `index`, without reading any object.
  bool indexed(const std::string& index, const std::string& value) const;
  std::size_t size() const;
  const Resource& resource() const { return resource_; }

 private:
  // An index's value -> the keys of the objects with that value.
  using Index = std::unordered_map<std::string, std::set<std::string>>;
  // One cached object: its JSON tree, or its packed bytes when options_.packed.
  using Stored = std::variant<ObjectPtr, std::shared_ptr<const std::string>>;

  struct Change {
    enum class Kind { Add, Update, Delete } kind;
    Stored old_object;  // Update only
    Stored object;      // for Delete: the last state known
  };

  void run();
  // Lists page by page and reconciles the cache with the result; false if stopped meanwhile.
  bool listAndReplace(std::string& resource_version);
  // Watches from `resource_version`, advancing it with every event and bookmark; returns when the
  // server ends the watch (true) or on stop() (false). Throws ApiError (410 Gone: relist) or
  // TransportError (resume). `progressed` is set once an event arrived.
  bool watchFrom(std::string& resource_version, bool& progressed);
  ObjectPtr prepare(nlohmann::json object) const;
  Stored store(ObjectPtr object) const;
  ObjectPtr load(const Stored& stored) const;
  void apply(WatchEvent::Type type, nlohmann::json object);
  void replace(std::unordered_map<std::string, Stored> fresh);
  void index(const std::string& key, const nlohmann::json& object, bool add);  // cache_mutex_ held
  // cache_mutex_ held; std::out_of_range if no index of that name was added.
  const Index& indexNamed(const std::string& name) const;
  void notify(const Change& change);
  void resyncIfDue();
  bool sleepFor(std::chrono::milliseconds d);  // false when stopped meanwhile

  std::shared_ptr<Client> client_;
  Resource resource_;
  InformerOptions options_;
  std::string what_;                      // "apps/v1 deployments in namespace shop", for messages
  std::unique_ptr<ObjectPacker> packer_;  // when options_.packed
  std::vector<InformerHandlers> handlers_;
  std::map<std::string, IndexFunc> index_funcs_;

  mutable std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, Stored> cache_;
  // index name -> value -> keys
  std::map<std::string, Index> indexes_;

  std::atomic<bool> synced_{false};
  std::atomic<bool> stopping_{false};
  mutable std::mutex wait_mutex_;
  mutable std::condition_variable wake_;
  std::mutex stream_mutex_;
  WatchStream* current_stream_ = nullptr;
  // Informer thread only.
  std::chrono::steady_clock::time_point next_resync_;
  bool watch_attempted_ = false;
  std::thread thread_;
};

}  // namespace autobuild::kube
