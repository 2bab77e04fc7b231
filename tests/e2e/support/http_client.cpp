#include "tests/e2e/support/http_client.h"

#include <random>
#include <utility>

#include <openssl/hmac.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "kube/base64.h"

namespace autobuild::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

HttpReply readReply(beast::tcp_stream& stream) {
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser);
  const auto& response = parser.get();
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = response.body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

void connect(beast::tcp_stream& stream, int port) {
  stream.connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
}

}  // namespace

HttpReply httpRequest(int port, const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body) {
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    connect(stream, port);
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    return readReply(stream);
  } catch (const std::exception& e) {
    throw std::runtime_error(method + " 127.0.0.1:" + std::to_string(port) + target + ": " + e.what());
  }
}

HttpReply rawHttpRequest(int port, const std::string& bytes) {
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    connect(stream, port);
    boost::asio::write(stream, boost::asio::buffer(bytes));
    return readReply(stream);
  } catch (const std::exception& e) {
    throw std::runtime_error("raw request to 127.0.0.1:" + std::to_string(port) + ": " + e.what());
  }
}

namespace {

std::string hmac(const std::string& key, const std::string& message) {
  unsigned char digest[32];
  unsigned int length = sizeof digest;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

}  // namespace

std::string randomHex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(digits[rng() % 16]);
  return out;
}

std::string hmacSha256Hex(const std::string& key, const std::string& message) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : hmac(key, message)) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

std::string hmacSha256Base64(const std::string& key, const std::string& message) {
  return kube::base64Encode(hmac(key, message));
}

}  // namespace autobuild::e2e
