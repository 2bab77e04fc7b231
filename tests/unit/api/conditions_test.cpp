#include "api/conditions.h"

#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

using std::chrono::system_clock;

// 2026-11-23T10:00:00Z
const system_clock::time_point kT0 = system_clock::from_time_t(1795428000);
const system_clock::time_point kT1 = kT0 + std::chrono::minutes(5);

Condition ready(const char* status, const char* reason, const char* message, std::int64_t generation = 1) {
  return Condition{kConditionReady, status, reason, message, generation, ""};
}

TEST(SetCondition, AddsANewConditionStampedNow) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT0));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].type, "Ready");
  EXPECT_EQ(conditions[0].status, "True");
  EXPECT_EQ(conditions[0].reason, "WebhookReady");
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:00:00Z");
}

TEST(SetCondition, KeepsTheTransitionTimeWhileTheStatusStaysTheSame) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready(kStatusFalse, kReasonSecretNotFound, "secret shop/web-webhook not found"),
               kT0);
  EXPECT_TRUE(setCondition(conditions,
                           ready(kStatusFalse, kReasonTargetNotFound, "deployment web not found", 2), kT1));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].reason, "TargetNotFound");
  EXPECT_EQ(conditions[0].message, "deployment web not found");
  EXPECT_EQ(conditions[0].observed_generation, 2);
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:00:00Z");
}

TEST(SetCondition, StampsNowWhenTheStatusChanges) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready(kStatusFalse, kReasonSecretNotFound, "missing"), kT0);
  EXPECT_TRUE(setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT1));
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:05:00Z");
}

TEST(SetCondition, IgnoresTheCallersTransitionTime) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT0);
  Condition same = ready(kStatusTrue, kReasonWebhookReady, "ok");
  same.last_transition_time = "1999-01-01T00:00:00Z";
  EXPECT_FALSE(setCondition(conditions, same, kT1));
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:00:00Z");
}

TEST(SetCondition, ReportsNoChangeWhenNothingChanged) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT0);
  EXPECT_FALSE(setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT1));
  EXPECT_TRUE(setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok", 2), kT1));
}

TEST(SetCondition, StampsAConditionReadWithoutATransitionTime) {
  std::vector<Condition> conditions{ready(kStatusTrue, kReasonWebhookReady, "ok")};
  EXPECT_TRUE(setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT1));
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:05:00Z");
}

TEST(SetCondition, LeavesOtherTypesAndTheirOrderAlone) {
  std::vector<Condition> conditions;
  setCondition(conditions, Condition{"Building", kStatusTrue, "JobRunning", "", 1, ""}, kT0);
  setCondition(conditions, ready(kStatusFalse, kReasonSuspended, "suspended"), kT0);
  setCondition(conditions, Condition{"Building", kStatusFalse, "JobSucceeded", "", 1, ""}, kT1);
  ASSERT_EQ(conditions.size(), 2u);
  EXPECT_EQ(conditions[0].type, "Building");
  EXPECT_EQ(conditions[0].reason, "JobSucceeded");
  EXPECT_EQ(conditions[0].last_transition_time, "2026-11-23T10:05:00Z");
  EXPECT_EQ(conditions[1].type, "Ready");
  EXPECT_EQ(conditions[1].last_transition_time, "2026-11-23T10:00:00Z");
}

TEST(FindCondition, FindsByTypeOrReturnsNull) {
  std::vector<Condition> conditions;
  EXPECT_EQ(findCondition(conditions, kConditionReady), nullptr);
  EXPECT_FALSE(isConditionTrue(conditions, kConditionReady));
  setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT0);
  const std::vector<Condition>& view = conditions;
  ASSERT_NE(findCondition(view, "Ready"), nullptr);
  EXPECT_EQ(findCondition(view, "Ready")->reason, "WebhookReady");
  EXPECT_EQ(findCondition(view, "Building"), nullptr);
  EXPECT_TRUE(isConditionTrue(conditions, kConditionReady));
  findCondition(conditions, "Ready")->status = kStatusUnknown;
  EXPECT_FALSE(isConditionTrue(conditions, kConditionReady));
}

TEST(RemoveCondition, RemovesOnlyThatType) {
  std::vector<Condition> conditions;
  setCondition(conditions, ready(kStatusTrue, kReasonWebhookReady, "ok"), kT0);
  EXPECT_FALSE(removeCondition(conditions, "Building"));
  EXPECT_TRUE(removeCondition(conditions, "Ready"));
  EXPECT_TRUE(conditions.empty());
}

TEST(ReadyReasons, AreTheNamesOfTheSpec) {
  EXPECT_STREQ(kReasonWebhookReady, "WebhookReady");
  EXPECT_STREQ(kReasonSecretNotFound, "SecretNotFound");
  EXPECT_STREQ(kReasonSecretInvalid, "SecretInvalid");
  EXPECT_STREQ(kReasonTargetNotFound, "TargetNotFound");
  EXPECT_STREQ(kReasonInvalidSpec, "InvalidSpec");
  EXPECT_STREQ(kReasonSuspended, "Suspended");
}

}  // namespace
}  // namespace autobuild::api
