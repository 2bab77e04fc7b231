// The cpprestsdk (Boost.Asio) transport. The only file that sees cpprest.
//
// http_client instances: one is shared by every plain request (send()), so its connection pool is
// reused across requests. Every stream gets an http_client of its own, alive as long as the stream:
// cpprest fixes the inactivity timeout per client, and a stream needs its own (the longest silence
// between lines, minutes for a watch) where plain requests use the configured request timeout; and a
// stream holds its connection for as long as it runs, so keeping it out of the shared pool means a
// cancelled watch tears its connection down instead of handing it back half-read. There are therefore
// at most 1 + (streams open) clients.
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <utility>
#include <vector>

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pplx/threadpool.h>
#include <boost/asio/ssl.hpp>

#include "kube/transport.h"

namespace autobuild::kube {

namespace {

namespace fs = std::filesystem;
using web::http::client::http_client;
using web::http::client::http_client_config;

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Certificate = std::unique_ptr<X509, X509Free>;
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PrivateKey = std::unique_ptr<EVP_PKEY, KeyFree>;

// Never prompts for a passphrase: an encrypted key simply fails to load.
int noPassphrase(char*, int, int, void*) {
  return 0;
}

std::vector<Certificate> readCertificates(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  std::vector<Certificate> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, &noPassphrase, nullptr)) {
    certificates.emplace_back(certificate);
  }
  ERR_clear_error();  // the read that ends the loop leaves an error queued
  return certificates;
}

PrivateKey readPrivateKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  PrivateKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr));
  ERR_clear_error();
  return key;
}

std::string formatDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

// The TLS side of every connection: the trusted CAs, the client certificate, and why the last server
// certificate was rejected (cpprest reports only "Error in SSL handshake").
class TlsSettings {
 public:
  TlsSettings(const ClientConfig& config, std::string host) : host_(std::move(host)) {
    verify_ = !config.insecure_skip_tls_verify;
    if (!config.ca_pem.empty()) {
      trusted_ = readCertificates(config.ca_pem);
      if (trusted_.empty()) throw ConfigError(config.origin + ": CA certificate: no PEM certificate found");
    }
    if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
      throw ConfigError(config.origin + ": a client certificate needs both the certificate and the key");
    }
    if (!config.client_cert_pem.empty()) {
      client_chain_ = readCertificates(config.client_cert_pem);
      if (client_chain_.empty())
        throw ConfigError(config.origin + ": client certificate: no PEM certificate found");
      client_key_ = readPrivateKey(config.client_key_pem);
      if (!client_key_) throw ConfigError(config.origin + ": client key: no PEM private key found");
      if (X509_check_private_key(client_chain_.front().get(), client_key_.get()) != 1) {
        ERR_clear_error();
        throw ConfigError(config.origin + ": the client key does not belong to the client certificate");
      }
    }
    // OpenSSL refuses some material only when it is put to use (a key too weak for its security level):
    // find out now rather than at the first connection.
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> trial(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    if (std::string error = configure(trial.get()); !error.empty())
      throw ConfigError(config.origin + ": " + error);
  }

  // Called by cpprest for every new connection, on a context that already trusts the system store.
  void apply(boost::asio::ssl::context& context) {
    if (std::string error = configure(context.native_handle()); !error.empty()) {
      throw TransportError(TransportError::Kind::Tls, error);
    }
  }

  // Why the server's certificate was last rejected, once; empty if it was not.
  std::string takeVerifyFailure() {
    std::lock_guard lock(mutex_);
    return std::exchange(verify_failure_, {});
  }

