// Serving one accepted connection: a loop of read a request under the limits, route it, answer it, until
// the client closes, a limit or timeout is hit, or the server stops.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "webhook/http/server_context.h"

namespace autobuild::http {

// The socket's executor must be a strand: every step of the connection runs on it. Both return at once.
void servePlainConnection(std::shared_ptr<ServerContext> server, boost::asio::ip::tcp::socket socket);
// `tls` is held for as long as the connection lives, so a reload does not pull it from under it.
void serveTlsConnection(std::shared_ptr<ServerContext> server, boost::asio::ip::tcp::socket socket,
                        std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace autobuild::http
