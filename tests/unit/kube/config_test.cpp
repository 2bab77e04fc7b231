#include "kube/config.h"

#include <stdlib.h>

#include <filesystem>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "temp_dir.h"
#include "test_pki.h"

namespace autobuild::kube {
namespace {

using ::testing::HasSubstr;
using testing::readFile;
using testing::TempDir;
using testing::TestPki;

std::string base64(const std::string& bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return encoded;
}

// Sets (or, with nullopt, unsets) an environment variable for the test's duration.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Expects `load` to throw ConfigError with exactly `message`.
template <typename Load>
void expectConfigError(Load load, const std::string& message) {
  try {
    load();
    ADD_FAILURE() << "no ConfigError; expected: " << message;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.what(), message);
  }
}

template <typename Load>
void expectConfigErrorContaining(Load load, const std::string& part) {
  try {
    load();
    ADD_FAILURE() << "no ConfigError; expected one containing: " << part;
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(part));
  }
}

class KubeconfigTest : public ::testing::Test {
 protected:
  const TestPki& pki = TestPki::get();
  TempDir dir;

  // A kubeconfig with two contexts over two clusters; `user` is the body of the user "admin".
  std::string writeKubeconfig(const std::string& user, const std::string& cluster_extra = "") {
    return dir.write("config", R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: pki/ca.crt
)" + cluster_extra + R"(
- name: dev-cluster
  cluster:
    server: https://dev.example.com
    insecure-skip-tls-verify: true
contexts:
- name: prod
  context: {cluster: prod-cluster, user: admin, namespace: shop}
- name: dev
  context: {cluster: dev-cluster}
users:
- name: admin
  user:
)" + user);
  }

  void copyPki() {
    dir.write("pki/ca.crt", readFile(pki.ca_cert));
    dir.write("pki/client.crt", readFile(pki.client_cert));
    dir.write("pki/client.key", readFile(pki.client_key));
  }
};

TEST_F(KubeconfigTest, LoadsCurrentContextWithFilesRelativeToTheKubeconfig) {
  copyPki();
  dir.write("pki/token", "file-token\n");
  const std::string path = writeKubeconfig(R"(    client-certificate: pki/client.crt
    client-key: ./pki/client.key
    token: static-token
    tokenFile: pki/token
)");
  const ClientConfig config = loadKubeconfig(path);
  EXPECT_EQ(config.server, "https://10.0.0.1:6443");
  EXPECT_EQ(config.ca_pem, readFile(pki.ca_cert));
  EXPECT_EQ(config.client_cert_pem, readFile(pki.client_cert));
  EXPECT_EQ(config.client_key_pem, readFile(pki.client_key));
  EXPECT_EQ(config.token, "static-token");
  EXPECT_EQ(config.token_file, dir.path() + "/pki/token");
  EXPECT_FALSE(config.insecure_skip_tls_verify);
  EXPECT_EQ(config.default_namespace, "shop");
  EXPECT_EQ(config.origin, "kubeconfig " + path + " (context prod)");
}

TEST_F(KubeconfigTest, LoadsInlineDataAndPrefersItOverFiles) {
  const std::string ca = readFile(pki.ca_cert);
  const std::string path =
      writeKubeconfig("    client-certificate-data: " + base64(readFile(pki.client_cert)) +
                          "\n    client-key-data: " + base64(readFile(pki.client_key)) + "\n",
                      "    certificate-authority-data: " + base64(ca) + "\n");
  // The certificate-authority file (pki/ca.crt) does not exist: the data wins, so it is never read.
  const ClientConfig config = loadKubeconfig(path);
  EXPECT_EQ(config.ca_pem, ca);
  EXPECT_EQ(config.client_cert_pem, readFile(pki.client_cert));
  EXPECT_EQ(config.client_key_pem, readFile(pki.client_key));
}

TEST_F(KubeconfigTest, DecodesEveryPaddingLengthAndWrappedBase64Exactly) {
  const std::string ca = readFile(pki.ca_cert);
  for (const std::string& pem : {ca, ca + "\n", ca + "\n\n"}) {
    std::string encoded = base64(pem);
    // Go's encoder never wraps, but a hand-edited kubeconfig may use a folded block.
    std::string wrapped;
    for (std::size_t i = 0; i < encoded.size(); i += 64) wrapped += "      " + encoded.substr(i, 64) + "\n";
    for (const std::string& value : {encoded, "|\n" + wrapped}) {
      const std::string path =
          writeKubeconfig("    token: t\n", "    certificate-authority-data: " + value + "\n");
      EXPECT_EQ(loadKubeconfig(path).ca_pem, pem) << "padding: " << encoded.size() % 4 << value;
    }
  }
}

