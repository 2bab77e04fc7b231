#include "test_pki.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "temp_dir.h"

namespace autobuild::kube::testing {

namespace {

void run(const std::string& command) {
  if (std::system((command + " 2>/dev/null >/dev/null").c_str()) != 0) {
    throw std::runtime_error("test PKI: command failed: " + command);
  }
}

TestPki generate(const TempDir& dir) {
  const std::string d = dir.path() + "/";
  const std::string p256 = "ec -pkeyopt ec_paramgen_curve:P-256";
  auto make_ca = [&](const std::string& name) {
    run("openssl req -x509 -nodes -newkey " + p256 + " -days 2 -subj /CN=" + name + " -keyout " + d + name +
        ".key -out " + d + name + ".crt");
  };
  auto make_leaf = [&](const std::string& name, const std::string& subject, const std::string& extensions,
                       const std::string& key) {
    dir.write(name + ".ext", "basicConstraints=critical,CA:FALSE\n" + extensions);
    run("openssl req -nodes -newkey " + key + " -subj " + subject + " -keyout " + d + name + ".key -out " +
        d + name + ".csr");
    run("openssl x509 -req -days 2 -in " + d + name + ".csr -CA " + d + "ca.crt -CAkey " + d +
        "ca.key -extfile " + d + name + ".ext -out " + d + name + ".crt");
  };
  make_ca("ca");
  make_ca("other-ca");
  make_leaf("server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
            p256);
  make_leaf("localhost", "/CN=localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
            p256);
  make_leaf("client", "/O=system:masters/CN=admin", "extendedKeyUsage=clientAuth\n", p256);
  make_leaf("weak-client", "/CN=weak", "extendedKeyUsage=clientAuth\n", "rsa:1024");
  TestPki pki;
  pki.ca_cert = d + "ca.crt";
  pki.other_ca_cert = d + "other-ca.crt";
  pki.server_cert = d + "server.crt";
  pki.server_key = d + "server.key";
  pki.localhost_cert = d + "localhost.crt";
  pki.localhost_key = d + "localhost.key";
  pki.client_cert = d + "client.crt";
  pki.client_key = d + "client.key";
  pki.weak_client_cert = d + "weak-client.crt";
  pki.weak_client_key = d + "weak-client.key";
  return pki;
}

}  // namespace

const TestPki& TestPki::get() {
  static const TempDir dir;
  static const TestPki pki = generate(dir);
  return pki;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace autobuild::kube::testing
