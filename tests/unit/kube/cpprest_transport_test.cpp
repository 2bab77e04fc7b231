// The cpprest transport against real local servers: `openssl s_server` for TLS, a small Python HTTP/1.1
// server (http_test_server.py) for requests and streamed bodies.
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "kube/transport.h"
#include "temp_dir.h"
#include "test_pki.h"

namespace autobuild::kube {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using ::testing::HasSubstr;
using testing::readFile;
using ::testing::StartsWith;
using testing::TempDir;
using testing::TestPki;

HttpRequest get(const std::string& target, std::chrono::milliseconds timeout = 20s) {
  return HttpRequest{"GET", target, "", "", timeout};
}

template <typename Call>
TransportError transportErrorOf(Call call) {
  try {
    call();
  } catch (const TransportError& e) {
    return e;
  }
  ADD_FAILURE() << "no TransportError";
  return TransportError(TransportError::Kind::Other, "none");
}

// `openssl s_server -www` on a free port of 127.0.0.1: answers every GET with a status page.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key, std::vector<std::string> extra = {})
      : process_([&] {
          std::vector<std::string> argv = {"openssl", "s_server", "-accept", "127.0.0.1:0", "-cert",
                                           cert,      "-key",     key,       "-www"};
          argv.insert(argv.end(), extra.begin(), extra.end());
          return argv;
        }()) {
    for (;;) {
      const std::string line = process_.readLine();
      if (line.rfind("ACCEPT ", 0) == 0) {
        url_ = "https://" + line.substr(7);
        return;
      }
    }
  }
  const std::string& url() const { return url_; }

 private:
  ChildProcess process_;
  std::string url_;
};

// Sets (or unsets) an environment variable for the test's duration.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

ClientConfig configFor(const std::string& server, const std::string& ca_file) {
  ClientConfig config;
  config.server = server;
  if (!ca_file.empty()) config.ca_pem = readFile(ca_file);
  config.origin = "test config";
  config.request_timeout = 20s;
  return config;
}

class CpprestTlsTest : public ::testing::Test {
 protected:
  const TestPki& pki = TestPki::get();
};

TEST_F(CpprestTlsTest, TrustsTheConfiguredCa) {
  TlsServer server(pki.server_cert, pki.server_key);
  auto transport = makeCpprestTransport(configFor(server.url(), pki.ca_cert));
  EXPECT_EQ(transport->server(), server.url());
  const HttpResponse response = transport->send(get("/"));
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, HasSubstr("s_server"));
}

TEST_F(CpprestTlsTest, AWrongCaIsATlsErrorNamingTheServer) {
  TlsServer server(pki.server_cert, pki.server_key);
  auto transport = makeCpprestTransport(configFor(server.url(), pki.other_ca_cert));
  const TransportError error = transportErrorOf([&] { transport->send(get("/version")); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Tls);
  EXPECT_THAT(error.what(), StartsWith(server.url() + ": TLS handshake failed: certificate verify failed: "
                                                      "unable to get local issuer certificate"));
  EXPECT_THAT(error.what(), HasSubstr("(GET /version)"));
}

TEST_F(CpprestTlsTest, ACertificateForAnotherHostIsRejected) {
  TlsServer server(pki.localhost_cert, pki.localhost_key);
  auto transport = makeCpprestTransport(configFor(server.url(), pki.ca_cert));
  const TransportError error = transportErrorOf([&] { transport->send(get("/")); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Tls);
  EXPECT_THAT(error.what(), StartsWith(server.url() + ": TLS handshake failed: certificate verify failed: "
                                                      "the certificate is not valid for 127.0.0.1"));
}

TEST_F(CpprestTlsTest, TrustsOnlyTheConfiguredCaNotTheSystemStore) {
  // OpenSSL's default store now trusts the cluster CA; the configured (other) CA must replace it.
  ScopedEnv system_store("SSL_CERT_FILE", pki.ca_cert.c_str());
  TlsServer server(pki.server_cert, pki.server_key);
  auto pinned = makeCpprestTransport(configFor(server.url(), pki.other_ca_cert));
  EXPECT_EQ(transportErrorOf([&] { pinned->send(get("/")); }).kind(), TransportError::Kind::Tls);
  auto system = makeCpprestTransport(configFor(server.url(), ""));
  EXPECT_EQ(system->send(get("/")).status, 200);
}

TEST_F(CpprestTlsTest, InsecureSkipTlsVerifyAcceptsAnyCertificate) {
  TlsServer server(pki.localhost_cert, pki.localhost_key);
  ClientConfig config = configFor(server.url(), pki.other_ca_cert);
  config.insecure_skip_tls_verify = true;
  EXPECT_EQ(makeCpprestTransport(config)->send(get("/")).status, 200);
}

TEST_F(CpprestTlsTest, PresentsTheClientCertificate) {
  TlsServer server(pki.server_cert, pki.server_key, {"-Verify", "1", "-CAfile", pki.ca_cert});
  ClientConfig config = configFor(server.url(), pki.ca_cert);
  config.client_cert_pem = readFile(pki.client_cert);
  config.client_key_pem = readFile(pki.client_key);
  EXPECT_EQ(makeCpprestTransport(config)->send(get("/")).status, 200);

  const TransportError error =
      transportErrorOf([&] { makeCpprestTransport(configFor(server.url(), pki.ca_cert))->send(get("/")); });
  EXPECT_THAT(error.what(), StartsWith(server.url() + ": "));
}

TEST_F(CpprestTlsTest, BadTlsMaterialIsAConfigError) {
  ClientConfig config = configFor("https://127.0.0.1:6443", "");
  config.ca_pem = "not a certificate";
  try {
    makeCpprestTransport(config);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "test config: CA certificate: no PEM certificate found");
  }

  config = configFor("https://127.0.0.1:6443", pki.ca_cert);
  config.client_cert_pem = readFile(pki.client_cert);
  config.client_key_pem = readFile(pki.server_key);
  try {
    makeCpprestTransport(config);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "test config: the client key does not belong to the client certificate");
  }

  config = configFor("https://127.0.0.1:6443", pki.ca_cert);
  config.client_cert_pem = readFile(pki.weak_client_cert);
  config.client_key_pem = readFile(pki.weak_client_key);
  try {
    makeCpprestTransport(config);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "test config: cannot use the client certificate: ee key too small");
  }

  config = configFor("127.0.0.1:6443", "");
  try {
    makeCpprestTransport(config);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "test config: server \"127.0.0.1:6443\" is not an http(s) URL");
  }
}

int unusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(CpprestConnectTest, ARefusedConnectionNamesTheServer) {
  const std::string server = "https://127.0.0.1:" + std::to_string(unusedPort());
  auto transport = makeCpprestTransport(configFor(server, ""));
  const TransportError error = transportErrorOf([&] { transport->send(get("/healthz")); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Connect);
  EXPECT_STREQ(
      error.what(),
      (server + ": cannot connect: Failed to connect to any resolved endpoint (GET /healthz)").c_str());
}

// http_test_server.py on a free port of 127.0.0.1.
class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    const std::string line = server_.readLine();
    if (line.rfind("PORT ", 0) != 0) throw std::runtime_error("unexpected server output: " + line);
    url = "http://127.0.0.1:" + line.substr(5);
  }

  // Lets a handler waiting for the test go on by one step.
  void proceed() { server_.writeLine("go"); }

  std::shared_ptr<Transport> transport(ClientConfig config = {}) {
    config.server = url;
    config.origin = "test config";
    if (config.request_timeout == ClientConfig{}.request_timeout) config.request_timeout = 20s;
    return makeCpprestTransport(config);
  }

  std::string url;

 private:
  ChildProcess server_{{"python3", KUBE_TEST_HTTP_SERVER}};
};

TEST_F(HttpServerTest, SendsMethodTargetHeadersAndBody) {
  ClientConfig config;
  config.token = "static-token";
  const HttpRequest request{"PATCH", "/echo?labelSelector=app%3Dweb%2Ctier%21%3Ddb&fieldManager=autobuild",
                            "application/merge-patch+json", R"({"spec":{"paused":false}})", 20s};
  const HttpResponse response = transport(config)->send(request);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json");  // names in lower case
  const auto echo = nlohmann::json::parse(response.body);
  EXPECT_EQ(echo["method"], "PATCH");
  EXPECT_EQ(echo["target"], "/echo?labelSelector=app%3Dweb%2Ctier%21%3Ddb&fieldManager=autobuild");
  EXPECT_EQ(echo["headers"]["content-type"], "application/merge-patch+json");
  EXPECT_EQ(echo["headers"]["authorization"], "Bearer static-token");
  EXPECT_EQ(echo["headers"]["accept"], "application/json");
  EXPECT_THAT(echo["headers"]["user-agent"].get<std::string>(), StartsWith("autobuild/"));
  EXPECT_EQ(echo["body"], R"({"spec":{"paused":false}})");
}

TEST_F(HttpServerTest, AnErrorStatusIsAResponseNotAnException) {
  const HttpResponse response = transport()->send(get("/status/403"));
  EXPECT_EQ(response.status, 403);
  EXPECT_THAT(response.body, HasSubstr("not allowed"));
}

