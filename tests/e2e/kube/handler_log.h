// What an Informer's handlers were called with, in order, for tests to wait on and inspect.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "kube/informer.h"

namespace autobuild::kube::e2e {

struct HandlerCall {
  enum class Kind { Add, Update, Delete } kind;
  ObjectPtr old_object;  // Update only
  ObjectPtr object;

  std::string name() const { return object->at("metadata").at("name"); }
  std::string resourceVersion() const { return object->at("metadata").value("resourceVersion", ""); }
  // "add x", "update x", "delete x": for readable expectations.
  std::string summary() const;
};

class HandlerLog {
 public:
  InformerHandlers handlers();

  std::vector<HandlerCall> calls() const;
  // The summaries of the calls about objects named in `names`, in order.
  std::vector<std::string> summariesFor(const std::vector<std::string>& names) const;
  // Waits until `done` holds for the calls so far; false after `timeout`.
  bool waitFor(const std::function<bool(const std::vector<HandlerCall>&)>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // Waits until a call with this summary was made.
  bool waitForCall(const std::string& summary,
                   std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

 private:
  void append(HandlerCall call);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<HandlerCall> calls_;
};

}  // namespace autobuild::kube::e2e
