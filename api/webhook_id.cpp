#include "api/webhook_id.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace autobuild::api {

namespace {

constexpr std::size_t kIdLength = 40;

}  // namespace

std::string webhookId(const std::string& secret, const std::string& ns, const std::string& name) {
  const std::string message = ns + "/" + name;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &digest_length) == nullptr) {
    throw std::runtime_error("computing the webhook id of " + message + ": HMAC-SHA256 failed in OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(kIdLength);
  for (unsigned int i = 0; i < digest_length && id.size() < kIdLength; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 0x0f];
  }
  return id;
}

std::string webhookPath(const std::string& id) {
  return "/hooks/" + id;
}

}  // namespace autobuild::api