 private:
  // Installs the trusted CAs, the client certificate and the verification hook; the error, or "".
  std::string configure(SSL_CTX* context) {
    // An idle connection (a watch between events, a pooled one) then holds no read and write buffers,
    // about 34 KB each; a process keeps dozens of them.
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
    if (!trusted_.empty()) {
      // Trust only the configured CA: a public CA must not vouch for the cluster's API server.
      X509_STORE* store = X509_STORE_new();
      for (const auto& certificate : trusted_) X509_STORE_add_cert(store, certificate.get());
      SSL_CTX_set_cert_store(context, store);
    }
    if (!client_chain_.empty()) {
      bool ok = SSL_CTX_use_certificate(context, client_chain_.front().get()) == 1 &&
                SSL_CTX_use_PrivateKey(context, client_key_.get()) == 1;
      for (std::size_t i = 1; ok && i < client_chain_.size(); ++i) {
        ok = SSL_CTX_add1_chain_cert(context, client_chain_[i].get()) == 1;
      }
      if (!ok) {
        const char* reason = ERR_reason_error_string(ERR_get_error());
        ERR_clear_error();
        return std::string("cannot use the client certificate: ") +
               (reason ? reason : "unknown OpenSSL error");
      }
    }
    if (verify_) SSL_CTX_set_cert_verify_callback(context, &TlsSettings::verifyChain, this);
    return "";
  }

  // Runs OpenSSL's chain verification (which calls cpprest's host name check per certificate) and keeps
  // the reason when it fails.
  static int verifyChain(X509_STORE_CTX* store, void* self) {
    const int ok = X509_verify_cert(store);
    if (ok <= 0) {
      auto& settings = *static_cast<TlsSettings*>(self);
      const int error = X509_STORE_CTX_get_error(store);
      // No error of OpenSSL's own (it reports a refusal by the callback as "unspecified"): the chain
      // was good and cpprest's host name check refused it.
      std::string reason = error == X509_V_OK || error == X509_V_ERR_UNSPECIFIED
                               ? "the certificate is not valid for " + settings.host_
                               : X509_verify_cert_error_string(error);
      std::lock_guard lock(settings.mutex_);
      settings.verify_failure_ = std::move(reason);
    }
    return ok;
  }

  std::string host_;
  bool verify_ = true;
  std::vector<Certificate> trusted_;
  std::vector<Certificate> client_chain_;
  PrivateKey client_key_;
  std::mutex mutex_;
  std::string verify_failure_;
};

// The bearer token: static, or read from a file again whenever the file's mtime changes so a rotated
// service account token is picked up.
class BearerToken {
 public:
  BearerToken(std::string token, std::string file) : token_(std::move(token)), file_(std::move(file)) {}

  std::string current() {
    if (file_.empty()) return token_;
    std::error_code ec;
    const auto mtime = fs::last_write_time(file_, ec);
    std::lock_guard lock(mutex_);
    if (loaded_ && !ec && mtime == mtime_) return cached_;
    std::ifstream in(file_, std::ios::binary);
    std::ostringstream content;
    if (in) content << in.rdbuf();
    if (!in || ec) {
      // While a rotation swaps the file, keep using the token read last.
      if (loaded_) return cached_;
      throw TransportError(TransportError::Kind::Other,
                           "cannot read the bearer token file " + file_ + ": " +
                               (ec ? ec.message() : std::string(std::strerror(errno))));
    }
    std::string token = content.str();
    const auto first = token.find_first_not_of(" \t\r\n");
    const auto last = token.find_last_not_of(" \t\r\n");
    cached_ = first == std::string::npos ? "" : token.substr(first, last - first + 1);
    mtime_ = mtime;
    loaded_ = true;
    return cached_;
  }

 private:
  std::string token_;
  std::string file_;
  std::mutex mutex_;
  fs::file_time_type mtime_;
  std::string cached_;
  bool loaded_ = false;
};

// A request's own cancellation, also triggered by the transport's shutdown. (pplx's
// create_linked_source never unregisters from the parent token, which would grow the shutdown token by
// one callback per request.)
class RequestCancellation {
 public:
  explicit RequestCancellation(pplx::cancellation_token parent) : parent_(std::move(parent)) {
    registration_ = parent_.register_callback([source = source_]() { source.cancel(); });
  }
  ~RequestCancellation() { parent_.deregister_callback(registration_); }
  RequestCancellation(const RequestCancellation&) = delete;
  RequestCancellation& operator=(const RequestCancellation&) = delete;

