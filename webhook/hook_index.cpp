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
                           [this](const kube::ObjectPtr& a) { references_.erase(kube::objectKey(*a)); }});
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
  if (!isWellFormedWebhookId(id)) return std::nullopt;
  auto matches = autobuilds_.byIndex(kById, id);
  if (matches.size() != 1) return std::nullopt;
  api::ReadResult read = api::readAutoBuild(*matches.front());
  if (!read.errors.empty()) return std::nullopt;
  api::AutoBuild& autobuild = read.autobuild;
  api::applyDefaults(autobuild);
  if (!api::validate(autobuild).empty()) return std::nullopt;

  const auto& ref = autobuild.spec.secret_ref;
  api::SecretValue value{api::SecretValueState::NotCached, ""};
  if (auto cached = secrets_.get(autobuild.ns + "/" + ref.name)) value = api::secretValue(*cached, ref.key);
  if (value.state == api::SecretValueState::NotCached) {
    try {
      value = api::secretValue(client_->get(kube::resources::Secrets, autobuild.ns, ref.name), ref.key);
    } catch (const kube::ApiError& e) {
      if (e.isNotFound()) return std::nullopt;
      throw;
    }
  }
  if (value.state != api::SecretValueState::Present) return std::nullopt;

  std::string expected = api::webhookId(value.value, autobuild.ns, autobuild.name);
  if (CRYPTO_memcmp(expected.data(), id.data(), id.size()) != 0) return std::nullopt;
  return Hook{std::move(autobuild), std::move(value.value)};
}

}  // namespace autobuild::webhook
