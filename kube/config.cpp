#include "kube/config.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include "kube/base64.h"

namespace autobuild::kube {

namespace fs = std::filesystem;

namespace {

// The whole file, or nullopt with `error` saying why it could not be read.
std::optional<std::string> readFile(const fs::path& path, std::string& error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::string content;
  char buffer[8192];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) content.append(buffer, n);
  if (std::ferror(file.get())) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  return content;
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Go writes *-data fields on one line, but a hand-edited kubeconfig may fold them: whitespace goes first.
std::optional<std::string> decodeBase64(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
  }
  return base64Decode(compact);
}

// Never prompts for a passphrase: an encrypted key simply fails to load.
int noPassphrase(char*, int, int, void*) {
  return 0;
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio memoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

bool holdsPemCertificate(const std::string& pem) {
  auto bio = memoryBio(pem);
  X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, &noPassphrase, nullptr);
  ERR_clear_error();
  X509_free(certificate);
  return certificate != nullptr;
}

bool holdsPemPrivateKey(const std::string& pem) {
  auto bio = memoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr);
  ERR_clear_error();
  EVP_PKEY_free(key);
  return key != nullptr;
}

enum class PemKind { Certificate, PrivateKey };

bool holdsPem(const std::string& pem, PemKind kind) {
  return kind == PemKind::Certificate ? holdsPemCertificate(pem) : holdsPemPrivateKey(pem);
}

const char* pemDescription(PemKind kind) {
  return kind == PemKind::Certificate ? "no PEM certificate" : "no PEM private key";
}

// One kubeconfig file being read: every error names the file and the field.
class Kubeconfig {
 public:
  explicit Kubeconfig(std::string path) : path_(std::move(path)), dir_(fs::path(path_).parent_path()) {
    std::string error;
    const auto text = readFile(path_, error);
    if (!text) throw fail("cannot read: " + error);
    try {
      root_ = YAML::Load(*text);
    } catch (const YAML::Exception& e) {
      throw fail(std::string("invalid YAML: ") + e.what());
    }
    if (!root_.IsMap()) throw fail("not a kubeconfig (the document is not a mapping)");
  }

  ClientConfig load(const std::string& requested_context) const {
    const std::string context_name =
        requested_context.empty() ? scalar(root_, "current-context", "current-context") : requested_context;
    if (context_name.empty()) throw fail("no current-context set and no context requested");
    const auto context = entry("contexts", "context", context_name);
    if (!context) throw fail("context \"" + context_name + "\" not found");
    const std::string context_field = "contexts[" + context_name + "]";

    const std::string cluster_name = scalar(*context, "cluster", context_field + ".cluster");
    if (cluster_name.empty()) throw fail(context_field + ".cluster: missing");
    const auto cluster = entry("clusters", "cluster", cluster_name);
    if (!cluster)
      throw fail("cluster \"" + cluster_name + "\" (of context \"" + context_name + "\") not found");
    const std::string cluster_field = "clusters[" + cluster_name + "]";

    ClientConfig config;
    config.origin = "kubeconfig " + path_ + " (context " + context_name + ")";
    config.default_namespace = scalar(*context, "namespace", context_field + ".namespace");
    if (config.default_namespace.empty()) config.default_namespace = "default";

    config.server = scalar(*cluster, "server", cluster_field + ".server");
    if (config.server.empty()) throw fail(cluster_field + ".server: missing");
    if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
      throw fail(cluster_field + ".server: \"" + config.server + "\" is not an http(s) URL");
    }
    while (config.server.back() == '/') config.server.pop_back();
    config.insecure_skip_tls_verify =
        boolean(*cluster, "insecure-skip-tls-verify", cluster_field + ".insecure-skip-tls-verify");
    config.ca_pem = material(*cluster, cluster_field, "certificate-authority", PemKind::Certificate);

