// Which Secrets the AutoBuilds reference, so that a process caches the data of those Secrets only
// (SPEC section 2: no more Secrets than the AutoBuilds reference).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace autobuild::api {

// "<namespace>/<secret name>" of the Secret an AutoBuild object references, defaults applied.
std::string referencedSecretKey(const nlohmann::json& autobuild);

// A Secret informer's transform: keeps kind and metadata (name, namespace, uid, resourceVersion, labels,
// ownerReferences); keeps `data` only when `is_referenced("<namespace>/<name>")`, and otherwise marks
// the object so that secretValue() reports the data as not cached.
nlohmann::json keepReferencedSecretData(
    nlohmann::json secret, const std::function<bool(const std::string& secret_key)>& is_referenced);

// The references as a set of their own, for a process whose AutoBuild cache has no index by Secret. Fed
// by the AutoBuild informer's handlers; read by the Secret informer's transform. Thread-safe.
class SecretReferences {
 public:
  // Records that AutoBuild `autobuild_key` ("<ns>/<name>") references `secret_key`, replacing what it
  // referenced before.
  void set(const std::string& autobuild_key, const std::string& secret_key);
  void erase(const std::string& autobuild_key);
  bool isReferenced(const std::string& secret_key) const;

  // keepReferencedSecretData() with these references.
  nlohmann::json trim(nlohmann::json secret) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> secret_of_;  // autobuild -> secret
  std::unordered_map<std::string, int> reference_count_;    // secret -> number of AutoBuilds
};

enum class SecretValueState { Present, KeyMissing, Empty, NotCached };

struct SecretValue {
  SecretValueState state;
  std::string value;  // decoded; set when Present
};

// The decoded value of `data_key` in a Secret object (cached or read from the API server).
SecretValue secretValue(const nlohmann::json& secret, const std::string& data_key);

}  // namespace autobuild::api
