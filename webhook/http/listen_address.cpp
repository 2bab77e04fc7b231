#include "webhook/http/listen_address.h"

#include <charconv>
#include <stdexcept>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace autobuild::http {
namespace {

[[noreturn]] void refuse(std::string_view address, std::string_view why) {
  throw std::invalid_argument("listen address \"" + std::string(address) + "\": " + std::string(why));
}

}  // namespace

boost::asio::ip::tcp::endpoint parseListenAddress(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) refuse(address, "expected host:port");
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);

  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    refuse(address, "port must be a number from 0 to 65535");
  }

  boost::asio::ip::address ip;
  if (host.empty()) {
    ip = boost::asio::ip::address_v4::any();
  } else if (host == "localhost") {
    ip = boost::asio::ip::address_v4::loopback();
  } else if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') refuse(address, "an IPv6 host must be written [address]");
    boost::system::error_code ec;
    ip = boost::asio::ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), ec);
    if (ec) refuse(address, "invalid IPv6 address");
  } else {
    if (host.find(':') != std::string_view::npos) refuse(address, "an IPv6 host must be written [address]");
    boost::system::error_code ec;
    ip = boost::asio::ip::make_address_v4(std::string(host), ec);
    if (ec) refuse(address, "host must be an IPv4 address, [IPv6 address], localhost or empty");
  }
  return {ip, static_cast<unsigned short>(port)};
}

}  // namespace autobuild::http
