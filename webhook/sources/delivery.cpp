#include "webhook/sources/delivery.h"

#include "webhook/sources/ascii.h"

namespace autobuild::webhook {

void Delivery::setHeader(std::string_view name, std::string value) {
  headers.insert_or_assign(toLowerAscii(name), std::move(value));
}

const std::string* Delivery::header(std::string_view name) const {
  const auto it = headers.find(toLowerAscii(name));
  return it == headers.end() ? nullptr : &it->second;
}

}  // namespace autobuild::webhook
