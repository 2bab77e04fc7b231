#include "api/build_job.h"

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

using nlohmann::json;

constexpr const char* kSha = "1cdc0a9a6f2e4b7d8c9e0f1a2b3c4d5e6f708192";

AutoBuild webWithBuild() {
  AutoBuild ab;
  ab.ns = "shop";
  ab.name = "web";
  ab.uid = "6f1c-uid";
  ab.spec.source.type = SourceType::GitHub;
  Build build;
  build.image = "registry.example.com/acme/web";
  build.timeout = "20m";
  build.template_ = json::parse(R"({
    "metadata": {"name": "dropped", "labels": {"app": "build"}, "annotations": {"note": "kept"}},
    "spec": {"containers": [
      {"name": "build", "image": "moby/buildkit:rootless", "command": ["buildctl-daemonless.sh"],
       "args": ["--output", "type=image,name=$(IMAGE),push=true"],
       "env": [{"name": "IMAGE", "value": "stale"}, {"name": "KEEP", "value": "1"}]},
      {"name": "sidecar", "image": "busybox", "env": [{"name": "DOCKER_CONFIG", "value": "/mine"}]}],
      "nodeSelector": {"pool": "builders"}}
  })");
  ab.spec.build = build;
  return ab;
}

BuildRequest request() {
  return {"https://github.com/acme/web.git", kSha, "main", "GitHub/delivery-1",
          "2026-11-23T10:00:00.123456Z"};
}

std::string envOf(const json& container, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& var : container.at("env")) {
    if (var.at("name") == name) {
      found = var.at("value").get<std::string>();
      ++count;
    }
  }
  EXPECT_LE(count, 1) << "env " << name << " defined twice";
  return found;
}

TEST(BuildJobTest, NamesTheJobAndImageAfterTheRevisionPrefix) {
  AutoBuild ab = webWithBuild();
  EXPECT_EQ(buildJobName(ab, kSha), "web-1cdc0a9a6f2e");
  EXPECT_EQ(buildImage(*ab.spec.build, kSha), "registry.example.com/acme/web:1cdc0a9a6f2e");
  json job = buildJob(ab, request());
  EXPECT_EQ(job["apiVersion"], "batch/v1");
  EXPECT_EQ(job["kind"], "Job");
  EXPECT_EQ(job["metadata"]["name"], "web-1cdc0a9a6f2e");
  EXPECT_EQ(job["metadata"]["namespace"], "shop");
}

TEST(BuildJobTest, IsOwnedByTheAutoBuildAndLabelled) {
  json job = buildJob(webWithBuild(), request());
  const json& owner = job["metadata"]["ownerReferences"].at(0);
  EXPECT_EQ(owner["apiVersion"], "autobuild.dev/v1alpha1");
  EXPECT_EQ(owner["kind"], "AutoBuild");
  EXPECT_EQ(owner["name"], "web");
  EXPECT_EQ(owner["uid"], "6f1c-uid");
  EXPECT_EQ(owner["controller"], true);
  EXPECT_EQ(job["metadata"]["labels"][kAutoBuildLabel], "web");
  EXPECT_EQ(job["metadata"]["labels"][kBuildRevisionLabel], "1cdc0a9a6f2e");
}

TEST(BuildJobTest, AnnotationsCarryWhatTheRolloutNeeds) {
  json annotations = buildJob(webWithBuild(), request())["metadata"]["annotations"];
  EXPECT_EQ(annotations[kBuildRevisionAnnotation], kSha);
  EXPECT_EQ(annotations[kBuildBranchAnnotation], "main");
  EXPECT_EQ(annotations[kBuildTriggerAnnotation], "GitHub/delivery-1");
  EXPECT_EQ(annotations[kBuildImageAnnotation], "registry.example.com/acme/web:1cdc0a9a6f2e");
  EXPECT_EQ(annotations[kBuildCreatedAtAnnotation], "2026-11-23T10:00:00.123456Z");
}

TEST(BuildJobTest, JobsOfOneSecondAreOrderedByTheirCreatedAtAnnotation) {
  auto job = [](const char* created, const char* micro) {
    return json{{"metadata",
                 {{"creationTimestamp", created}, {"annotations", {{kBuildCreatedAtAnnotation, micro}}}}}};
  };
  json early = job("2026-11-23T10:00:00Z", "2026-11-23T10:00:00.900000Z");
  json late = job("2026-11-23T10:00:00Z", "2026-11-23T10:00:00.950000Z");
  json next_second = job("2026-11-23T10:00:01Z", "2026-11-23T10:00:00.100000Z");
  EXPECT_TRUE(createdBefore(early, late));
  EXPECT_FALSE(createdBefore(late, early));
  EXPECT_FALSE(createdBefore(early, early));
  // The API server's clock decides across seconds.
  EXPECT_TRUE(createdBefore(late, next_second));
}

