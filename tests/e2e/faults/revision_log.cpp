#include "tests/e2e/faults/revision_log.h"

#include <algorithm>
#include <chrono>

#include "kube/config.h"
#include "tests/e2e/support/eventually.h"

namespace autobuild::e2e {
namespace {

std::string revisionOf(const nlohmann::json& deployment) {
  return deployment.value("spec", nlohmann::json::object())
      .value("template", nlohmann::json::object())
      .value("metadata", nlohmann::json::object())
      .value("annotations", nlohmann::json::object())
      .value("autobuild.dev/revision", "");
}

// The test control plane's resourceVersions are etcd revisions: numbers that grow with every write.
long long versionNumber(const std::string& resource_version) {
  return resource_version.empty() ? 0 : std::stoll(resource_version);
}

}  // namespace

RevisionLog::RevisionLog(const std::string& kubeconfig, std::string ns)
    : client_(std::make_shared<kube::Client>(kube::loadKubeconfig(kubeconfig))), ns_(std::move(ns)) {
  auto page = client_->listAll(kube::resources::Deployments, ns_);
  for (const auto& d : page.items) {
    std::string revision = revisionOf(d);
    if (!revision.empty()) revisions_[d["metadata"].value("name", "")].insert(revision);
  }
  resource_version_ = page.resource_version;
  thread_ = std::thread([this] { run(); });
}

RevisionLog::~RevisionLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (stream_) stream_->cancel();
  }
  thread_.join();
}

std::map<std::string, std::set<std::string>> RevisionLog::revisions() const {
  std::lock_guard lock(mutex_);
  return revisions_;
}

std::string RevisionLog::gap() const {
  std::lock_guard lock(mutex_);
  return gap_;
}

bool RevisionLog::catchUp(std::chrono::milliseconds timeout) {
  return eventually(
      [&] {
        // Events come in the order of the writes: once the log has seen the latest write of any of the
        // Deployments, it has seen every write before it.
        long long latest = 0;
        for (const auto& d : client_->list(kube::resources::Deployments, ns_).items) {
          latest = std::max(latest, versionNumber(d["metadata"].value("resourceVersion", "")));
        }
        std::lock_guard lock(mutex_);
        return versionNumber(resource_version_) >= latest;
      },
      timeout);
}

void RevisionLog::run() {
  auto pause = [this] {
    for (int i = 0; i < 4; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  };
  while (true) {
    std::string from;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      from = resource_version_;
    }
    try {
      kube::WatchOptions options;
      options.resource_version = from;
      options.allow_bookmarks = false;
      options.timeout_seconds = 600;
      auto stream = client_->watch(kube::resources::Deployments, ns_, options);
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stream_ = stream.get();
      }
      // Unregistered before the stream is destroyed, however this scope ends: the destructor may be
      // cancelling it from another thread.
      struct Unregister {
        RevisionLog* log;
        ~Unregister() {
          std::lock_guard lock(log->mutex_);
          log->stream_ = nullptr;
        }
      } unregister{this};
      while (auto event = stream->next()) {
        if (event->type == kube::WatchEvent::Type::Bookmark) continue;
        std::lock_guard lock(mutex_);
        std::string revision = revisionOf(event->object);
        if (!revision.empty()) revisions_[event->object["metadata"].value("name", "")].insert(revision);
        resource_version_ = event->object["metadata"].value("resourceVersion", resource_version_);
      }
    } catch (const kube::ApiError& e) {
      if (e.isGone()) {
        // The history it would resume from is gone: a relist would show only the state now.
        std::lock_guard lock(mutex_);
        gap_ = e.what();
        return;
      }
    } catch (const std::exception&) {
      // The API server went away (or is starting): resume from the last version seen.
    }
    if (!pause()) return;
  }
}

}  // namespace autobuild::e2e
