// The cryptographic primitives the sources use, on OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace autobuild::webhook {

// The raw 32-byte SHA-256 digest of `data`.
std::string sha256(std::string_view data);
// The raw 32-byte HMAC-SHA256 of `message` under `key`.
std::string hmacSha256(std::string_view key, std::string_view message);
// Lower-case hex of raw bytes.
std::string toHex(std::string_view bytes);
// Standard base64 (RFC 4648 section 4) with padding.
std::string toBase64(std::string_view bytes);
// a == b in time independent of where they differ and of the other value's length: compares the
// SHA-256 digests of both with CRYPTO_memcmp. Use it for every comparison involving a secret.
bool constantTimeEquals(std::string_view a, std::string_view b);
// A random (version 4) UUID from OpenSSL's CSPRNG. Throws std::runtime_error if it has no entropy.
std::string randomUuid();

}  // namespace autobuild::webhook
