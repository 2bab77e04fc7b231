#include "api/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

json fullObject() {
  return json::parse(R"({
    "apiVersion": "autobuild.dev/v1alpha1",
    "kind": "AutoBuild",
    "metadata": {"name": "web", "namespace": "shop", "uid": "6f1c", "resourceVersion": "4711", "generation": 3,
                 "labels": {"team": "shop"}, "finalizers": ["example.com/keep"]},
    "spec": {
      "source": {"type": "GitHub", "repository": "acme/web", "branches": ["main", "release-*"],
                 "futureSourceField": true},
      "trigger": {"keyword": "ship"},
      "secretRef": {"name": "web-hook", "key": "token"},
      "target": {"kind": "StatefulSet", "name": "web", "container": "app"},
      "build": {
        "image": "registry.example.com/acme/web",
        "template": {"metadata": {"labels": {"app": "build"}},
                     "spec": {"containers": [{"name": "build", "image": "moby/buildkit:rootless"}],
                              "nodeSelector": {"pool": "builders"}}},
        "timeout": "1h30m",
        "historyLimit": 2,
        "serviceAccountName": "builder",
        "pushSecretRef": {"name": "registry-push"}
      },
      "suspend": true,
      "futureSpecField": {"a": 1}
    },
    "status": {
      "observedGeneration": 2,
      "webhookPath": "/hooks/879462fc02536b99cddbd3cc9c8d150156de49e6",
      "webhookURL": "https://hooks.example.com/hooks/879462fc02536b99cddbd3cc9c8d150156de49e6",
      "conditions": [{"type": "Ready", "status": "True", "reason": "WebhookReady", "message": "ok",
                      "observedGeneration": 2, "lastTransitionTime": "2026-11-23T10:00:00Z"}],
      "lastTrigger": {"time": "2026-11-23T10:00:00Z", "source": "GitHub",
                      "deliveryID": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "revision": "1cdc0a9a",
                      "branch": "main", "message": "fix login @ship", "result": "RolledOut", "futureTriggerField": 7},
      "triggerCount": 12,
      "futureStatusField": "x"
    }
  })");
}

json minimalObject() {
  return json::parse(R"({
    "apiVersion": "autobuild.dev/v1alpha1", "kind": "AutoBuild",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"source": {"type": "GitHub"}, "target": {"name": "web"}}
  })");
}

std::vector<FieldError> errorsOf(const json& object) {
  return readAutoBuild(object).errors;
}