TEST(BuildJobTest, EveryContainerGetsTheBuildEnvReplacingSameNamedVariables) {
  json job = buildJob(webWithBuild(), request());
  for (const auto& container : job["spec"]["template"]["spec"]["containers"]) {
    EXPECT_EQ(envOf(container, "GIT_URL"), "https://github.com/acme/web.git");
    EXPECT_EQ(envOf(container, "GIT_REVISION"), kSha);
    EXPECT_EQ(envOf(container, "GIT_BRANCH"), "main");
    EXPECT_EQ(envOf(container, "IMAGE"), "registry.example.com/acme/web:1cdc0a9a6f2e");
  }
  const json& build = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(envOf(build, "KEEP"), "1");
  // $(IMAGE) is left for Kubernetes to expand from the env.
  EXPECT_EQ(build["args"][1], "type=image,name=$(IMAGE),push=true");
}

TEST(BuildJobTest, KeepsTheTemplateSpecAndOnlyLabelsAndAnnotationsOfItsMetadata) {
  json tmpl = buildJob(webWithBuild(), request())["spec"]["template"];
  EXPECT_EQ(tmpl["metadata"],
            json::parse(R"({"labels": {"app": "build"}, "annotations": {"note": "kept"}})"));
  EXPECT_EQ(tmpl["spec"]["nodeSelector"]["pool"], "builders");
  EXPECT_EQ(tmpl["spec"]["containers"][0]["command"][0], "buildctl-daemonless.sh");
}

TEST(BuildJobTest, TimeoutBecomesActiveDeadlineSecondsRoundedUp) {
  AutoBuild ab = webWithBuild();
  EXPECT_EQ(buildJob(ab, request())["spec"]["activeDeadlineSeconds"], 1200);
  ab.spec.build->timeout = "1.5s";
  EXPECT_EQ(buildJob(ab, request())["spec"]["activeDeadlineSeconds"], 2);
}

TEST(BuildJobTest, RestartPolicyDefaultsToNeverAndKeepsOnFailure) {
  AutoBuild ab = webWithBuild();
  EXPECT_EQ(buildJob(ab, request())["spec"]["template"]["spec"]["restartPolicy"], "Never");
  ab.spec.build->template_["spec"]["restartPolicy"] = "OnFailure";
  EXPECT_EQ(buildJob(ab, request())["spec"]["template"]["spec"]["restartPolicy"], "OnFailure");
}

TEST(BuildJobTest, ServiceAccountNameReplacesTheTemplates) {
  AutoBuild ab = webWithBuild();
  ab.spec.build->template_["spec"]["serviceAccountName"] = "from-template";
  EXPECT_EQ(buildJob(ab, request())["spec"]["template"]["spec"]["serviceAccountName"], "from-template");
  ab.spec.build->service_account_name = "builder";
  EXPECT_EQ(buildJob(ab, request())["spec"]["template"]["spec"]["serviceAccountName"], "builder");
}

TEST(BuildJobTest, PushSecretIsMountedAsDockerConfigInEveryContainer) {
  AutoBuild ab = webWithBuild();
  ab.spec.build->push_secret_ref = LocalObjectReference{"registry-push"};
  json spec = buildJob(ab, request())["spec"]["template"]["spec"];
  EXPECT_EQ(spec["volumes"].at(0), json::parse(R"({"name": "autobuild-docker-config",
      "secret": {"secretName": "registry-push",
                 "items": [{"key": ".dockerconfigjson", "path": "config.json"}]}})"));
  for (const auto& container : spec["containers"]) {
    EXPECT_EQ(container["volumeMounts"].at(0),
              json::parse(R"({"name": "autobuild-docker-config", "mountPath": "/autobuild/docker",
                              "readOnly": true})"));
  }
  EXPECT_EQ(envOf(spec["containers"][0], "DOCKER_CONFIG"), "/autobuild/docker");
  // A container setting DOCKER_CONFIG itself keeps its own.
  EXPECT_EQ(envOf(spec["containers"][1], "DOCKER_CONFIG"), "/mine");
}

TEST(BuildJobTest, NoPushSecretMountsNothing) {
  json spec = buildJob(webWithBuild(), request())["spec"]["template"]["spec"];
  EXPECT_FALSE(spec.contains("volumes"));
  EXPECT_FALSE(spec["containers"][0].contains("volumeMounts"));
}

TEST(BuildJobTest, RefusesAnAutoBuildWithoutBuildOrWithABadTimeout) {
  AutoBuild ab = webWithBuild();
  ab.spec.build->timeout = "soon";
  EXPECT_THROW(
      {
        try {
          buildJob(ab, request());
        } catch (const std::invalid_argument& e) {
          EXPECT_THAT(e.what(), ::testing::HasSubstr("shop/web"));
          EXPECT_THAT(e.what(), ::testing::HasSubstr("spec.build.timeout"));
          throw;
        }
      },
      std::invalid_argument);
  ab.spec.build.reset();
  EXPECT_THROW(buildJob(ab, request()), std::invalid_argument);
}

}  // namespace
}  // namespace autobuild::api
