// A plain HTTP/1.1 client for tests that talk to autobuild-webhook as a Git server would.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace autobuild::e2e {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// Sends one request to 127.0.0.1:`port` on a new connection and reads the answer. Throws
// std::runtime_error when the connection fails or closes without an answer.
HttpReply httpRequest(int port, const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body);

// Writes `bytes` as they are (a request the client would not form itself: a Content-Length whose body never
// comes, a path with dot segments) and reads one answer.
HttpReply rawHttpRequest(int port, const std::string& bytes);

// `n` random lower-case hex digits: commit SHAs and delivery ids for test deliveries.
std::string randomHex(std::size_t n);

// hex(HMAC-SHA256(key, message)) and base64 of the raw digest, as providers sign.
std::string hmacSha256Hex(const std::string& key, const std::string& message);
std::string hmacSha256Base64(const std::string& key, const std::string& message);

}  // namespace autobuild::e2e