TEST(ReadAutoBuild, ReadsEveryField) {
  const ReadResult result = readAutoBuild(fullObject());
  ASSERT_THAT(result.errors, IsEmpty());
  const AutoBuild& ab = result.autobuild;
  EXPECT_EQ(ab.ns, "shop");
  EXPECT_EQ(ab.name, "web");
  EXPECT_EQ(ab.uid, "6f1c");
  EXPECT_EQ(ab.resource_version, "4711");
  EXPECT_EQ(ab.generation, 3);
  EXPECT_EQ(ab.spec.source.type, SourceType::GitHub);
  EXPECT_EQ(ab.spec.source.repository, "acme/web");
  EXPECT_THAT(ab.spec.source.branches, ElementsAre("main", "release-*"));
  EXPECT_EQ(ab.spec.trigger.keyword, "ship");
  EXPECT_EQ(ab.spec.secret_ref.name, "web-hook");
  EXPECT_EQ(ab.spec.secret_ref.key, "token");
  EXPECT_EQ(ab.spec.target.kind, TargetKind::StatefulSet);
  EXPECT_EQ(ab.spec.target.name, "web");
  EXPECT_EQ(ab.spec.target.container, "app");
  ASSERT_TRUE(ab.spec.build.has_value());
  EXPECT_EQ(ab.spec.build->image, "registry.example.com/acme/web");
  EXPECT_EQ(ab.spec.build->template_["spec"]["nodeSelector"]["pool"], "builders");
  EXPECT_EQ(ab.spec.build->timeout, "1h30m");
  EXPECT_EQ(ab.spec.build->history_limit, 2);
  EXPECT_EQ(ab.spec.build->service_account_name, "builder");
  ASSERT_TRUE(ab.spec.build->push_secret_ref.has_value());
  EXPECT_EQ(ab.spec.build->push_secret_ref->name, "registry-push");
  EXPECT_TRUE(ab.spec.suspend);
  EXPECT_EQ(ab.status.observed_generation, 2);
  EXPECT_EQ(ab.status.webhook_path, "/hooks/879462fc02536b99cddbd3cc9c8d150156de49e6");
  EXPECT_EQ(ab.status.webhook_url,
            "https://hooks.example.com/hooks/879462fc02536b99cddbd3cc9c8d150156de49e6");
  ASSERT_EQ(ab.status.conditions.size(), 1u);
  EXPECT_EQ(ab.status.conditions[0].type, "Ready");
  EXPECT_EQ(ab.status.conditions[0].status, "True");
  EXPECT_EQ(ab.status.conditions[0].reason, "WebhookReady");
  EXPECT_EQ(ab.status.conditions[0].message, "ok");
  EXPECT_EQ(ab.status.conditions[0].observed_generation, 2);
  EXPECT_EQ(ab.status.conditions[0].last_transition_time, "2026-11-23T10:00:00Z");
  ASSERT_TRUE(ab.status.last_trigger.has_value());
  EXPECT_EQ(ab.status.last_trigger->time, "2026-11-23T10:00:00Z");
  EXPECT_EQ(ab.status.last_trigger->source, "GitHub");
  EXPECT_EQ(ab.status.last_trigger->delivery_id, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  EXPECT_EQ(ab.status.last_trigger->revision, "1cdc0a9a");
  EXPECT_EQ(ab.status.last_trigger->branch, "main");
  EXPECT_EQ(ab.status.last_trigger->message, "fix login @ship");
  EXPECT_EQ(ab.status.last_trigger->result, "RolledOut");
  EXPECT_EQ(ab.status.trigger_count, 12);
  EXPECT_EQ(ab.raw, fullObject());
}

TEST(ReadAutoBuild, AbsentFieldsKeepTheTypeDefaults) {
  const ReadResult result = readAutoBuild(minimalObject());
  ASSERT_THAT(result.errors, IsEmpty());
  const AutoBuildSpec& spec = result.autobuild.spec;
  EXPECT_EQ(spec.trigger.keyword, "deploy");
  EXPECT_EQ(spec.secret_ref.key, "secret");
  EXPECT_EQ(spec.secret_ref.name, "");
  EXPECT_EQ(spec.target.kind, TargetKind::Deployment);
  EXPECT_EQ(spec.target.container, "");
  EXPECT_TRUE(spec.source.branches.empty());
  EXPECT_FALSE(spec.build.has_value());
  EXPECT_FALSE(spec.suspend);
  EXPECT_FALSE(result.autobuild.status.last_trigger.has_value());
  EXPECT_EQ(result.autobuild.status.trigger_count, 0);
}

TEST(ReadAutoBuild, AnExplicitEmptyKeywordStaysEmpty) {
  json object = minimalObject();
  object["spec"]["trigger"] = {{"keyword", ""}};
  EXPECT_EQ(parseAutoBuild(object).spec.trigger.keyword, "");
}

TEST(ReadAutoBuild, NullFieldsReadAsAbsent) {
  json object = minimalObject();
  object["spec"]["trigger"] = {{"keyword", nullptr}};
  object["spec"]["build"] = nullptr;
  object["spec"]["source"]["branches"] = nullptr;
  object["status"] = nullptr;
  const ReadResult result = readAutoBuild(object);
  ASSERT_THAT(result.errors, IsEmpty());
  EXPECT_EQ(result.autobuild.spec.trigger.keyword, "deploy");
  EXPECT_FALSE(result.autobuild.spec.build.has_value());
}

TEST(ReadAutoBuild, BuildFieldsDefaultWhenAbsent) {
  json object = minimalObject();
  object["spec"]["build"] = {{"image", "acme/web"}};
  const AutoBuild ab = parseAutoBuild(object);
  ASSERT_TRUE(ab.spec.build.has_value());
  EXPECT_EQ(ab.spec.build->timeout, "30m");
  EXPECT_EQ(ab.spec.build->history_limit, 5);
  EXPECT_TRUE(ab.spec.build->template_.is_null());
  EXPECT_EQ(ab.spec.build->service_account_name, "");
  EXPECT_FALSE(ab.spec.build->push_secret_ref.has_value());
}

TEST(ReadAutoBuild, ReadsEverySourceType) {
  for (const char* type : {"GitHub", "GitLab", "Gitee", "Gogs", "Gitea", "DockerHub", "API"}) {
    json object = minimalObject();
    object["spec"]["source"]["type"] = type;
    EXPECT_STREQ(toString(parseAutoBuild(object).spec.source.type), type);
  }
}

struct WrongField {
  json::json_pointer pointer;
  json value;
  FieldError expected;
};

TEST(ReadAutoBuild, WrongTypesAreReportedByPath) {
  const WrongField cases[] = {
      {"/metadata"_json_pointer, "web", {"metadata", "must be an object"}},
      {"/metadata/name"_json_pointer, 7, {"metadata.name", "must be a string"}},
      {"/metadata/generation"_json_pointer, "3", {"metadata.generation", "must be an integer"}},
      {"/metadata/generation"_json_pointer, 1.5, {"metadata.generation", "must be an integer"}},
      {"/spec/source/type"_json_pointer, 1, {"spec.source.type", "must be a string"}},
      {"/spec/source/type"_json_pointer,
       "Bitbucket",
       {"spec.source.type",
        "must be one of GitHub, GitLab, Gitee, Gogs, Gitea, DockerHub, API, not \"Bitbucket\""}},
      {"/spec/source/repository"_json_pointer,
       json::array({"acme/web"}),
       {"spec.source.repository", "must be a string"}},
      {"/spec/source/branches"_json_pointer, "main", {"spec.source.branches", "must be an array"}},
      {"/spec/source/branches"_json_pointer,
       json::array({"main", 1}),
       {"spec.source.branches[1]", "must be a string"}},
      {"/spec/source/tags"_json_pointer, json::object(), {"spec.source.tags", "must be an array"}},
      {"/spec/trigger"_json_pointer, "deploy", {"spec.trigger", "must be an object"}},
      {"/spec/trigger/keyword"_json_pointer, false, {"spec.trigger.keyword", "must be a string"}},
      {"/spec/secretRef/name"_json_pointer, 1, {"spec.secretRef.name", "must be a string"}},
      {"/spec/secretRef/key"_json_pointer, json::object(), {"spec.secretRef.key", "must be a string"}},
      {"/spec/target/kind"_json_pointer,
       "Pod",
       {"spec.target.kind", "must be one of Deployment, StatefulSet, DaemonSet, not \"Pod\""}},
      {"/spec/target/name"_json_pointer, 1, {"spec.target.name", "must be a string"}},
      {"/spec/target/container"_json_pointer, 1, {"spec.target.container", "must be a string"}},
      {"/spec/build"_json_pointer, true, {"spec.build", "must be an object"}},
      {"/spec/build/image"_json_pointer, 1, {"spec.build.image", "must be a string"}},
      {"/spec/build/template"_json_pointer, "pod", {"spec.build.template", "must be an object"}},
      {"/spec/build/timeout"_json_pointer, 30, {"spec.build.timeout", "must be a string"}},
      {"/spec/build/historyLimit"_json_pointer, "5", {"spec.build.historyLimit", "must be an integer"}},
      {"/spec/build/historyLimit"_json_pointer,
       4294967296LL,
       {"spec.build.historyLimit", "must be a 32-bit integer"}},
      {"/spec/build/serviceAccountName"_json_pointer,
       1,
       {"spec.build.serviceAccountName", "must be a string"}},
      {"/spec/build/pushSecretRef"_json_pointer,
       "registry",
       {"spec.build.pushSecretRef", "must be an object"}},
      {"/spec/build/pushSecretRef/name"_json_pointer,
       1,
       {"spec.build.pushSecretRef.name", "must be a string"}},
      {"/spec/suspend"_json_pointer, "true", {"spec.suspend", "must be a boolean"}},
      {"/status/observedGeneration"_json_pointer, "2", {"status.observedGeneration", "must be an integer"}},
      {"/status/webhookURL"_json_pointer, 1, {"status.webhookURL", "must be a string"}},
      {"/status/conditions"_json_pointer, json::object(), {"status.conditions", "must be an array"}},
      {"/status/conditions/0"_json_pointer, "Ready", {"status.conditions[0]", "must be an object"}},
      {"/status/conditions/0/status"_json_pointer, true, {"status.conditions[0].status", "must be a string"}},
      {"/status/lastTrigger"_json_pointer, 1, {"status.lastTrigger", "must be an object"}},
      {"/status/lastTrigger/deliveryID"_json_pointer,
       1,
       {"status.lastTrigger.deliveryID", "must be a string"}},
      {"/status/triggerCount"_json_pointer,
       18446744073709551615ULL,
       {"status.triggerCount", "must be a 64-bit integer"}},
  };
  for (const WrongField& c : cases) {
    json object = fullObject();
    object[c.pointer] = c.value;
    EXPECT_THAT(errorsOf(object), ElementsAre(c.expected))
        << c.pointer.to_string() << " = " << c.value.dump();
  }
}

TEST(ReadAutoBuild, AWrongFieldKeepsItsDefaultAndTheRestIsRead) {
  json object = fullObject();
  object["spec"]["source"]["branches"] = {"main", 1};
  object["spec"]["suspend"] = "yes";
  const ReadResult result = readAutoBuild(object);
  EXPECT_EQ(result.errors.size(), 2u);
  EXPECT_TRUE(result.autobuild.spec.source.branches.empty());
  EXPECT_FALSE(result.autobuild.spec.suspend);
  EXPECT_EQ(result.autobuild.spec.target.name, "web");
  EXPECT_EQ(result.autobuild.status.trigger_count, 12);
}

TEST(ReadAutoBuild, TheSourceTypeIsRequired) {
  json object = minimalObject();
  object["spec"]["source"].erase("type");
  EXPECT_THAT(errorsOf(object), ElementsAre(FieldError{"spec.source.type", "required"}));
  object["spec"].erase("source");
  EXPECT_THAT(errorsOf(object), ElementsAre(FieldError{"spec.source.type", "required"}));
  object.erase("spec");
  EXPECT_THAT(errorsOf(object), ElementsAre(FieldError{"spec.source.type", "required"}));
}

TEST(ReadAutoBuild, ANonObjectIsReportedAsAWhole) {
  for (const json& value : {json("web"), json::array(), json(nullptr), json(3)}) {
    EXPECT_THAT(errorsOf(value), ElementsAre(FieldError{"", "an AutoBuild must be a JSON object"}))
        << value.dump();
  }
}

TEST(ParseAutoBuild, ThrowsEveryErrorWithTheObjectsName) {
  json object = fullObject();
  object["spec"]["suspend"] = "yes";
  object["spec"]["target"]["kind"] = "Pod";
  try {
    parseAutoBuild(object);
    FAIL() << "expected InvalidAutoBuildError";
  } catch (const InvalidAutoBuildError& error) {
    EXPECT_STREQ(
        error.what(),
        "AutoBuild shop/web: spec.target.kind: must be one of Deployment, StatefulSet, DaemonSet, not "
        "\"Pod\"; spec.suspend: must be a boolean");
    EXPECT_EQ(error.errors().size(), 2u);
  }
}

TEST(ToJson, RoundTripKeepsEveryFieldIncludingUnknownOnes) {
  const AutoBuild ab = parseAutoBuild(fullObject());
  EXPECT_EQ(toJson(ab), fullObject());
}

TEST(ToJson, OverlaysChangesOnTheObjectAsRead) {
  AutoBuild ab = parseAutoBuild(fullObject());
  ab.spec.source.branches = {"main"};
  ab.spec.trigger.keyword = "";
  ab.spec.target.container = "";
  ab.spec.build->push_secret_ref.reset();
  ab.status.trigger_count = 13;
  ab.status.last_trigger->revision = "deadbeef";
  const json out = toJson(ab);
  EXPECT_EQ(out["spec"]["source"]["branches"], json::array({"main"}));
  EXPECT_EQ(out["spec"]["trigger"]["keyword"], "");
  EXPECT_FALSE(out["spec"]["target"].contains("container"));
  EXPECT_FALSE(out["spec"]["build"].contains("pushSecretRef"));
  EXPECT_EQ(out["status"]["triggerCount"], 13);
  EXPECT_EQ(out["status"]["lastTrigger"]["revision"], "deadbeef");
  EXPECT_EQ(out["status"]["lastTrigger"]["futureTriggerField"], 7);
  EXPECT_EQ(out["spec"]["source"]["futureSourceField"], true);
  EXPECT_EQ(out["spec"]["futureSpecField"], json({{"a", 1}}));
  EXPECT_EQ(out["metadata"]["finalizers"], json::array({"example.com/keep"}));
  EXPECT_EQ(parseAutoBuild(out).spec.source.branches, std::vector<std::string>{"main"});
}

TEST(ToJson, WritesAnObjectBuiltInCode) {
  AutoBuild ab;
  ab.ns = "shop";
  ab.name = "web";
  ab.spec.source.type = SourceType::DockerHub;
  ab.spec.source.repository = "acme/web";
  ab.spec.source.tags = {"v*"};
  ab.spec.target.name = "web";
  const json expected = json::parse(R"({
    "apiVersion": "autobuild.dev/v1alpha1", "kind": "AutoBuild",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"source": {"type": "DockerHub", "repository": "acme/web", "tags": ["v*"]},
             "trigger": {"keyword": "deploy"}, "secretRef": {"key": "secret"},
             "target": {"kind": "Deployment", "name": "web"}, "suspend": false},
    "status": {"observedGeneration": 0, "triggerCount": 0}
  })");
  EXPECT_EQ(toJson(ab), expected);
  const AutoBuild back = parseAutoBuild(toJson(ab));
  EXPECT_EQ(back.spec.source.type, SourceType::DockerHub);
  EXPECT_EQ(back.spec.source.tags, std::vector<std::string>{"v*"});
}