TEST_F(KubeconfigTest, LoadsANamedContextWithoutUserAndDefaultNamespace) {
  const std::string path = writeKubeconfig("    token: t\n");
  const ClientConfig config = loadKubeconfig(path, "dev");
  EXPECT_EQ(config.server, "https://dev.example.com");
  EXPECT_TRUE(config.insecure_skip_tls_verify);
  EXPECT_TRUE(config.ca_pem.empty());
  EXPECT_TRUE(config.token.empty());
  EXPECT_EQ(config.default_namespace, "default");
  EXPECT_EQ(config.origin, "kubeconfig " + path + " (context dev)");
}

TEST_F(KubeconfigTest, MissingFileNamesTheFile) {
  const std::string path = dir.path() + "/absent";
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": cannot read: No such file or directory");
}

TEST_F(KubeconfigTest, BadYamlNamesTheFileAndPosition) {
  const std::string path = dir.write("config", "clusters: [\n  - name: x\n  cluster: {server: \n");
  expectConfigErrorContaining([&] { loadKubeconfig(path); }, "kubeconfig " + path + ": invalid YAML: ");
  expectConfigErrorContaining([&] { loadKubeconfig(path); }, "line ");
}

TEST_F(KubeconfigTest, ADocumentThatIsNotAMappingIsRejected) {
  const std::string path = dir.write("config", "- just\n- a list\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": not a kubeconfig (the document is not a mapping)");
}

TEST_F(KubeconfigTest, MissingContextClusterAndUserAreNamed) {
  std::string path = writeKubeconfig("    token: t\n");
  expectConfigError([&] { loadKubeconfig(path, "foo"); },
                    "kubeconfig " + path + ": context \"foo\" not found");

  path = dir.write("config", R"(current-context: a
contexts:
- {name: a, context: {cluster: gone, user: u}}
)");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": cluster \"gone\" (of context \"a\") not found");

  path = dir.write("config", R"(current-context: a
clusters:
- {name: c, cluster: {server: "https://x"}}
contexts:
- {name: a, context: {cluster: c, user: nobody}}
)");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": user \"nobody\" (of context \"a\") not found");

  path = dir.write("config", "clusters: []\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": no current-context set and no context requested");
}

TEST_F(KubeconfigTest, StructuralErrorsNameTheField) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"current-context: a\ncontexts: {a: b}\n", "contexts: expected a list"},
      {"current-context: a\ncontexts:\n- {name: a}\n", "contexts[a].context: missing"},
      {"current-context: a\ncontexts:\n- {name: a, context: {user: u}}\n", "contexts[a].cluster: missing"},
      {"current-context: a\ncontexts:\n- {name: a, context: {cluster: c}}\nclusters:\n- {name: c, cluster: "
       "{}}\n",
       "clusters[c].server: missing"},
      {"current-context: a\ncontexts:\n- {name: a, context: {cluster: c}}\nclusters:\n- {name: c, cluster: "
       "{server: "
       "\"10.0.0.1:6443\"}}\n",
       "clusters[c].server: \"10.0.0.1:6443\" is not an http(s) URL"},
      {"current-context: a\ncontexts:\n- {name: a, context: {cluster: c}}\nclusters:\n- {name: c, cluster: "
       "{server: "
       "[x]}}\n",
       "clusters[c].server: expected a string"},
      {"current-context: a\ncontexts:\n- {name: a, context: {cluster: c}}\nclusters:\n- {name: c, cluster: "
       "{server: "
       "\"https://x\", insecure-skip-tls-verify: maybe}}\n",
       "clusters[c].insecure-skip-tls-verify: expected true or false"},
  };
  for (const auto& c : cases) {
    const std::string path = dir.write("config", c.yaml);
    expectConfigError([&] { loadKubeconfig(path); }, "kubeconfig " + path + ": " + c.error);
  }
}

