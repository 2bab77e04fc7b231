// Finds the AutoBuild a webhook id belongs to (SPEC section 2): the AutoBuilds are cached from a watch
// and indexed by the id in status.webhookPath, so a lookup costs the same with 10 or 100,000 of them;
// the Secrets are cached only for the AutoBuilds that reference them. A hit counts only after the id is
// recomputed from the Secret's current value, so a path left over from before a rotation finds nothing.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/autobuild.h"
#include "api/secret_references.h"
#include "kube/client.h"
#include "kube/informer_group.h"

namespace autobuild::webhook {

struct Hook {
  std::shared_ptr<const api::AutoBuild> autobuild;  // read and defaulted; valid
  std::string secret;                               // the Secret's current value
};

class HookIndex {
 public:
  HookIndex(std::shared_ptr<kube::Client> client, const std::vector<std::string>& namespaces,
            std::function<void(const std::string& resource)> on_watch_restart);

  void start();
  void stop();
  bool synced() const;

  // The AutoBuild whose webhook id is `id`, or nullopt: unknown id, an AutoBuild whose spec cannot be
  // acted on, a Secret that is gone or whose value no longer yields `id`. Throws kube::TransportError or
  // kube::ApiError when the Secret had to be read from the API server and could not be.
  std::optional<Hook> find(const std::string& id) const;
  // find() for a caller that must not block: it never calls the API server, and when the Secret would
  // have to be read from it, returns nullopt with `would_block` set.
  std::optional<Hook> findCached(const std::string& id, bool& would_block) const;

 private:
  std::optional<Hook> find(const std::string& id, bool may_block, bool& would_block) const;
  // An AutoBuild as read from one cached object; `autobuild` is nullptr when it cannot be acted on.
  struct Read {
    kube::ObjectPtr object;
    std::shared_ptr<const api::AutoBuild> autobuild;
  };
  // Reading an AutoBuild costs more than the rest of a lookup and changes only with the object: each is
  // read once per version the watch delivers.
  std::shared_ptr<const api::AutoBuild> read(const kube::ObjectPtr& object) const;

  std::shared_ptr<kube::Client> client_;
  api::SecretReferences references_;
  kube::InformerGroup autobuilds_;
  kube::InformerGroup secrets_;
  mutable std::mutex read_mutex_;
  mutable std::unordered_map<std::string, Read> read_;  // by "<namespace>/<name>"
};

// True for a string of exactly 40 lower-case hex characters, the only form of a webhook id.
bool isWellFormedWebhookId(std::string_view id);

}  // namespace autobuild::webhook
