// A plain HTTP/1.1 client on one kept-alive connection, as a Git server's delivery worker holds one: the
// trigger latency benchmark times requests with it, so no connection setup is counted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace autobuild::bench {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

class KeepAliveClient {
 public:
  // Connects to 127.0.0.1:`port`; throws std::runtime_error naming the port when it cannot.
  explicit KeepAliveClient(std::uint16_t port);
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  // Sends a POST and reads its answer. Reconnects first when the server closed the connection after the
  // previous answer. Throws std::runtime_error when the exchange fails.
  HttpAnswer post(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body);

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace autobuild::bench
