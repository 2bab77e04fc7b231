// A proxy between one operator process and the test control plane's API server, for fault tests. It
// terminates TLS with the API server's own serving certificate (which names 127.0.0.1) and forwards each
// connection over a TLS connection of its own, authenticated with the control plane's admin client
// certificate, so it sees every HTTP request and can:
//   - record it (method, target, time): the API server's view of what the process asked, independent of
//     the process's own metrics, e.g. to count LIST requests (relists) across an outage;
//   - delay the answer to the requests a rule picks (a slow API server), the request itself reaching the
//     API server at once, so a write may be applied while its answer is still on its way;
//   - block watches (close those open and every new one), so the process's caches fall behind while its
//     other requests go through.
// When the API server is down the proxy closes each connection it accepts, as a load balancer in front
// of a stopped API server does.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {

struct ProxiedRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, as sent
  std::chrono::steady_clock::time_point at;
  // A watch whose stream carried an ERROR event with 410 Gone (its resourceVersion was compacted away).
  bool gone = false;

  std::string path() const;
  // The resource's plural ("deployments", "autobuilds"), "" when the path names none.
  std::string resource() const;
  bool isWatch() const;
  // A GET of a collection that is not a watch: what an informer sends to (re)fill its cache.
  bool isList() const;
};

class ApiServerProxy {
 public:
  // How long to hold the answer to `request`; zero: none.
  using DelayRule = std::function<std::chrono::milliseconds(const ProxiedRequest& request)>;

  // Listens on a free port of 127.0.0.1 in front of `control_plane`'s API server and writes a kubeconfig
  // naming the proxy (the admin kubeconfig otherwise) as `<control plane dir>/<name>.kubeconfig`.
  ApiServerProxy(const testenv::ControlPlane& control_plane, const std::string& name);
  ~ApiServerProxy();  // closes every connection
  ApiServerProxy(const ApiServerProxy&) = delete;
  ApiServerProxy& operator=(const ApiServerProxy&) = delete;

  const std::string& kubeconfig() const;

  // Every request seen so far, in arrival order.
  std::vector<ProxiedRequest> requests() const;
  void setDelay(DelayRule rule);  // an empty rule delays nothing
  // Blocking closes the watches open now and every watch request until unblocked.
  void blockWatches(bool blocked);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace autobuild::e2e
