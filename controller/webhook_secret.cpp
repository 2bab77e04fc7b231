#include "controller/webhook_secret.h"

#include <stdexcept>

#include <openssl/rand.h>

#include "kube/base64.h"

namespace autobuild::controller {

std::string generateWebhookSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("generate webhook secret: the random generator failed");
  }
  static const char* digits = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof bytes);
  for (unsigned char b : bytes) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0xf]);
  }
  return hex;
}

nlohmann::json webhookSecretObject(const api::AutoBuild& autobuild, const std::string& value) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "Opaque"},
      {"metadata",
       {{"name", autobuild.spec.secret_ref.name},
        {"namespace", autobuild.ns},
        {"labels", {{"app.kubernetes.io/managed-by", "autobuild"}}},
        {"ownerReferences",
         {{{"apiVersion", api::kApiVersion},
           {"kind", api::kKind},
           {"name", autobuild.name},
           {"uid", autobuild.uid},
           {"controller", true},
           {"blockOwnerDeletion", false}}}}}},
      {"data", {{autobuild.spec.secret_ref.key, kube::base64Encode(value)}}},
  };
}

}  // namespace autobuild::controller
