#include "test_deliveries.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace autobuild::webhook::testing {

std::string payloadFile(const std::string& name) {
  const std::string path = std::string(AUTOBUILD_WEBHOOK_PAYLOADS) + "/" + name;
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open test payload " + path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

nlohmann::json payloadJson(const std::string& name) {
  return nlohmann::json::parse(payloadFile(name));
}

Delivery deliveryWith(std::string content_type, std::string body,
                      std::initializer_list<std::pair<std::string, std::string>> headers) {
  Delivery delivery;
  delivery.content_type = std::move(content_type);
  delivery.body = std::move(body);
  delivery.setHeader("Content-Type", delivery.content_type);
  for (const auto& [name, value] : headers) delivery.setHeader(name, value);
  return delivery;
}

Delivery jsonDelivery(std::string body, std::initializer_list<std::pair<std::string, std::string>> headers) {
  return deliveryWith("application/json", std::move(body), headers);
}

std::chrono::system_clock::time_point atMilliseconds(long long milliseconds) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(milliseconds));
}

}  // namespace autobuild::webhook::testing