    const std::string user_name = scalar(*context, "user", context_field + ".user");
    if (user_name.empty()) return config;  // anonymous
    const auto user = entry("users", "user", user_name);
    if (!user) throw fail("user \"" + user_name + "\" (of context \"" + context_name + "\") not found");
    const std::string user_field = "users[" + user_name + "]";
    for (const char* unsupported : {"exec", "auth-provider"}) {
      if ((*user)[unsupported]) {
        throw fail(user_field + "." + unsupported +
                   ": credential plugins are not supported; use a token, tokenFile or client certificate");
      }
    }
    config.client_cert_pem = material(*user, user_field, "client-certificate", PemKind::Certificate);
    config.client_key_pem = material(*user, user_field, "client-key", PemKind::PrivateKey);
    if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
      throw fail(user_field + ": " +
                 (config.client_cert_pem.empty() ? "client-key without client-certificate"
                                                 : "client-certificate without client-key"));
    }
    config.token = scalar(*user, "token", user_field + ".token");
    const std::string token_file = scalar(*user, "tokenFile", user_field + ".tokenFile");
    if (!token_file.empty()) {
      config.token_file = resolve(token_file).string();
      std::string error;
      if (!readFile(config.token_file, error)) {
        throw fail(user_field + ".tokenFile: cannot read " + config.token_file + ": " + error);
      }
    }
    return config;
  }

 private:
  ConfigError fail(const std::string& what) const { return ConfigError("kubeconfig " + path_ + ": " + what); }

  fs::path resolve(const std::string& file) const {
    const fs::path path(file);
    return path.is_relative() ? (dir_ / path).lexically_normal() : path;
  }

  // A string field; "" when absent or null.
  std::string scalar(const YAML::Node& node, const char* key, const std::string& field) const {
    const YAML::Node value = node[key];
    if (!value || value.IsNull()) return "";
    if (!value.IsScalar()) throw fail(field + ": expected a string");
    return value.Scalar();
  }

  bool boolean(const YAML::Node& node, const char* key, const std::string& field) const {
    const YAML::Node value = node[key];
    if (!value || value.IsNull()) return false;
    bool result = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
      throw fail(field + ": expected true or false");
    }
    return result;
  }

  // The `inner` mapping of the entry called `name` in the list `list` (clusters, contexts, users).
  std::optional<YAML::Node> entry(const char* list, const char* inner, const std::string& name) const {
    const YAML::Node items = root_[list];
    if (!items || items.IsNull()) return std::nullopt;
    if (!items.IsSequence()) throw fail(std::string(list) + ": expected a list");
    for (std::size_t i = 0; i < items.size(); ++i) {
      const YAML::Node item = items[i];
      if (!item.IsMap()) throw fail(std::string(list) + "[" + std::to_string(i) + "]: expected a mapping");
      if (scalar(item, "name", std::string(list) + "[" + std::to_string(i) + "].name") != name) continue;
      const YAML::Node value = item[inner];
      const std::string field = std::string(list) + "[" + name + "]." + inner;
      if (!value || value.IsNull()) throw fail(field + ": missing");
      if (!value.IsMap()) throw fail(field + ": expected a mapping");
      return value;
    }
    return std::nullopt;
  }

  // A PEM given inline as `<key>-data` (base64, preferred like kubectl does) or as the file `<key>`.
  std::string material(const YAML::Node& section, const std::string& section_field, const std::string& key,
                       PemKind kind) const {
    const std::string data_field = section_field + "." + key + "-data";
    const std::string data = scalar(section, (key + "-data").c_str(), data_field);
    if (!data.empty()) {
      auto decoded = decodeBase64(data);
      if (!decoded) throw fail(data_field + ": invalid base64");
      if (!holdsPem(*decoded, kind)) throw fail(data_field + ": " + pemDescription(kind));
      return std::move(*decoded);
    }
    const std::string file_field = section_field + "." + key;
    const std::string file = scalar(section, key.c_str(), file_field);
    if (file.empty()) return "";
    const fs::path path = resolve(file);
    std::string error;
    auto content = readFile(path, error);
    if (!content) throw fail(file_field + ": cannot read " + path.string() + ": " + error);
    if (!holdsPem(*content, kind))
      throw fail(file_field + ": " + path.string() + ": " + pemDescription(kind));
    return std::move(*content);
  }

  std::string path_;
  fs::path dir_;
  YAML::Node root_;
};

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

ClientConfig loadKubeconfig(const std::string& path, const std::string& context) {
  return Kubeconfig(path).load(context);
}

std::optional<ClientConfig> loadInCluster(const std::string& root) {
  std::string host = environment("KUBERNETES_SERVICE_HOST");
  const std::string port = environment("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) return std::nullopt;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";

  const fs::path dir(root);
  auto fail = [](const fs::path& file, const std::string& why) {
    return ConfigError("in-cluster config: " + file.string() + ": " + why);
  };
  ClientConfig config;
  config.server = "https://" + host + ":" + port;
  config.origin = "in-cluster config (" + root + ")";

  std::string error;
  const fs::path token = dir / "token";
  const auto token_text = readFile(token, error);
  if (!token_text) throw fail(token, "cannot read: " + error);
  if (trim(*token_text).empty()) throw fail(token, "empty");
  config.token_file = token.string();

  const fs::path ca = dir / "ca.crt";
  auto ca_pem = readFile(ca, error);
  if (!ca_pem) throw fail(ca, "cannot read: " + error);
  if (!holdsPemCertificate(*ca_pem)) throw fail(ca, "no PEM certificate");
  config.ca_pem = std::move(*ca_pem);

  const auto ns = readFile(dir / "namespace", error);
  config.default_namespace = ns ? trim(*ns) : "";
  if (config.default_namespace.empty()) config.default_namespace = "default";
  return config;
}

ClientConfig resolveConfig(const std::string& kubeconfig_flag, const std::string& service_account_root) {
  if (!kubeconfig_flag.empty()) return loadKubeconfig(kubeconfig_flag);
  if (auto in_cluster = loadInCluster(service_account_root)) return std::move(*in_cluster);

  const std::string list = environment("KUBECONFIG");
  for (std::size_t start = 0; start <= list.size();) {
    const std::size_t end = std::min(list.find(':', start), list.size());
    if (end > start) return loadKubeconfig(list.substr(start, end - start));
    start = end + 1;
  }

  const std::string home = environment("HOME");
  if (home.empty()) {
    throw ConfigError(
        "no Kubernetes configuration: no --kubeconfig, not in a cluster (KUBERNETES_SERVICE_HOST "
        "unset), $KUBECONFIG unset, and $HOME unset so there is no ~/.kube/config");
  }
  const fs::path fallback = fs::path(home) / ".kube" / "config";
  std::error_code ec;
  if (!fs::exists(fallback, ec)) {
    throw ConfigError(
        "no Kubernetes configuration: no --kubeconfig, not in a cluster (KUBERNETES_SERVICE_HOST "
        "unset), $KUBECONFIG unset, and " +
        fallback.string() + " does not exist");
  }
  return loadKubeconfig(fallback.string());
}

}  // namespace autobuild::kube
