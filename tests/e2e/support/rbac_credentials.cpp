#include "tests/e2e/support/rbac_credentials.h"

#include <cstdlib>
#include <stdexcept>

#include "tests/testenv/child_process.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

constexpr const char* kReleaseNamespace = "autobuild-system";

std::string chartDir() {
  return std::string(AUTOBUILD_SOURCE_DIR) + "/charts/autobuild";
}

std::string helmPath() {
  if (const char* tools = std::getenv("AUTOBUILD_TOOLS"); tools != nullptr && *tools != '\0') {
    return std::string(tools) + "/bin/helm";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/autobuild-tools/bin/helm";
}

std::string renderChartRbac(testenv::ControlPlane& plane, const std::vector<std::string>& watch_namespaces,
                            const std::string& release) {
  std::string namespaces = "[";
  for (const auto& ns : watch_namespaces) namespaces += (namespaces.size() > 1 ? ",\"" : "\"") + ns + "\"";
  namespaces += "]";
  const std::vector<std::string> argv = {helmPath(),    "template",
                                         release,       chartDir(),
                                         "--namespace", kReleaseNamespace,
                                         "--set-json",  "watchNamespaces=" + namespaces,
                                         "--show-only", "templates/serviceaccount.yaml",
                                         "--show-only", "templates/rbac.yaml"};
  // Helm keeps its cache and configuration with the control plane, not in $HOME.
  const std::string helm_home = plane.dir() + "/helm";
  auto result = testenv::runChildProcess(
      argv, "",
      {"HELM_CACHE_HOME=" + helm_home + "/cache", "HELM_CONFIG_HOME=" + helm_home + "/config",
       "HELM_DATA_HOME=" + helm_home + "/data"});
  if (result.exit_code != 0) {
    throw std::runtime_error("rendering the chart's RBAC for namespaces " + namespaces +
                             " failed: " + testenv::describeCommand(argv) + " exited with " +
                             std::to_string(result.exit_code) + ": " + result.err);
  }
  return result.out;
}

void createNamespace(testenv::ControlPlane& plane, const std::string& ns) {
  try {
    plane.kubectl({"create", "namespace", ns});
  } catch (const std::runtime_error& e) {
    if (std::string(e.what()).find(" already exists") == std::string::npos) throw;
  }
}

std::string serviceAccountOf(testenv::ControlPlane& plane, const std::string& release,
                             const std::string& component) {
  auto name =
      plane.kubectl({"get", "serviceaccounts", "--namespace", kReleaseNamespace, "--selector",
                     "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/component=" + component,
                     "--output", "jsonpath={.items[*].metadata.name}"});
  if (name.empty() || name.find(' ') != std::string::npos) {
    throw std::runtime_error("expected one " + component + " ServiceAccount of release " + release + " in " +
                             kReleaseNamespace + ", found \"" + name + "\"");
  }
  return name;
}

}  // namespace

ChartRbac applyChartRbac(testenv::ControlPlane& plane, const std::vector<std::string>& watch_namespaces,
                         const std::string& release) {
  // Render first: a value the chart refuses fails before anything changes.
  const std::string manifests = renderChartRbac(plane, watch_namespaces, release);
  createNamespace(plane, kReleaseNamespace);
  for (const auto& ns : watch_namespaces) createNamespace(plane, ns);
  // A previous call may have granted more (ClusterRoles, other namespaces): start from nothing.
  plane.kubectl({"delete", "clusterroles,clusterrolebindings,roles,rolebindings", "--all-namespaces",
                 "--ignore-not-found", "--selector",
                 "app.kubernetes.io/instance=" + release + ",app.kubernetes.io/managed-by=Helm"});
  plane.kubectl({"apply", "--filename", "-"}, manifests);

  ChartRbac rbac;
  rbac.release_namespace = kReleaseNamespace;
  rbac.controller_service_account = serviceAccountOf(plane, release, "controller");
  rbac.webhook_service_account = serviceAccountOf(plane, release, "webhook");
  rbac.controller_kubeconfig =
      plane.serviceAccountKubeconfig(kReleaseNamespace, rbac.controller_service_account);
  rbac.webhook_kubeconfig = plane.serviceAccountKubeconfig(kReleaseNamespace, rbac.webhook_service_account);
  rbac.controller_args = {"--kubeconfig=" + rbac.controller_kubeconfig};
  rbac.webhook_args = {"--kubeconfig=" + rbac.webhook_kubeconfig};
  for (const auto& ns : watch_namespaces) {
    rbac.controller_args.push_back("--namespace=" + ns);
    rbac.webhook_args.push_back("--namespace=" + ns);
  }
  // The chart names the Lease after the controller's objects, which its ServiceAccount is by default.
  rbac.controller_args.push_back(std::string("--leader-election-namespace=") + kReleaseNamespace);
  rbac.controller_args.push_back("--leader-election-id=" + rbac.controller_service_account);
  return rbac;
}

}  // namespace autobuild::e2e
