// Where the Kubernetes API server is and how to authenticate to it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace autobuild::kube {

// A kubeconfig or in-cluster configuration that could not be loaded. The message names the file and
// the field at fault.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClientConfig {
  std::string server;           // https://host:port, no trailing slash
  std::string ca_pem;           // empty: the system's trust store
  std::string client_cert_pem;  // client certificate authentication, with client_key_pem
  std::string client_key_pem;
  std::string token;       // static bearer token
  std::string token_file;  // bearer token re-read from this file when it changes (rotation)
  bool insecure_skip_tls_verify = false;
  std::string default_namespace;  // the context's namespace, or the pod's in-cluster
  std::string origin;             // where this came from, for messages: "kubeconfig /x (context y)"

  double qps = 50;  // client-side rate limit
  int burst = 100;
  std::chrono::milliseconds request_timeout{30000};
};

// Loads `path`; `context` empty means current-context. CA, certificate and key may be files (relative
// to the kubeconfig's directory) or inline *-data fields.
ClientConfig loadKubeconfig(const std::string& path, const std::string& context = "");

inline constexpr const char* kServiceAccountRoot = "/var/run/secrets/kubernetes.io/serviceaccount";

// The in-cluster configuration: KUBERNETES_SERVICE_HOST/PORT and the service account files under
// `root`: ca.crt, token (kept as token_file so a rotated token is picked up), namespace. nullopt when
// not in a cluster (the variables are unset); ConfigError when in one but the files are unusable.
std::optional<ClientConfig> loadInCluster(const std::string& root = kServiceAccountRoot);

// Precedence: the --kubeconfig flag, in-cluster, $KUBECONFIG (first file of the list), ~/.kube/config.
// `service_account_root` is where in-cluster looks for its files.
ClientConfig resolveConfig(const std::string& kubeconfig_flag,
                           const std::string& service_account_root = kServiceAccountRoot);

}  // namespace autobuild::kube
