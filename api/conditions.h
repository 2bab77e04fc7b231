// metav1.Condition lists kept the standard way (as apimachinery's meta.SetStatusCondition does), and
// the Ready condition's type and reasons (SPEC section 2, docs/api.md).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "api/autobuild.h"

namespace autobuild::api {

inline constexpr const char* kConditionReady = "Ready";

inline constexpr const char* kStatusTrue = "True";
inline constexpr const char* kStatusFalse = "False";
inline constexpr const char* kStatusUnknown = "Unknown";

// Reasons of the Ready condition.
inline constexpr const char* kReasonWebhookReady = "WebhookReady";      // True: the webhook URL works
inline constexpr const char* kReasonSecretNotFound = "SecretNotFound";  // the referenced Secret is missing
inline constexpr const char* kReasonSecretInvalid =
    "SecretInvalid";  // the Secret lacks the key, or it is empty
inline constexpr const char* kReasonTargetNotFound = "TargetNotFound";  // the target workload does not exist
inline constexpr const char* kReasonInvalidSpec = "InvalidSpec";        // the message names the field
inline constexpr const char* kReasonSuspended = "Suspended";            // spec.suspend is true

// The condition of this type, or nullptr.
const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);
Condition* findCondition(std::vector<Condition>& conditions, std::string_view type);

// True when the condition of this type exists with status "True".
bool isConditionTrue(const std::vector<Condition>& conditions, std::string_view type);

// Adds `condition`, or updates the one of the same type in place (keeping its position). Its
// lastTransitionTime becomes `now` when the condition is new or its status changes, and is kept
// otherwise, whatever `condition.last_transition_time` says. Returns true when anything changed, so a
// caller can skip a status write that would change nothing.
bool setCondition(std::vector<Condition>& conditions, Condition condition,
                  std::chrono::system_clock::time_point now);

// Removes the condition of this type; true when there was one.
bool removeCondition(std::vector<Condition>& conditions, std::string_view type);


}  // namespace autobuild::api