TEST_F(HttpServerTest, TheTokenFileIsReadAgainWhenItChanges) {
  TempDir dir;
  const std::string token_file = dir.write("token", "first-token\n");
  ClientConfig config;
  config.token = "ignored-static-token";
  config.token_file = token_file;
  auto client = transport(config);
  auto authorization = [&] {
    return nlohmann::json::parse(client->send(get("/echo")).body)["headers"]["authorization"]
        .get<std::string>();
  };
  EXPECT_EQ(authorization(), "Bearer first-token");
  EXPECT_EQ(authorization(), "Bearer first-token");

  const auto before = std::filesystem::last_write_time(token_file);
  dir.write("token", "rotated-token\n");
  std::filesystem::last_write_time(token_file, before + 2s);  // a rotation always moves the mtime
  EXPECT_EQ(authorization(), "Bearer rotated-token");
}

TEST_F(HttpServerTest, AnUnreadableTokenFileNamesTheFile) {
  ClientConfig config;
  config.token_file = "/nonexistent/token";
  const TransportError error = transportErrorOf([&] { transport(config)->send(get("/echo")); });
  EXPECT_THAT(error.what(), StartsWith(url + ": cannot read the bearer token file /nonexistent/token: "));
}

TEST_F(HttpServerTest, StreamDeliversEachLineBeforeTheBodyEnds) {
  StreamResponse response = transport()->stream(get("/lines?count=3"));
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(response.lines);
  // The server sends each next line only after the test read the previous one: a transport that waited
  // for the whole body would never see the first.
  EXPECT_EQ(response.lines->nextLine(), "event-1");
  proceed();
  EXPECT_EQ(response.lines->nextLine(), "event-2");
  proceed();
  EXPECT_EQ(response.lines->nextLine(), "event-3");
  EXPECT_EQ(response.lines->nextLine(), std::nullopt);
}

TEST_F(HttpServerTest, StreamWithAnErrorStatusCarriesTheBody) {
  StreamResponse response = transport()->stream(get("/status/403"));
  EXPECT_EQ(response.status, 403);
  EXPECT_FALSE(response.lines);
  EXPECT_THAT(response.error_body, HasSubstr("not allowed"));
}

TEST_F(HttpServerTest, CancelUnblocksAWaitingReader) {
  StreamResponse response = transport()->stream(get("/stall"));
  ASSERT_TRUE(response.lines);
  auto reader = std::async(std::launch::async, [&] { return response.lines->nextLine(); });
  std::this_thread::sleep_for(50ms);  // usually inside nextLine() by now; either way it must end cancelled
  response.lines->cancel();
  const TransportError error = transportErrorOf([&] { reader.get(); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Cancelled);
  EXPECT_THAT(error.what(), StartsWith(url + ": "));
}

TEST_F(HttpServerTest, ShutdownUnblocksReadersAndRefusesNewRequests) {
  auto client = transport();
  StreamResponse response = client->stream(get("/stall"));
  ASSERT_TRUE(response.lines);
  auto reader = std::async(std::launch::async, [&] { return response.lines->nextLine(); });
  std::this_thread::sleep_for(50ms);
  client->shutdown();
  EXPECT_EQ(transportErrorOf([&] { reader.get(); }).kind(), TransportError::Kind::Cancelled);

  const TransportError refused = transportErrorOf([&] { client->send(get("/echo")); });
  EXPECT_EQ(refused.kind(), TransportError::Kind::Cancelled);
  EXPECT_STREQ(refused.what(), (url + ": transport shut down (GET /echo)").c_str());
  EXPECT_EQ(transportErrorOf([&] { client->stream(get("/lines")); }).kind(), TransportError::Kind::Cancelled);
}

TEST_F(HttpServerTest, AStreamSilentForItsTimeoutTimesOut) {
  StreamResponse response = transport()->stream(get("/stall", 1s));
  ASSERT_TRUE(response.lines);
  const TransportError error = transportErrorOf([&] { response.lines->nextLine(); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Timeout);
  EXPECT_STREQ(error.what(), (url + ": nothing received for 1s (GET /stall)").c_str());
}

TEST_F(HttpServerTest, SendGivesUpAtTheRequestTimeout) {
  const TransportError error = transportErrorOf([&] { transport()->send(get("/stall", 1s)); });
  EXPECT_EQ(error.kind(), TransportError::Kind::Timeout);
  EXPECT_STREQ(error.what(), (url + ": no complete response within 1s (GET /stall)").c_str());
}

}  // namespace
}  // namespace autobuild::kube
