// Every autobuild.dev/revision the pod templates of a namespace's Deployments carried, read off a watch:
// the rollouts that happened, counted on the API server's side. A later rollout overwrites the
// annotation, and the Deployment controller creates a ReplicaSet only for the template it sees when it
// syncs (two rollouts close together may leave one), so neither the final object nor the ReplicaSets
// tell every rollout; each write is an event of the watch, and the watch resumes from the last
// resourceVersion it saw when the API server goes away (the test control plane serves watches from etcd,
// which keeps that history), so no write is missed.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "kube/client.h"
#include "kube/watch_stream.h"

namespace autobuild::e2e {

class RevisionLog {
 public:
  // Starts watching `ns`'s Deployments from now.
  RevisionLog(const std::string& kubeconfig, std::string ns);
  ~RevisionLog();
  RevisionLog(const RevisionLog&) = delete;
  RevisionLog& operator=(const RevisionLog&) = delete;

  // Deployment name -> every revision its template carried since the log began.
  std::map<std::string, std::set<std::string>> revisions() const;
  // Why events may have been missed (the watch got 410 Gone), "" when none were.
  std::string gap() const;
  // Waits until the log has seen every write to the namespace's Deployments so far; false if it did not
  // within `timeout`.
  bool catchUp(std::chrono::milliseconds timeout);

 private:
  void run();

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  mutable std::mutex mutex_;
  std::map<std::string, std::set<std::string>> revisions_;
  std::string resource_version_;
  std::string gap_;
  kube::WatchStream* stream_ = nullptr;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace autobuild::e2e
