#include "webhook/http/tls_context.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace autobuild::http {
namespace ssl = boost::asio::ssl;
namespace {

std::string readFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("TLS " + std::string(what) + " " + path +
                             ": cannot open: " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw std::runtime_error("TLS " + std::string(what) + " " + path + ": read failed");
  return content.str();
}

}  // namespace

ReloadingTlsContext::ReloadingTlsContext(std::string cert_file, std::string key_file,
                                         std::chrono::milliseconds check_interval)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), check_interval_(check_interval) {
  tried_ = stamp();
  context_ = load();
  next_check_ = Clock::now() + check_interval_;
}

std::shared_ptr<ssl::context> ReloadingTlsContext::current() {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (now >= next_check_) {
    next_check_ = now + check_interval_;
    reloadIfChangedLocked();
  }
  return context_;
}

bool ReloadingTlsContext::reloadIfChanged() {
  std::lock_guard lock(mutex_);
  return reloadIfChangedLocked();
}

bool ReloadingTlsContext::reloadIfChangedLocked() {
  const auto now_stamp = stamp();
  if (!now_stamp || now_stamp == tried_) return false;
  tried_ = now_stamp;
  try {
    context_ = load();
  } catch (const std::exception& e) {
    spdlog::error(
        "TLS: the certificate or key changed but cannot be used; still serving the previous one: {}",
        e.what());
    return false;
  }
  spdlog::info("TLS: loaded the changed certificate {} and key {}", cert_file_, key_file_);
  return true;
}

std::optional<ReloadingTlsContext::FileStamp> ReloadingTlsContext::stamp() const {
  struct stat cert {};
  struct stat key {};
  if (::stat(cert_file_.c_str(), &cert) != 0 || ::stat(key_file_.c_str(), &key) != 0) return std::nullopt;
  const auto nanoseconds = [](const struct timespec& t) {
    return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
  };
  FileStamp result;
  result.cert_mtime_ns = nanoseconds(cert.st_mtim);
  result.cert_size = cert.st_size;
  result.cert_inode = cert.st_ino;
  result.key_mtime_ns = nanoseconds(key.st_mtim);
  result.key_size = key.st_size;
  result.key_inode = key.st_ino;
  return result;
}

std::shared_ptr<ssl::context> ReloadingTlsContext::load() const {
  const std::string cert_pem = readFile(cert_file_, "certificate");
  const std::string key_pem = readFile(key_file_, "key");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(cert_pem), ec);
  if (ec) throw std::runtime_error("TLS certificate " + cert_file_ + ": " + ec.message());
  context->use_private_key(boost::asio::buffer(key_pem), ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS key " + key_file_ + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    throw std::runtime_error("TLS key " + key_file_ + " does not belong to certificate " + cert_file_);
  }
  return context;
}

}  // namespace autobuild::http