  pplx::cancellation_token token() const { return source_.get_token(); }
  void cancel() { source_.cancel(); }
  bool cancelled() const { return source_.get_token().is_canceled(); }

 private:
  pplx::cancellation_token parent_;
  pplx::cancellation_token_source source_;
  pplx::cancellation_token_registration registration_;
};

// What is known about a failed request, to turn cpprest's exception into a TransportError that names
// the server and the cause.
struct Failure {
  const std::string& server;
  const HttpRequest& request;
  std::chrono::milliseconds inactivity;  // cpprest's timer
  bool deadline_passed = false;          // the whole-request deadline of send()
  bool cancelled = false;
  TlsSettings* tls = nullptr;
};

TransportError describe(std::exception_ptr error, const Failure& failure) {
  using Kind = TransportError::Kind;
  const std::string where = " (" + failure.request.method + " " + failure.request.target + ")";
  if (failure.deadline_passed) {
    return {Kind::Timeout, failure.server + ": no complete response within " +
                               formatDuration(failure.request.timeout) + where};
  }
  try {
    std::rethrow_exception(error);
  } catch (const TransportError& e) {
    return {e.kind(), failure.server + ": " + e.what() + where};
  } catch (const pplx::task_canceled&) {
    return {Kind::Cancelled, failure.server + ": request cancelled" + where};
  } catch (const web::http::http_exception& e) {
    if (failure.cancelled || e.error_code() == std::errc::operation_canceled) {
      return {Kind::Cancelled, failure.server + ": request cancelled" + where};
    }
    if (e.error_code() == std::errc::timed_out) {
      return {Kind::Timeout,
              failure.server + ": nothing received for " + formatDuration(failure.inactivity) + where};
    }
    const std::string message = e.what();
    if (message.find("SSL handshake") != std::string::npos) {
      const std::string verify_failure = failure.tls ? failure.tls->takeVerifyFailure() : "";
      return {Kind::Tls,
              failure.server + ": TLS handshake failed" +
                  (verify_failure.empty() ? "" : ": certificate verify failed: " + verify_failure) + where};
    }
    if (message.rfind("Failed to connect", 0) == 0 || message.rfind("Error resolving", 0) == 0 ||
        message.rfind("Failed to resolve", 0) == 0) {
      return {Kind::Connect, failure.server + ": cannot connect: " + message + where};
    }
    return {Kind::Other, failure.server + ": " + message + where};
  } catch (const std::exception& e) {
    return {Kind::Other, failure.server + ": " + e.what() + where};
  }
}

std::map<std::string, std::string> lowerCaseHeaders(const web::http::http_headers& headers) {
  std::map<std::string, std::string> result;
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result[lower] = value;
  }
  return result;
}

bool successful(int status) {
  return status >= 200 && status < 300;
}

// A 2xx response's body read line by line as cpprest receives it.
class CpprestLineStream final : public LineStream {
 public:
  CpprestLineStream(std::shared_ptr<http_client> client, std::unique_ptr<RequestCancellation> cancellation,
                    web::http::http_response response, std::string server, HttpRequest request,
                    std::shared_ptr<TlsSettings> tls)
      : client_(std::move(client)),
        cancellation_(std::move(cancellation)),
        response_(std::move(response)),
        body_(response_.body()),
        server_(std::move(server)),
        request_(std::move(request)),
        tls_(std::move(tls)) {}

  // Ends the request: the connection is closed rather than drained.
  ~CpprestLineStream() override { cancellation_->cancel(); }

  std::optional<std::string> nextLine() override {
    if (cancellation_->cancelled()) throw cancelled();
    // Bytes, like the body: cpprest would reinterpret a char buffer as a byte one.
    concurrency::streams::container_buffer<std::vector<std::uint8_t>> line;
    std::size_t length = 0;
    try {
      length = body_.read_line(line).get();
    } catch (...) {
      throw describe(std::current_exception(), Failure{server_, request_, request_.timeout, false,
                                                       cancellation_->cancelled(), tls_.get()});
    }
    if (cancellation_->cancelled()) throw cancelled();
    if (length == 0 && body_.is_eof()) return std::nullopt;
    const auto& bytes = line.collection();
    return std::string(bytes.begin(), bytes.end());
  }

