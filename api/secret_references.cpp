#include "api/secret_references.h"

#include "api/json.h"
#include "api/validation.h"
#include "kube/base64.h"

namespace autobuild::api {
namespace {

// Set on a cached Secret whose data was left out; never a field of a real object.
constexpr const char* kDataOmitted = "$dataOmitted";

}  // namespace

std::string referencedSecretKey(const nlohmann::json& autobuild) {
  AutoBuild a = readAutoBuild(autobuild).autobuild;
  applyDefaults(a);
  return a.ns + "/" + a.spec.secret_ref.name;
}

void SecretReferences::set(const std::string& autobuild_key, const std::string& secret_key) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = secret_of_.try_emplace(autobuild_key, secret_key);
  if (!inserted) {
    if (it->second == secret_key) return;
    if (--reference_count_[it->second] == 0) reference_count_.erase(it->second);
    it->second = secret_key;
  }
  ++reference_count_[secret_key];
}

void SecretReferences::erase(const std::string& autobuild_key) {
  std::lock_guard lock(mutex_);
  auto it = secret_of_.find(autobuild_key);
  if (it == secret_of_.end()) return;
  if (--reference_count_[it->second] == 0) reference_count_.erase(it->second);
  secret_of_.erase(it);
}

bool SecretReferences::isReferenced(const std::string& secret_key) const {
  std::lock_guard lock(mutex_);
  return reference_count_.count(secret_key) > 0;
}

nlohmann::json SecretReferences::trim(nlohmann::json secret) const {
  return keepReferencedSecretData(std::move(secret),
                                  [this](const std::string& key) { return isReferenced(key); });
}

nlohmann::json keepReferencedSecretData(
    nlohmann::json secret, const std::function<bool(const std::string& secret_key)>& is_referenced) {
  nlohmann::json metadata = nlohmann::json::object();
  const auto& full = secret["metadata"];
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences"}) {
    if (full.contains(field)) metadata[field] = full[field];
  }
  nlohmann::json out = {{"metadata", std::move(metadata)}};
  std::string key = out["metadata"].value("namespace", "") + "/" + out["metadata"].value("name", "");
  if (is_referenced(key)) {
    if (secret.contains("data")) out["data"] = std::move(secret["data"]);
  } else {
    out[kDataOmitted] = true;
  }
  return out;
}

SecretValue secretValue(const nlohmann::json& secret, const std::string& data_key) {
  if (secret.value(kDataOmitted, false)) return {SecretValueState::NotCached, ""};
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return {SecretValueState::KeyMissing, ""};
  auto encoded = data->find(data_key);
  if (encoded == data->end() || !encoded->is_string()) return {SecretValueState::KeyMissing, ""};
  auto decoded = kube::base64Decode(encoded->get<std::string>());
  if (!decoded || decoded->empty()) return {SecretValueState::Empty, ""};
  return {SecretValueState::Present, std::move(*decoded)};
}

}  // namespace autobuild::api
