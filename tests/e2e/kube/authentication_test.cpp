// Who the client is to the API server and whether it trusts the server: ServiceAccount tokens, RBAC
// denials as the API states them, and a server certificate that the configured CA did not sign.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/api_error.h"
#include "kube/transport.h"
#include "kube_test.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::HasSubstr;

class AuthenticationTest : public KubeTest {
 protected:
  // A client authenticating as ServiceAccount `name` of the test's namespace, by its token.
  std::shared_ptr<Client> serviceAccountClient(const std::string& name) {
    ClientConfig config = loadKubeconfig(testenv::controlPlane().serviceAccountKubeconfig(ns, name));
    EXPECT_TRUE(config.client_cert_pem.empty());
    EXPECT_FALSE(config.token.empty() && config.token_file.empty()) << "the kubeconfig has no token";
    return std::make_shared<Client>(config);
  }

  void grantConfigMapReaders(const std::string& service_account) {
    client->create(
        kRoles, ns,
        {{"apiVersion", "rbac.authorization.k8s.io/v1"},
         {"kind", "Role"},
         {"metadata", {{"name", "configmap-reader"}, {"namespace", ns}}},
         {"rules", {{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get", "list"}}}}}});
    client->create(
        kRoleBindings, ns,
        {{"apiVersion", "rbac.authorization.k8s.io/v1"},
         {"kind", "RoleBinding"},
         {"metadata", {{"name", "configmap-reader"}, {"namespace", ns}}},
         {"roleRef",
          {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "configmap-reader"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", service_account}, {"namespace", ns}}}}});
  }

  static inline const Resource kRoles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
  static inline const Resource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding",
                                             true};
};

TEST_F(AuthenticationTest, ServiceAccountTokenAuthenticatesAndRoleBindingGrantsAccess) {
  auto reader = serviceAccountClient("reader");
  client->create(resources::ConfigMaps, ns, configMap("visible", {{"color", "blue"}}));
  grantConfigMapReaders("reader");

  // The RBAC authorizer learns of new bindings through its own informer, a moment later.
  Json got;
  bool allowed = eventually([&] {
    try {
      got = reader->get(resources::ConfigMaps, ns, "visible");
      return true;
    } catch (const ApiError& e) {
      if (!e.isForbidden()) throw;
      return false;
    }
  });
  ASSERT_TRUE(allowed) << "the RoleBinding never took effect";
  EXPECT_EQ(got["data"]["color"], "blue");
  EXPECT_FALSE(reader->list(resources::ConfigMaps, ns).items.empty());
}

TEST_F(AuthenticationTest, ForbiddenSurfacesWithTheApiMessage) {
  auto nobody = serviceAccountClient("nobody");
  try {
    nobody->list(resources::Secrets, ns);
    FAIL() << "a ServiceAccount without any role listed Secrets";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isForbidden()) << e.what();
    EXPECT_EQ(e.status().reason, "Forbidden");
    EXPECT_THAT(e.status().message, HasSubstr("User \"system:serviceaccount:" + ns + ":nobody\""));
    EXPECT_THAT(e.status().message, HasSubstr("cannot list resource \"secrets\""));
    EXPECT_THAT(e.what(), HasSubstr(e.status().message));
  }
}

TEST_F(AuthenticationTest, ForbiddenWriteChangesNothing) {
  auto reader = serviceAccountClient("reader");
  grantConfigMapReaders("reader");
  client->create(resources::ConfigMaps, ns, configMap("protected", {{"color", "blue"}}));
  try {
    reader->patch(resources::ConfigMaps, ns, "protected", PatchType::Merge, {{"data", {{"color", "red"}}}});
    FAIL() << "a read-only ServiceAccount patched a ConfigMap";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isForbidden()) << e.what();
    EXPECT_THAT(e.status().message, HasSubstr("cannot patch resource \"configmaps\""));
  }
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "protected")["data"]["color"], "blue");
}

TEST_F(AuthenticationTest, WrongCertificateAuthorityFailsWithATlsErrorNamingTheServer) {
  // A CA of our own that never signed the API server's certificate.
  auto dir = std::filesystem::temp_directory_path() / ("e2e-ca-" + randomSuffix());
  std::filesystem::create_directories(dir);
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other-ca -days 1 "
      "-keyout " +
      (dir / "ca.key").string() + " -out " + (dir / "ca.crt").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream pem(dir / "ca.crt");
  std::stringstream text;
  text << pem.rdbuf();
  std::filesystem::remove_all(dir);

  ClientConfig config = adminConfig();
  config.ca_pem = text.str();
  Client untrusting(config);
  try {
    untrusting.get(resources::Namespaces, "", ns);
    FAIL() << "the client trusted a server its CA did not sign";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Tls) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(testenv::controlPlane().server()));
  }
}

TEST_F(AuthenticationTest, UnreachableServerFailsWithAConnectErrorNamingIt) {
  ClientConfig config = adminConfig();
  config.server = "https://127.0.0.1:1";
  Client nowhere(config);
  try {
    nowhere.get(resources::Namespaces, "", ns);
    FAIL() << "a request to a closed port succeeded";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Connect) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:1"));
  }
}

}  // namespace
}  // namespace autobuild::kube::e2e
