#include "webhook/hook_index.h"

#include <openssl/crypto.h>

#include "api/json.h"
#include "api/validation.h"
#include "api/webhook_id.h"

namespace autobuild::webhook {
namespace {

constexpr const char* kById = "webhookId";
constexpr std::string_view kHooksPrefix = "/hooks/";

kube::InformerOptions withRestartCallback(std::function<void(const std::string&)> cb,
                                          const std::string& resource,
                                          std::function<nlohmann::json(nlohmann::json)> transform) {
  kube::InformerOptions o;
  o.transform = std::move(transform);
  if (cb) o.on_watch_restart = [cb = std::move(cb), resource] { cb(resource); };
  return o;
}

}  // namespace

bool isWellFormedWebhookId(std::string_view id) {
  if (id.size() != 40) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

HookIndex::HookIndex(std::shared_ptr<kube::Client> client, const std::vector<std::string>& namespaces,
                     std::function<void(const std::string&)> on_watch_restart)
    : client_(client),
      autobuilds_(client, api::AutoBuilds, namespaces,
                  withRestartCallback(on_watch_restart, "autobuilds", nullptr)),
      secrets_(client, kube::resources::Secrets, namespaces,
               withRestartCallback(on_watch_restart, "secrets",
                                   [this](nlohmann::json s) { return references_.trim(std::move(s)); })) {
  autobuilds_.addIndex(kById, [](const nlohmann::json& a) -> std::vector<std::string> {
    auto status = a.find("status");
    if (status == a.end() || !status->is_object()) return {};
    auto path = status->find("webhookPath");
    if (path == status->end() || !path->is_string()) return {};
    std::string p = path->get<std::string>();
    if (p.rfind(kHooksPrefix, 0) != 0) return {};
    return {p.substr(kHooksPrefix.size())};
  });
  auto reference = [this](const kube::ObjectPtr& a) {
    references_.set(kube::objectKey(*a), api::referencedSecretKey(*a));
  };
  autobuilds_.addHandlers({reference,
                           [reference](const kube::ObjectPtr&, const kube::ObjectPtr& a) { reference(a); },
                           [this](const kube::ObjectPtr& a) {
                             const std::string key = kube::objectKey(*a);
                             references_.erase(key);
                             std::lock_guard lock(read_mutex_);
                             read_.erase(key);
                           }});
}

void HookIndex::start() {
  // AutoBuilds first, so the Secret transform knows which Secrets to keep when they arrive.
  autobuilds_.start();
  autobuilds_.waitForSync(std::chrono::seconds(30));
  secrets_.start();
}

void HookIndex::stop() {
  secrets_.stop();
  autobuilds_.stop();
}

bool HookIndex::synced() const {
  return autobuilds_.hasSynced() && secrets_.hasSynced();
}

std::optional<Hook> HookIndex::find(const std::string& id) const {
  bool would_block = false;
  return find(id, true, would_block);
}

std::optional<Hook> HookIndex::findCached(const std::string& id, bool& would_block) const {
  would_block = false;
  return find(id, false, would_block);
}

std::optional<Hook> HookIndex::find(const std::string& id, bool may_block, bool& would_block) const {
  if (!isWellFormedWebhookId(id)) return std::nullopt;
  auto matches = autobuilds_.byIndex(kById, id);
  if (matches.size() != 1) return std::nullopt;
  std::shared_ptr<const api::AutoBuild> autobuild = read(matches.front());
  if (!autobuild) return std::nullopt;

  const auto& ref = autobuild->spec.secret_ref;
  api::SecretValue value{api::SecretValueState::NotCached, ""};
  if (auto cached = secrets_.get(autobuild->ns + "/" + ref.name)) value = api::secretValue(*cached, ref.key);
  if (value.state == api::SecretValueState::NotCached) {
    if (!may_block) {
      would_block = true;
      return std::nullopt;
    }
    try {
      value = api::secretValue(client_->get(kube::resources::Secrets, autobuild->ns, ref.name), ref.key);
    } catch (const kube::ApiError& e) {
      if (e.isNotFound()) return std::nullopt;
      throw;
    }
  }
  if (value.state != api::SecretValueState::Present) return std::nullopt;

  std::string expected = api::webhookId(value.value, autobuild->ns, autobuild->name);
  if (CRYPTO_memcmp(expected.data(), id.data(), id.size()) != 0) return std::nullopt;
  return Hook{std::move(autobuild), std::move(value.value)};
}

std::shared_ptr<const api::AutoBuild> HookIndex::read(const kube::ObjectPtr& object) const {
  const std::string key = kube::objectKey(*object);
  {
    std::lock_guard lock(read_mutex_);
    if (auto it = read_.find(key); it != read_.end() && it->second.object == object)
      return it->second.autobuild;
  }
  std::shared_ptr<const api::AutoBuild> autobuild;
  api::ReadResult result = api::readAutoBuild(*object);
  if (result.errors.empty()) {
    api::applyDefaults(result.autobuild);
    if (api::validate(result.autobuild).empty()) {
      autobuild = std::make_shared<const api::AutoBuild>(std::move(result.autobuild));
    }
  }
  // Kept only while it is the cached version: an older one read meanwhile, or one deleted, is not kept.
  if (autobuilds_.get(key) == object) {
    std::lock_guard lock(read_mutex_);
    read_[key] = Read{object, autobuild};
  }
  return autobuild;
}

}  // namespace autobuild::webhook