  void cancel() override { cancellation_->cancel(); }

 private:
  TransportError cancelled() const {
    return {TransportError::Kind::Cancelled,
            server_ + ": stream cancelled (" + request_.method + " " + request_.target + ")"};
  }

  std::shared_ptr<http_client> client_;
  std::unique_ptr<RequestCancellation> cancellation_;
  web::http::http_response response_;
  concurrency::streams::istream body_;
  std::string server_;
  HttpRequest request_;
  std::shared_ptr<TlsSettings> tls_;
};

// cpprest runs every client's IO and its task continuations on one process-wide pool, 40 threads
// unless sized before its first use. A handful of API server connections needs a few: each thread
// costs a stack and a malloc cache, about a megabyte of resident memory for the 36 not needed.
constexpr std::size_t kIoThreads = 4;

void sizeIoPool() {
  static std::once_flag sized;
  std::call_once(sized, [] {
    // OpenSSL first. It frees a thread's state (its error queue) when the thread ends, but only until
    // its own exit cleanup has run; exit handlers run in reverse order, so the pool, sized after it,
    // stops its threads before that cleanup and nothing of theirs is left behind.
    OPENSSL_init_ssl(0, nullptr);
    try {
      crossplat::threadpool::initialize_with_threads(kIoThreads);
    } catch (const std::runtime_error&) {
      // Something in this process used cpprest first: its pool stays as it is.
    }
  });
}

class CpprestTransport final : public Transport {
 public:
  explicit CpprestTransport(const ClientConfig& config)
      : server_(config.server),
        insecure_(config.insecure_skip_tls_verify),
        token_(config.token, config.token_file),
        request_timeout_(config.request_timeout) {
    if (!web::uri::validate(server_) ||
        (web::uri(server_).scheme() != "https" && web::uri(server_).scheme() != "http") ||
        web::uri(server_).host().empty()) {
      throw ConfigError(config.origin + ": server \"" + server_ + "\" is not an http(s) URL");
    }
    tls_ = std::make_shared<TlsSettings>(config, web::uri(server_).host());
    shared_ = makeClient(request_timeout_);
  }

  HttpResponse send(const HttpRequest& request) override {
    // A pooled connection that the server closed meanwhile (it restarted) fails at the first write of
    // the request, before anything reached the server: retrying on a fresh connection is safe for any
    // verb. Each failed connection leaves the pool, so a few attempts get past every stale one.
    constexpr int kAttempts = 3;
    for (int attempt = 1;; ++attempt) {
      try {
        return sendOnce(request);
      } catch (const TransportError& e) {
        if (attempt == kAttempts ||
            std::string_view(e.what()).find("Failed to write request body") == std::string_view::npos) {
          throw;
        }
      }
    }
  }

 private:
  HttpResponse sendOnce(const HttpRequest& request) {
    RequestCancellation cancellation(shutdown_.get_token());
    Failure failure{server_, request, request_timeout_, false, false, tls_.get()};
    refuseAfterShutdown(request);
    auto outcome = std::make_shared<std::promise<HttpResponse>>();
    auto done = outcome->get_future();
    // The body goes straight into a buffer of ours and is copied once, into the string handed back: a
    // list page is megabytes, and every copy of it alive at once counts towards the process's peak.
    auto body = std::make_shared<concurrency::streams::container_buffer<std::vector<std::uint8_t>>>();
    try {
      web::http::http_request message = buildMessage(request);
      message.set_response_stream(body->create_ostream());
      shared_->request(message, cancellation.token())
          .then([](web::http::http_response response) { return response.content_ready(); })
          .then([outcome, body](pplx::task<web::http::http_response> finished) {
            try {
              const web::http::http_response response = finished.get();
              std::vector<std::uint8_t> bytes = std::move(body->collection());
              outcome->set_value(HttpResponse{response.status_code(), lowerCaseHeaders(response.headers()),
                                              std::string(bytes.begin(), bytes.end())});
            } catch (...) {
              outcome->set_exception(std::current_exception());
            }
          });
    } catch (...) {
      throw describe(std::current_exception(), failure);
    }
    // cpprest's own timer only measures silence; the request's timeout bounds the whole exchange.
    if (done.wait_for(request.timeout) == std::future_status::timeout) {
      failure.deadline_passed = true;
      cancellation.cancel();
    }
    try {
      return done.get();
    } catch (...) {
      failure.cancelled = cancellation.cancelled() && !failure.deadline_passed;
      throw describe(std::current_exception(), failure);
    }
  }

