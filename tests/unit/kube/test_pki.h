// Keys and certificates made with the openssl CLI, once per test process.
#pragma once

#include <string>

namespace autobuild::kube::testing {

struct TestPki {
  std::string ca_cert;        // the cluster CA (file paths)
  std::string other_ca_cert;  // a CA that signed nothing used here
  std::string server_cert;    // for IP 127.0.0.1, signed by the cluster CA
  std::string server_key;
  std::string localhost_cert;  // for DNS localhost only, signed by the cluster CA
  std::string localhost_key;
  std::string client_cert;  // CN=admin, signed by the cluster CA
  std::string client_key;
  std::string weak_client_cert;  // an RSA 1024 key: below OpenSSL's default security level
  std::string weak_client_key;

  static const TestPki& get();
};

std::string readFile(const std::string& path);

}  // namespace autobuild::kube::testing
