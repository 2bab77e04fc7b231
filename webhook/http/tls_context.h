// A TLS server context loaded from a certificate chain file and a private key file (PEM), reloaded when
// either file changes so a rotated certificate (cert-manager, a renewed Secret) is served without a
// restart. A pair that fails to load keeps the previous context in service and is logged.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace autobuild::http {

class ReloadingTlsContext {
 public:
  using Clock = std::chrono::steady_clock;

  // Loads the pair now. Throws std::runtime_error naming the file and the reason when a file cannot be
  // read or parsed, or the key does not belong to the certificate.
  ReloadingTlsContext(std::string cert_file, std::string key_file, std::chrono::milliseconds check_interval);

  // The context for a new connection. At most once per check interval it first looks at the files and
  // loads them again if either changed (modification time, size or inode). Thread-safe.
  std::shared_ptr<boost::asio::ssl::context> current();

  // Looks at the files now; true when a new context was loaded and is now current.
  bool reloadIfChanged();

 private:
  struct FileStamp {
    long long cert_mtime_ns = 0;
    long long cert_size = 0;
    unsigned long long cert_inode = 0;
    long long key_mtime_ns = 0;
    long long key_size = 0;
    unsigned long long key_inode = 0;
    bool operator==(const FileStamp&) const = default;
  };

  // nullopt when either file cannot be examined (e.g. mid-rotation).
  std::optional<FileStamp> stamp() const;
  std::shared_ptr<boost::asio::ssl::context> load() const;
  bool reloadIfChangedLocked();

  const std::string cert_file_;
  const std::string key_file_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  // The files as last tried, loaded or not: a broken pair is tried (and logged) once, not on every check.
  std::optional<FileStamp> tried_;
  Clock::time_point next_check_;
};

}  // namespace autobuild::http
