// Building deliveries for the source tests: payload files from payloads/ and hand-made requests.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "webhook/sources/delivery.h"

namespace autobuild::webhook::testing {

// The bytes of payloads/<name>, as a provider would send them.
std::string payloadFile(const std::string& name);
nlohmann::json payloadJson(const std::string& name);

// A JSON POST with `headers` (names in any case).
Delivery jsonDelivery(std::string body, std::initializer_list<std::pair<std::string, std::string>> headers);
// The same with an explicit Content-Type.
Delivery deliveryWith(std::string content_type, std::string body,
                      std::initializer_list<std::pair<std::string, std::string>> headers);

// The time `milliseconds` after the Unix epoch, for receive times.
std::chrono::system_clock::time_point atMilliseconds(long long milliseconds);

}  // namespace autobuild::webhook::testing
