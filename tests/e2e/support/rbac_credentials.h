// Credentials with exactly the Helm chart's permissions, for end-to-end tests that run the operator's
// binaries against the test control plane as they would run in a cluster.
//
// applyChartRbac renders the chart's ServiceAccounts and RBAC (`helm template charts/autobuild
// --show-only templates/serviceaccount.yaml --show-only templates/rbac.yaml`, release `release` in the
// namespace autobuild-system, the given watchNamespaces), applies them with kubectl, and returns a
// kubeconfig per ServiceAccount (token authentication, see ControlPlane::serviceAccountKubeconfig).
//
//   auto rbac = e2e::applyChartRbac(testenv::controlPlane(), {"shop"});
//   std::vector<std::string> args = rbac.webhook_args;  // --kubeconfig=..., --namespace=shop
//   args.push_back("--listen-addr=127.0.0.1:0");
//   e2e::OperatorProcess webhook(AUTOBUILD_WEBHOOK_BIN, args, log_path);
//
// The namespaces are created when missing. With an empty list the chart grants everything through
// ClusterRoles (all namespaces), and the returned args carry no --namespace. Calling it again for the
// same release replaces the release's Roles, ClusterRoles and bindings, so the permissions are always
// those of the last call. Throws std::runtime_error with helm's or kubectl's message when a step fails
// (e.g. a namespace name the chart's values schema refuses). Needs helm next to kubectl
// ($AUTOBUILD_TOOLS/bin, by default ~/.cache/autobuild-tools/bin: scripts/install-deps).
#pragma once

#include <string>
#include <vector>

namespace autobuild::testenv {
class ControlPlane;
}

namespace autobuild::e2e {

struct ChartRbac {
  std::string release_namespace;  // autobuild-system: the ServiceAccounts and the controller's Lease
  std::string controller_service_account;
  std::string webhook_service_account;
  std::string controller_kubeconfig;
  std::string webhook_kubeconfig;
  // The flags that make each binary use these credentials and stay within what they allow:
  // --kubeconfig and one --namespace per watched namespace; for the controller also the Lease's
  // --leader-election-namespace and --leader-election-id (used with --leader-elect).
  std::vector<std::string> controller_args;
  std::vector<std::string> webhook_args;
};

ChartRbac applyChartRbac(testenv::ControlPlane& plane, const std::vector<std::string>& watch_namespaces,
                         const std::string& release = "autobuild");

}  // namespace autobuild::e2e
