#include "bench/webhook/keepalive_client.h"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace autobuild::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct KeepAliveClient::Connection {
  explicit Connection(std::uint16_t server_port) : port(server_port), socket(io) {}

  void open() {
    boost::system::error_code ec;
    socket.close(ec);
    socket = tcp::socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
    socket.set_option(tcp::no_delay(true));
    buffer.clear();
    open_ = true;
  }

  std::uint16_t port;
  asio::io_context io;
  tcp::socket socket;
  beast::flat_buffer buffer;
  bool open_ = false;
};

KeepAliveClient::KeepAliveClient(std::uint16_t port) : connection_(std::make_unique<Connection>(port)) {
  connection_->open();
}

KeepAliveClient::~KeepAliveClient() = default;

HttpAnswer KeepAliveClient::post(const std::string& target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) {
  Connection& c = *connection_;
  if (!c.open_) c.open();
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target, 11};
  request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(c.port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  boost::system::error_code ec;
  bhttp::write(c.socket, request, ec);
  if (ec) throw std::runtime_error("POST " + target + ": write: " + ec.message());
  bhttp::response<bhttp::string_body> response;
  bhttp::read(c.socket, c.buffer, response, ec);
  if (ec) throw std::runtime_error("POST " + target + ": read: " + ec.message());
  c.open_ = response.keep_alive();
  return {static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace autobuild::bench
