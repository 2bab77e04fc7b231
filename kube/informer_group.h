// The informers of one resource across the namespaces a process watches: one Informer per namespace, or a
// single one for all namespaces, read as one cache.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kube/informer.h"

namespace autobuild::kube {

class InformerGroup {
 public:
  // `namespaces` empty: all namespaces. `options.ns` is ignored.
  InformerGroup(std::shared_ptr<Client> client, const Resource& resource,
                const std::vector<std::string>& namespaces, InformerOptions options = {});

  // Before start() only.
  void addHandlers(const InformerHandlers& handlers);
  void addIndex(const std::string& name, const Informer::IndexFunc& func);

  void start();
  void stop();
  bool hasSynced() const;
  bool waitForSync(std::chrono::milliseconds timeout) const;

  ObjectPtr get(const std::string& key) const;  // "<namespace>/<name>"
  std::vector<std::string> keys() const;
  std::vector<ObjectPtr> byIndex(const std::string& index, const std::string& value) const;
  bool indexed(const std::string& index, const std::string& value) const;
  std::size_t size() const;

 private:
  const Informer* forKey(const std::string& key) const;

  bool all_namespaces_;
  std::vector<std::string> namespaces_;  // parallel to informers_ when !all_namespaces_
  std::vector<std::unique_ptr<Informer>> informers_;
};

}  // namespace autobuild::kube
