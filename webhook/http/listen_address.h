// Parsing of a listen address given as "host:port".
#pragma once

#include <string_view>

#include <boost/asio/ip/tcp.hpp>

namespace autobuild::http {

// Accepts "0.0.0.0:8080", "127.0.0.1:0", "[::]:8443", "[::1]:8080", "localhost:8080" (IPv4 loopback)
// and ":8080" (every IPv4 interface). Port 0 asks the system for a free port. Throws
// std::invalid_argument quoting the address and saying what is wrong with it.
boost::asio::ip::tcp::endpoint parseListenAddress(std::string_view address);

}  // namespace autobuild::http
