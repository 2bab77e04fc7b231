#include "handler_log.h"

#include <algorithm>

namespace autobuild::kube::e2e {

std::string HandlerCall::summary() const {
  switch (kind) {
    case Kind::Add:
      return "add " + name();
    case Kind::Update:
      return "update " + name();
    case Kind::Delete:
      return "delete " + name();
  }
  return "";
}

InformerHandlers HandlerLog::handlers() {
  InformerHandlers handlers;
  handlers.on_add = [this](const ObjectPtr& object) { append({HandlerCall::Kind::Add, nullptr, object}); };
  handlers.on_update = [this](const ObjectPtr& old_object, const ObjectPtr& object) {
    append({HandlerCall::Kind::Update, old_object, object});
  };
  handlers.on_delete = [this](const ObjectPtr& object) {
    append({HandlerCall::Kind::Delete, nullptr, object});
  };
  return handlers;
}

void HandlerLog::append(HandlerCall call) {
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
  }
  changed_.notify_all();
}

std::vector<HandlerCall> HandlerLog::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> HandlerLog::summariesFor(const std::vector<std::string>& names) const {
  std::vector<std::string> summaries;
  for (const auto& call : calls()) {
    if (std::find(names.begin(), names.end(), call.name()) != names.end())
      summaries.push_back(call.summary());
  }
  return summaries;
}

bool HandlerLog::waitFor(const std::function<bool(const std::vector<HandlerCall>&)>& done,
                         std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(calls_); });
}

bool HandlerLog::waitForCall(const std::string& summary, std::chrono::milliseconds timeout) const {
  return waitFor(
      [&](const std::vector<HandlerCall>& calls) {
        return std::any_of(calls.begin(), calls.end(),
                           [&](const HandlerCall& c) { return c.summary() == summary; });
      },
      timeout);
}

}  // namespace autobuild::kube::e2e
