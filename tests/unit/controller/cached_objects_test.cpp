#include "controller/cached_objects.h"

#include <gtest/gtest.h>

#include "api/json.h"
#include "api/secret_references.h"
#include "kube/informer.h"

namespace autobuild::controller {
namespace {

using nlohmann::json;

// An AutoBuild as the API server sends it after `kubectl apply`, a controller pass and a trigger.
json fullAutoBuild() {
  return json::parse(R"({
    "apiVersion": "autobuild.dev/v1alpha1", "kind": "AutoBuild",
    "metadata": {
      "name": "web", "namespace": "shop", "uid": "5f0c", "resourceVersion": "812", "generation": 3,
      "creationTimestamp": "2026-11-23T10:00:00Z", "deletionTimestamp": "2026-11-23T11:00:00Z",
      "labels": {"team": "web"},
      "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"spec\":{}}"},
      "finalizers": ["example.com/keep"],
      "managedFields": [{"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:spec": {}}}]
    },
    "spec": {"source": {"type": "GitHub", "repository": "acme/web"}, "target": {"name": "web"},
             "build": {"image": "registry.example.com/acme/web"}},
    "status": {
      "observedGeneration": 3, "webhookPath": "/hooks/abc", "webhookURL": "https://hooks.example.com/hooks/abc",
      "conditions": [{"type": "Ready", "status": "True", "reason": "WebhookReady", "message": "POST ...",
                      "observedGeneration": 3, "lastTransitionTime": "2026-11-23T10:00:01Z"}],
      "build": {"last": {"revision": "1cdc0a9a", "jobName": "web-1cdc0a9a", "phase": "Succeeded"}},
      "lastTrigger": {"time": "2026-11-23T10:30:00Z", "source": "GitHub", "result": "RolledOut"},
      "triggerCount": 12
    }
  })");
}

TEST(TrimAutoBuild, KeepsWhatTheControllerReadsAndNothingElse) {
  json full = fullAutoBuild();
  json trimmed = trimAutoBuild(full);
  EXPECT_EQ(trimmed["metadata"], json::parse(R"({"name": "web", "namespace": "shop", "uid": "5f0c",
      "resourceVersion": "812", "generation": 3, "deletionTimestamp": "2026-11-23T11:00:00Z"})"));
  EXPECT_EQ(trimmed["spec"], full["spec"]);
  json status = full["status"];
  status.erase("lastTrigger");
  status.erase("triggerCount");
  EXPECT_EQ(trimmed["status"], status);
  EXPECT_EQ(trimmed.size(), 3u) << trimmed.dump();
  EXPECT_EQ(kube::objectKey(trimmed), "shop/web");
}

TEST(TrimAutoBuild, ReadsBackAsTheSameAutoBuildLessTheWebhooksFields) {
  api::ReadResult full = api::readAutoBuild(fullAutoBuild());
  api::ReadResult trimmed = api::readAutoBuild(trimAutoBuild(fullAutoBuild()));
  ASSERT_TRUE(trimmed.errors.empty());
  EXPECT_EQ(api::toJson(trimmed.autobuild)["spec"], api::toJson(full.autobuild)["spec"]);
  EXPECT_EQ(trimmed.autobuild.uid, "5f0c");
  EXPECT_EQ(trimmed.autobuild.resource_version, "812");
  EXPECT_EQ(trimmed.autobuild.generation, 3);
  EXPECT_EQ(trimmed.autobuild.status.observed_generation, 3);
  EXPECT_EQ(trimmed.autobuild.status.webhook_url, "https://hooks.example.com/hooks/abc");
  ASSERT_EQ(trimmed.autobuild.status.conditions.size(), 1u);
  EXPECT_EQ(trimmed.autobuild.status.conditions[0].last_transition_time, "2026-11-23T10:00:01Z");
  ASSERT_TRUE(trimmed.autobuild.status.build && trimmed.autobuild.status.build->last);
  EXPECT_EQ(trimmed.autobuild.status.build->last->job_name, "web-1cdc0a9a");
  EXPECT_FALSE(trimmed.autobuild.status.last_trigger);
}

TEST(TrimAutoBuild, AnAutoBuildWithoutStatusOrWithAMalformedOneStaysReadable) {
  json fresh = fullAutoBuild();
  fresh.erase("status");
  EXPECT_FALSE(trimAutoBuild(fresh).contains("status"));

  json malformed = fullAutoBuild();
  malformed["status"] = "not an object";
  malformed["metadata"]["generation"] = "three";
  json trimmed = trimAutoBuild(malformed);
  EXPECT_FALSE(trimmed.contains("status"));
  // The reader still reports what is wrong with what is kept.
  api::ReadResult read = api::readAutoBuild(trimmed);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors[0].path, "metadata.generation");
}

TEST(TrimSecret, KeepsTheDataOfAReferencedSecretAndItsIdentity) {
  api::SecretReferences references;
  references.set("shop/web", "shop/web-webhook");
  json secret = json::parse(R"({
    "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
    "metadata": {"name": "web-webhook", "namespace": "shop", "uid": "77aa", "resourceVersion": "9",
                 "labels": {"app.kubernetes.io/managed-by": "autobuild"},
                 "ownerReferences": [{"kind": "AutoBuild", "name": "web", "uid": "5f0c"}],
                 "managedFields": [{"manager": "autobuild"}]},
    "data": {"secret": "czNjcjN0"}
  })");
  json trimmed = trimSecret(references.trim(secret));
  EXPECT_EQ(trimmed, json::parse(R"({"metadata": {"name": "web-webhook", "namespace": "shop",
      "resourceVersion": "9"}, "data": {"secret": "czNjcjN0"}})"));
  api::SecretValue value = api::secretValue(trimmed, "secret");
  EXPECT_EQ(value.state, api::SecretValueState::Present);
  EXPECT_EQ(value.value, "s3cr3t");
}

TEST(TrimSecret, AnUnreferencedSecretStaysMarkedAsNotCached) {
  api::SecretReferences references;
  json secret = {{"metadata", {{"name", "other"}, {"namespace", "shop"}, {"resourceVersion", "4"}}},
                 {"data", {{"secret", "czNjcjN0"}}}};
  json trimmed = trimSecret(references.trim(secret));
  EXPECT_FALSE(trimmed.contains("data"));
  EXPECT_EQ(api::secretValue(trimmed, "secret").state, api::SecretValueState::NotCached);
}

TEST(IdentityOnly, KeepsTheTargetsIdentity) {
  json deployment = {{"apiVersion", "apps/v1"},
                     {"kind", "Deployment"},
                     {"metadata",
                      {{"name", "web"},
                       {"namespace", "shop"},
                       {"uid", "1"},
                       {"resourceVersion", "2"},
                       {"labels", {{"app", "web"}}}}},
                     {"spec", {{"replicas", 3}}}};
  EXPECT_EQ(
      identityOnly(deployment),
      json({{"metadata", {{"name", "web"}, {"namespace", "shop"}, {"uid", "1"}, {"resourceVersion", "2"}}}}));
}

}  // namespace
}  // namespace autobuild::controller