 public:
  StreamResponse stream(const HttpRequest& request) override {
    auto cancellation = std::make_unique<RequestCancellation>(shutdown_.get_token());
    Failure failure{server_, request, request.timeout, false, false, tls_.get()};
    refuseAfterShutdown(request);
    auto client = makeClient(request.timeout);
    web::http::http_response response;
    try {
      // Completes when the headers are in; the body keeps arriving into the response's stream.
      response = client->request(buildMessage(request), cancellation->token()).get();
    } catch (...) {
      failure.cancelled = cancellation->cancelled();
      throw describe(std::current_exception(), failure);
    }
    StreamResponse result;
    result.status = response.status_code();
    result.headers = lowerCaseHeaders(response.headers());
    if (!successful(result.status)) {
      try {
        const auto body = response.extract_vector().get();
        result.error_body.assign(body.begin(), body.end());
      } catch (...) {
        failure.cancelled = cancellation->cancelled();
        throw describe(std::current_exception(), failure);
      }
      return result;
    }
    result.lines = std::make_unique<CpprestLineStream>(std::move(client), std::move(cancellation),
                                                       std::move(response), server_, request, tls_);
    return result;
  }

  void shutdown() override {
    shut_down_ = true;
    shutdown_.cancel();
  }

  const std::string& server() const override { return server_; }

 private:
  std::shared_ptr<http_client> makeClient(std::chrono::milliseconds inactivity) const {
    http_client_config config;
    config.set_timeout(inactivity);
    config.set_validate_certificates(!insecure_);
    config.set_ssl_context_callback(
        [tls = tls_](boost::asio::ssl::context& context) { tls->apply(context); });
    return std::make_shared<http_client>(web::uri(server_), config);
  }

  void refuseAfterShutdown(const HttpRequest& request) const {
    if (shut_down_) {
      throw TransportError(TransportError::Kind::Cancelled,
                           server_ + ": transport shut down (" + request.method + " " + request.target + ")");
    }
  }

  web::http::http_request buildMessage(const HttpRequest& request) {
    web::http::http_request message(request.method);
    message.set_request_uri(web::uri(request.target));
    message.headers().add("Accept", "application/json");
    message.headers().add("User-Agent", "autobuild/" AUTOBUILD_VERSION);
    if (const std::string token = token_.current(); !token.empty()) {
      message.headers().add("Authorization", "Bearer " + token);
    }
    if (!request.content_type.empty()) {
      // As bytes: cpprest's string overloads reinterpret a char buffer as a byte one.
      message.set_body(std::vector<unsigned char>(request.body.begin(), request.body.end()));
      message.headers().set_content_type(request.content_type);
    }
    return message;
  }

  std::string server_;
  bool insecure_;
  BearerToken token_;
  std::chrono::milliseconds request_timeout_;
  std::shared_ptr<TlsSettings> tls_;
  std::shared_ptr<http_client> shared_;
  std::atomic<bool> shut_down_{false};
  pplx::cancellation_token_source shutdown_;
};

}  // namespace

std::shared_ptr<Transport> makeCpprestTransport(const ClientConfig& config) {
  sizeIoPool();
  return std::make_shared<CpprestTransport>(config);
}

}  // namespace autobuild::kube