TEST(StatusToJson, IsTheStatusAloneOverlaidOnTheStatusAsRead) {
  AutoBuild ab = parseAutoBuild(fullObject());
  ab.status.observed_generation = 3;
  ab.status.conditions[0].status = "False";
  ab.status.conditions[0].reason = "SecretNotFound";
  const json status = statusToJson(ab);
  EXPECT_EQ(status["observedGeneration"], 3);
  EXPECT_EQ(status["conditions"],
            json::parse(R"([{"type": "Ready", "status": "False", "reason": "SecretNotFound",
      "message": "ok", "observedGeneration": 2, "lastTransitionTime": "2026-11-23T10:00:00Z"}])"));
  EXPECT_EQ(status["futureStatusField"], "x");
  EXPECT_FALSE(status.contains("spec"));
}

TEST(StatusToJson, LeavesOutWhatIsNotKnownYet) {
  AutoBuild ab = parseAutoBuild(minimalObject());
  ab.status.webhook_path = "/hooks/abc";
  EXPECT_EQ(statusToJson(ab), json::parse(R"({"observedGeneration": 0, "webhookPath": "/hooks/abc",
                                              "triggerCount": 0})"));
}

TEST(ConditionToJson, HasTheMetav1ConditionFields) {
  const Condition condition{
      "Ready", "False", "InvalidSpec", "spec.target.name: required", 0, "2026-11-23T10:00:00Z"};
  EXPECT_EQ(toJson(condition), json::parse(R"({"type": "Ready", "status": "False", "reason": "InvalidSpec",
      "message": "spec.target.name: required", "lastTransitionTime": "2026-11-23T10:00:00Z"})"));
}