TEST_F(KubeconfigTest, BadBase64IsNamed) {
  for (const char* bad : {"not base64!", "YQ=a", "YWJj=", "YQ"}) {
    const std::string path =
        writeKubeconfig("    client-certificate-data: " + base64(readFile(pki.client_cert)) +
                        "\n    client-key-data: \"" + bad + "\"\n");
    copyPki();
    expectConfigError([&] { loadKubeconfig(path); },
                      "kubeconfig " + path + ": users[admin].client-key-data: invalid base64");
  }
  const std::string path = writeKubeconfig("    token: t\n", "    certificate-authority-data: \"@@@@\"\n");
  expectConfigError(
      [&] { loadKubeconfig(path); },
      "kubeconfig " + path + ": clusters[prod-cluster].certificate-authority-data: invalid base64");
}

TEST_F(KubeconfigTest, DataThatIsNotPemIsNamed) {
  std::string path =
      writeKubeconfig("    token: t\n", "    certificate-authority-data: " + base64("hello") + "\n");
  expectConfigError(
      [&] { loadKubeconfig(path); },
      "kubeconfig " + path + ": clusters[prod-cluster].certificate-authority-data: no PEM certificate");

  copyPki();
  path = writeKubeconfig("    client-certificate: pki/client.crt\n    client-key-data: " +
                         base64(readFile(pki.client_cert)) + "\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": users[admin].client-key-data: no PEM private key");

  dir.write("pki/not-a-key", "garbage");
  path = writeKubeconfig("    client-certificate: pki/client.crt\n    client-key: pki/not-a-key\n");
  expectConfigError([&] { loadKubeconfig(path); }, "kubeconfig " + path + ": users[admin].client-key: " +
                                                       dir.path() + "/pki/not-a-key: no PEM private key");
}

TEST_F(KubeconfigTest, UnreadableReferencedFilesAreNamed) {
  std::string path = writeKubeconfig("    token: t\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": clusters[prod-cluster].certificate-authority: cannot read " +
                        dir.path() + "/pki/ca.crt: No such file or directory");
  copyPki();
  path = writeKubeconfig("    client-certificate: /nonexistent/client.crt\n    client-key: pki/client.key\n");
  expectConfigError(
      [&] { loadKubeconfig(path); },
      "kubeconfig " + path +
          ": users[admin].client-certificate: cannot read /nonexistent/client.crt: No such file or "
          "directory");
  path = writeKubeconfig("    tokenFile: missing-token\n");
  expectConfigError([&] { loadKubeconfig(path); }, "kubeconfig " + path +
                                                       ": users[admin].tokenFile: cannot read " + dir.path() +
                                                       "/missing-token: No such file or directory");
}

TEST_F(KubeconfigTest, CertificateWithoutKeyAndPluginsAreRejected) {
  copyPki();
  std::string path = writeKubeconfig("    client-certificate: pki/client.crt\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": users[admin]: client-certificate without client-key");
  path = writeKubeconfig("    client-key: pki/client.key\n");
  expectConfigError([&] { loadKubeconfig(path); },
                    "kubeconfig " + path + ": users[admin]: client-key without client-certificate");
  path = writeKubeconfig("    exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}\n");
  expectConfigErrorContaining(
      [&] { loadKubeconfig(path); },
      "kubeconfig " + path + ": users[admin].exec: credential plugins are not supported");
}

class InClusterTest : public ::testing::Test {
 protected:
  TempDir dir;
  ScopedEnv host{"KUBERNETES_SERVICE_HOST", "10.96.0.1"};
  ScopedEnv port{"KUBERNETES_SERVICE_PORT", "443"};

  void writeServiceAccount() {
    dir.write("ca.crt", readFile(TestPki::get().ca_cert));
    dir.write("token", "sa-token\n");
    dir.write("namespace", "autobuild-system\n");
  }
};

TEST_F(InClusterTest, NotInAClusterWithoutTheServiceVariables) {
  ScopedEnv no_host("KUBERNETES_SERVICE_HOST", std::nullopt);
  writeServiceAccount();
  EXPECT_FALSE(loadInCluster(dir.path()).has_value());
}

TEST_F(InClusterTest, LoadsTheServiceAccount) {
  writeServiceAccount();
  const auto config = loadInCluster(dir.path());
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->server, "https://10.96.0.1:443");
  EXPECT_EQ(config->ca_pem, readFile(TestPki::get().ca_cert));
  EXPECT_EQ(config->token_file, dir.path() + "/token");  // re-read on rotation, not copied
  EXPECT_TRUE(config->token.empty());
  EXPECT_EQ(config->default_namespace, "autobuild-system");
  EXPECT_EQ(config->origin, "in-cluster config (" + dir.path() + ")");
}

TEST_F(InClusterTest, BracketsAnIpv6Host) {
  ScopedEnv v6("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  writeServiceAccount();
  EXPECT_EQ(loadInCluster(dir.path())->server, "https://[fd00:10:96::1]:443");
}

TEST_F(InClusterTest, NamespaceDefaultsWhenTheFileIsMissing) {
  writeServiceAccount();
  std::filesystem::remove(dir.path() + "/namespace");
  EXPECT_EQ(loadInCluster(dir.path())->default_namespace, "default");
}

TEST_F(InClusterTest, MissingOrBadFilesAreNamed) {
  expectConfigError([&] { loadInCluster(dir.path()); },
                    "in-cluster config: " + dir.path() + "/token: cannot read: No such file or directory");
  dir.write("token", "\n");
  expectConfigError([&] { loadInCluster(dir.path()); }, "in-cluster config: " + dir.path() + "/token: empty");
  dir.write("token", "sa-token");
  expectConfigError([&] { loadInCluster(dir.path()); },
                    "in-cluster config: " + dir.path() + "/ca.crt: cannot read: No such file or directory");
  dir.write("ca.crt", "not a certificate");
  expectConfigError([&] { loadInCluster(dir.path()); },
                    "in-cluster config: " + dir.path() + "/ca.crt: no PEM certificate");
}

class ResolveConfigTest : public ::testing::Test {
 protected:
  TempDir dir;
  TempDir service_account;
  ScopedEnv host{"KUBERNETES_SERVICE_HOST", std::nullopt};
  ScopedEnv port{"KUBERNETES_SERVICE_PORT", "443"};
  ScopedEnv kubeconfig{"KUBECONFIG", std::nullopt};
  ScopedEnv home{"HOME", dir.path()};

  std::string kubeconfigFor(const std::string& name, const std::string& server) {
    return dir.write(name, "current-context: c\nclusters:\n- {name: c, cluster: {server: \"" + server +
                               "\"}}\ncontexts:\n- {name: c, context: {cluster: c}}\n");
  }

  void enterCluster() {
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    service_account.write("ca.crt", readFile(TestPki::get().ca_cert));
    service_account.write("token", "sa-token");
  }
};

TEST_F(ResolveConfigTest, TheFlagWinsOverEverything) {
  enterCluster();
  setenv("KUBECONFIG", kubeconfigFor("env-config", "https://env").c_str(), 1);
  kubeconfigFor(".kube/config", "https://home");
  const std::string flag = kubeconfigFor("flag-config", "https://flag");
  EXPECT_EQ(resolveConfig(flag, service_account.path()).server, "https://flag");
}

TEST_F(ResolveConfigTest, InClusterWinsOverKubeconfigVariableAndHome) {
  enterCluster();
  setenv("KUBECONFIG", kubeconfigFor("env-config", "https://env").c_str(), 1);
  kubeconfigFor(".kube/config", "https://home");
  EXPECT_EQ(resolveConfig("", service_account.path()).server, "https://10.96.0.1:443");
}

TEST_F(ResolveConfigTest, KubeconfigVariableUsesTheFirstFileOfTheList) {
  const std::string first = kubeconfigFor("first", "https://first");
  const std::string second = kubeconfigFor("second", "https://second");
  kubeconfigFor(".kube/config", "https://home");
  setenv("KUBECONFIG", (first + ":" + second).c_str(), 1);
  EXPECT_EQ(resolveConfig("", service_account.path()).server, "https://first");
}

TEST_F(ResolveConfigTest, HomeKubeconfigIsTheLastResort) {
  kubeconfigFor(".kube/config", "https://home");
  EXPECT_EQ(resolveConfig("", service_account.path()).server, "https://home");
}

TEST_F(ResolveConfigTest, NothingFoundSaysWhereItLooked) {
  expectConfigError(
      [&] { resolveConfig("", service_account.path()); },
      "no Kubernetes configuration: no --kubeconfig, not in a cluster (KUBERNETES_SERVICE_HOST unset), "
      "$KUBECONFIG unset, and " +
          dir.path() + "/.kube/config does not exist");
}

TEST_F(ResolveConfigTest, ABrokenInClusterSetupIsAnErrorNotAFallback) {
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  kubeconfigFor(".kube/config", "https://home");
  expectConfigErrorContaining([&] { resolveConfig("", service_account.path()); },
                              "in-cluster config: " + service_account.path() + "/token: cannot read");
}

}  // namespace
}  // namespace autobuild::kube
