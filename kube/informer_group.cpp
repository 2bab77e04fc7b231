#include "kube/informer_group.h"

#include <algorithm>

namespace autobuild::kube {

InformerGroup::InformerGroup(std::shared_ptr<Client> client, const Resource& resource,
                             const std::vector<std::string>& namespaces, InformerOptions options)
    : all_namespaces_(namespaces.empty()), namespaces_(namespaces) {
  if (all_namespaces_) {
    options.ns = "";
    informers_.push_back(std::make_unique<Informer>(client, resource, options));
    return;
  }
  for (const auto& ns : namespaces_) {
    options.ns = ns;
    informers_.push_back(std::make_unique<Informer>(client, resource, options));
  }
}

void InformerGroup::addHandlers(const InformerHandlers& handlers) {
  for (auto& i : informers_) i->addHandlers(handlers);
}

void InformerGroup::addIndex(const std::string& name, const Informer::IndexFunc& func) {
  for (auto& i : informers_) i->addIndex(name, func);
}

void InformerGroup::start() {
  for (auto& i : informers_) i->start();
}

void InformerGroup::stop() {
  for (auto& i : informers_) i->stop();
}

bool InformerGroup::hasSynced() const {
  return std::all_of(informers_.begin(), informers_.end(), [](const auto& i) { return i->hasSynced(); });
}

bool InformerGroup::waitForSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& i : informers_) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!i->waitForSync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

const Informer* InformerGroup::forKey(const std::string& key) const {
  if (all_namespaces_) return informers_.front().get();
  auto ns = key.substr(0, key.find('/'));
  for (std::size_t i = 0; i < namespaces_.size(); ++i) {
    if (namespaces_[i] == ns) return informers_[i].get();
  }
  return nullptr;
}

ObjectPtr InformerGroup::get(const std::string& key) const {
  const Informer* informer = forKey(key);
  return informer ? informer->get(key) : nullptr;
}

std::vector<std::string> InformerGroup::keys() const {
  std::vector<std::string> out;
  for (const auto& i : informers_) {
    auto part = i->keys();
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<ObjectPtr> InformerGroup::byIndex(const std::string& index, const std::string& value) const {
  std::vector<ObjectPtr> out;
  for (const auto& i : informers_) {
    auto part = i->byIndex(index, value);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

bool InformerGroup::indexed(const std::string& index, const std::string& value) const {
  for (const auto& i : informers_) {
    if (i->indexed(index, value)) return true;
  }
  return false;
}

std::size_t InformerGroup::size() const {
  std::size_t n = 0;
  for (const auto& i : informers_) n += i->size();
  return n;
}

}  // namespace autobuild::kube
