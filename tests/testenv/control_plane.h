// A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver and
// kube-controller-manager (v1.20.2, see build-control-plane). One per test binary, started by the
// global test environment linked in through autobuild_testenv_main, stopped when the binary exits
// however it exits.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace autobuild::testenv {

class ControlPlane {
 public:
  // Starts a control plane in `dir` (`control-plane up`), owned by this process: it stops when this
  // process exits, however it exits. Throws std::runtime_error with the script's error output.
  static ControlPlane start(const std::string& dir);
  // Adopts the control plane running in `dir` with its admin kubeconfig `kubeconfig`.
  ControlPlane(std::string dir, std::string kubeconfig);
  // Stops every process (`control-plane down`); `remove_dir` also deletes dir().
  void stop(bool remove_dir);

  const std::string& dir() const;         // state directory (certificates, data, logs)
  const std::string& kubeconfig() const;  // admin (system:masters) kubeconfig
  const std::string& server() const;      // https://127.0.0.1:<port>

  // Stops / starts kube-apiserver alone (same port, same etcd), for resume and outage tests.
  void stopApiServer();
  void startApiServer();  // returns once /readyz answers
  // Compacts etcd at its current revision so that watches from an older resourceVersion get 410 Gone.
  void compactEtcd();

  // A kubeconfig authenticating as the ServiceAccount `ns/name` with its token; creates the namespace
  // and the ServiceAccount when missing. For RBAC tests.
  std::string serviceAccountKubeconfig(const std::string& ns, const std::string& name);
  // Runs kubectl (1.35, from the tools install) against this control plane; returns stdout. Throws
  // std::runtime_error with stderr when it exits non-zero. A --kubeconfig in `args` (one from
  // serviceAccountKubeconfig) takes the place of the admin one.
  std::string kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "");
  // Waits until every CustomResourceDefinition in `crds` (names such as autobuilds.autobuild.dev) is
  // Established (`control-plane wait-crd`); std::runtime_error naming the first one that is not after
  // `timeout`, or that does not exist.
  void waitForEstablished(const std::vector<std::string>& crds,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  std::string runScript(const std::string& command) const;

  std::string dir_;
  std::string kubeconfig_;
  std::string server_;
  std::string ca_data_;  // base64, as in the kubeconfig
  std::string kubectl_path_;
};

// The control plane of this test binary.
ControlPlane& controlPlane();

}  // namespace autobuild::testenv
