#include "api/conditions.h"

#include <algorithm>
#include <utility>

#include "kube/rfc3339.h"

namespace autobuild::api {

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [type](const Condition& condition) { return condition.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

Condition* findCondition(std::vector<Condition>& conditions, std::string_view type) {
  return const_cast<Condition*>(findCondition(std::as_const(conditions), type));
}

bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* condition = findCondition(conditions, type);
  return condition != nullptr && condition->status == kStatusTrue;
}

bool setCondition(std::vector<Condition>& conditions, Condition condition,
                  std::chrono::system_clock::time_point now) {
  Condition* existing = findCondition(conditions, condition.type);
  if (existing == nullptr) {
    condition.last_transition_time = kube::formatRfc3339(now);
    conditions.push_back(std::move(condition));
    return true;
  }
  const bool transition = existing->status != condition.status || existing->last_transition_time.empty();
  condition.last_transition_time = transition ? kube::formatRfc3339(now) : existing->last_transition_time;
  const bool changed = existing->status != condition.status || existing->reason != condition.reason ||
                       existing->message != condition.message ||
                       existing->observed_generation != condition.observed_generation ||
                       existing->last_transition_time != condition.last_transition_time;
  *existing = std::move(condition);
  return changed;
}

bool removeCondition(std::vector<Condition>& conditions, std::string_view type) {
  return std::erase_if(conditions, [type](const Condition& condition) { return condition.type == type; }) > 0;
}

}  // namespace autobuild::api
