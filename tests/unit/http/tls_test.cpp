// HTTPS with a self-signed certificate made by the openssl CLI, and its reload when the files change.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "raw_client.h"
#include "test_support.h"
#include "webhook/http/server.h"
#include "webhook/http/tls_context.h"

namespace autobuild::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A scratch directory with a self-signed pair per common name: <cn>.crt and <cn>.key.
class Certificates {
 public:
  Certificates() {
    std::string pattern = (fs::temp_directory_path() / "http-tls-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
  }
  ~Certificates() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void make(const std::string& cn) {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
        " -subj /CN=" +
        cn + " -keyout " + key(cn) + " -out " + cert(cn) + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::string cert(const std::string& cn) const { return (dir_ / (cn + ".crt")).string(); }
  std::string key(const std::string& cn) const { return (dir_ / (cn + ".key")).string(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

// Replaces `to` by a copy of `from` the way a rotation does: a new file renamed into place.
void replaceFile(const std::string& from, const std::string& to) {
  const std::string staged = to + ".new";
  fs::copy_file(from, staged, fs::copy_options::overwrite_existing);
  fs::rename(staged, to);
}

void writeFile(const std::string& path, const std::string& content) {
  const std::string staged = path + ".new";
  std::ofstream(staged, std::ios::binary | std::ios::trunc) << content;
  fs::rename(staged, path);
}

struct TlsAnswer {
  std::string peer_common_name;
  std::string response;  // everything read until the server closed
};

// One HTTPS request with Connection: close; the certificate is not verified, only its name reported.
TlsAnswer httpsGet(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);
  ssl::stream<asio::ip::tcp::socket> stream(io, context);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(ssl::stream_base::client);

  TlsAnswer answer;
  if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof(name));
    answer.peer_common_name = name;
    X509_free(peer);
  }
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
  asio::write(stream, asio::buffer(request));
  boost::system::error_code ec;
  char chunk[4096];
  for (;;) {
    const std::size_t got = stream.read_some(asio::buffer(chunk), ec);
    answer.response.append(chunk, got);
    if (ec) break;
  }
  return answer;
}

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certificates_.make("first");
    certificates_.make("second");
    certificates_.make("third");
    replaceFile(certificates_.cert("first"), certificates_.path("tls.crt"));
    replaceFile(certificates_.key("first"), certificates_.path("tls.key"));

    Router router;
    router.add(testing::healthRoute());
    ServerOptions options = testing::testOptions();
    options.tls_cert_file = certificates_.path("tls.crt");
    options.tls_key_file = certificates_.path("tls.key");
    options.tls_check_interval = 0ms;  // look at the files on every accept
    server_ = std::make_unique<HttpServer>(options, std::move(router));
    server_->start();
  }

  Certificates certificates_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsServerTest, ServesHttpsWithTheConfiguredCertificate) {
  const TlsAnswer answer = httpsGet(server_->port(), "/healthz");
  EXPECT_EQ(answer.peer_common_name, "first");
  EXPECT_EQ(answer.response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer.response;
  EXPECT_NE(answer.response.find("\r\n\r\nok"), std::string::npos) << answer.response;
}

TEST_F(TlsServerTest, AppliesTheLimitsOverTls) {
  const TlsAnswer answer = httpsGet(server_->port(), "/nope");
  EXPECT_EQ(answer.response.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << answer.response;
  EXPECT_NE(answer.response.find(R"("reason":"NotFound")"), std::string::npos) << answer.response;
}

TEST_F(TlsServerTest, ServesTheNewCertificateOnceTheFilesChange) {
  ASSERT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "first");
  replaceFile(certificates_.cert("second"), certificates_.path("tls.crt"));
  replaceFile(certificates_.key("second"), certificates_.path("tls.key"));
  const TlsAnswer answer = httpsGet(server_->port(), "/healthz");
  EXPECT_EQ(answer.peer_common_name, "second");
  EXPECT_EQ(answer.response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer.response;
}

TEST_F(TlsServerTest, KeepsTheCurrentCertificateWhenTheNewFilesAreBad) {
  writeFile(certificates_.path("tls.crt"), "not a certificate");
  EXPECT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "first");

  // A valid certificate with somebody else's key.
  replaceFile(certificates_.cert("second"), certificates_.path("tls.crt"));
  replaceFile(certificates_.key("third"), certificates_.path("tls.key"));
  EXPECT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "first");

  fs::remove(certificates_.path("tls.key"));
  EXPECT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "first");

  // Once the pair is whole again it is served.
  replaceFile(certificates_.key("second"), certificates_.path("tls.key"));
  EXPECT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "second");
}

TEST_F(TlsServerTest, ClosesAPlainHttpClient) {
  testing::RawClient client(server_->port());
  ASSERT_TRUE(client.send(testing::httpRequest("GET", "/healthz")));
  EXPECT_TRUE(client.waitForClose());
  EXPECT_EQ(client.unread().find("200 OK"), std::string::npos);
  // The server is still fine afterwards.
  EXPECT_EQ(httpsGet(server_->port(), "/healthz").peer_common_name, "first");
}

TEST(ReloadingTlsContext, ChecksTheFilesOnlyOncePerInterval) {
  Certificates certificates;
  certificates.make("first");
  certificates.make("second");
  replaceFile(certificates.cert("first"), certificates.path("tls.crt"));
  replaceFile(certificates.key("first"), certificates.path("tls.key"));
  ReloadingTlsContext tls(certificates.path("tls.crt"), certificates.path("tls.key"), 1h);
  const auto original = tls.current();

  replaceFile(certificates.cert("second"), certificates.path("tls.crt"));
  replaceFile(certificates.key("second"), certificates.path("tls.key"));
  EXPECT_EQ(tls.current(), original) << "reloaded before the interval passed";
  EXPECT_TRUE(tls.reloadIfChanged());
  EXPECT_NE(tls.current(), original);
  EXPECT_FALSE(tls.reloadIfChanged()) << "reloaded files that had not changed";
}

TEST(ReloadingTlsContext, RefusesAnUnusableFirstPairNamingTheFile) {
  Certificates certificates;
  certificates.make("first");
  certificates.make("second");
  const auto message = [](const std::string& cert, const std::string& key) -> std::string {
    try {
      ReloadingTlsContext tls(cert, key, 1s);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "accepted";
  };
  const std::string missing = certificates.path("missing.crt");
  EXPECT_NE(message(missing, certificates.key("first")).find(missing), std::string::npos);

  const std::string garbage = certificates.path("garbage.crt");
  std::ofstream(garbage) << "garbage";
  EXPECT_NE(message(garbage, certificates.key("first")).find(garbage), std::string::npos);

  const std::string mismatch = message(certificates.cert("first"), certificates.key("second"));
  EXPECT_NE(mismatch.find(certificates.key("second")), std::string::npos) << mismatch;

  ServerOptions options = testing::testOptions();
  options.tls_cert_file = missing;
  options.tls_key_file = certificates.key("first");
  EXPECT_THROW(HttpServer(options, Router{}), std::runtime_error);
}

}  // namespace
}  // namespace autobuild::http