TEST(JsonTest, BuildStatusRoundTrips) {
  json object = json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"source": {"type": "GitHub"}, "target": {"name": "web"}},
    "status": {"build": {
      "current": {"revision": "2222", "jobName": "web-2222", "phase": "Running",
                  "startTime": "2026-11-23T10:01:00Z"},
      "last": {"revision": "1111", "jobName": "web-1111", "phase": "Failed",
               "startTime": "2026-11-23T10:00:00Z", "completionTime": "2026-11-23T10:00:30Z"}}}
  })");
  ReadResult read = readAutoBuild(object);
  ASSERT_THAT(read.errors, IsEmpty());
  ASSERT_TRUE(read.autobuild.status.build);
  ASSERT_TRUE(read.autobuild.status.build->current);
  EXPECT_EQ(read.autobuild.status.build->current->job_name, "web-2222");
  EXPECT_EQ(read.autobuild.status.build->current->completion_time, "");
  ASSERT_TRUE(read.autobuild.status.build->last);
  EXPECT_EQ(read.autobuild.status.build->last->phase, "Failed");
  EXPECT_EQ(statusToJson(read.autobuild)["build"], object["status"]["build"]);

  read.autobuild.status.build.reset();
  EXPECT_FALSE(statusToJson(read.autobuild).contains("build"));
}

}  // namespace
}  // namespace autobuild::api
