#include "api/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "api/json.h"

namespace autobuild::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kNameRule =
    "must be a valid Kubernetes name: lowercase letters, digits, '-' and '.', starting and ending with a "
    "letter or digit, at most 253 characters";
constexpr const char* kContainerNameRule =
    "must be a valid container name: lowercase letters, digits and '-', starting and ending with a letter "
    "or digit, at most 63 characters";

AutoBuild gitAutoBuild() {
  AutoBuild ab;
  ab.ns = "shop";
  ab.name = "web";
  ab.spec.source.type = SourceType::GitHub;
  ab.spec.source.repository = "acme/web";
  ab.spec.target.name = "web";
  applyDefaults(ab);
  return ab;
}

AutoBuild dockerHubAutoBuild() {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source = Source{SourceType::DockerHub, "acme/web", {}, {"v*"}};
  return ab;
}

Build validBuild() {
  Build build;
  build.image = "registry.example.com/acme/web";
  build.template_ =
      json::parse(R"({"spec": {"containers": [{"name": "build", "image": "moby/buildkit:rootless"}]}})");
  return build;
}

AutoBuild withBuild(const std::function<void(Build&)>& change) {
  AutoBuild ab = gitAutoBuild();
  Build build = validBuild();
  change(build);
  ab.spec.build = build;
  return ab;
}

AutoBuild withTemplate(const char* pod_template) {
  return withBuild([pod_template](Build& build) { build.template_ = json::parse(pod_template); });
}

// --- defaults
// -----------------------------------------------------------------------------------------------

TEST(ApplyDefaults, GitSourcesWatchMainAndMaster) {
  AutoBuild ab;
  ab.name = "web";
  for (SourceType type :
       {SourceType::GitHub, SourceType::GitLab, SourceType::Gitee, SourceType::Gogs, SourceType::Gitea}) {
    ab.spec.source.type = type;
    ab.spec.source.branches.clear();
    applyDefaults(ab);
    EXPECT_THAT(ab.spec.source.branches, ElementsAre("main", "master")) << toString(type);
  }
}

TEST(ApplyDefaults, KeepsBranchesTheUserGave) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source.branches = {"release-*"};
  applyDefaults(ab);
  EXPECT_THAT(ab.spec.source.branches, ElementsAre("release-*"));
}

TEST(ApplyDefaults, OtherSourcesGetNoBranches) {
  for (SourceType type : {SourceType::DockerHub, SourceType::API}) {
    AutoBuild ab;
    ab.name = "web";
    ab.spec.source.type = type;
    applyDefaults(ab);
    EXPECT_THAT(ab.spec.source.branches, IsEmpty()) << toString(type);
    EXPECT_THAT(ab.spec.source.tags, IsEmpty()) << toString(type);
  }
}

TEST(ApplyDefaults, TheSecretIsNamedAfterTheAutoBuildWithKeySecret) {
  AutoBuild ab;
  ab.name = "web";
  ab.spec.secret_ref = SecretRef{"", ""};
  applyDefaults(ab);
  EXPECT_EQ(ab.spec.secret_ref.name, "web-webhook");
  EXPECT_EQ(ab.spec.secret_ref.key, "secret");
}

TEST(ApplyDefaults, KeepsTheSecretTheUserNamed) {
  AutoBuild ab;
  ab.name = "web";
  ab.spec.secret_ref = SecretRef{"shared-hook", "token"};
  applyDefaults(ab);
  EXPECT_EQ(ab.spec.secret_ref.name, "shared-hook");
  EXPECT_EQ(ab.spec.secret_ref.key, "token");
}

TEST(ApplyDefaults, KeywordIsDeployWhenAbsentAndStaysEmptyWhenGivenEmpty) {
  json object = json::parse(R"({"metadata": {"name": "web", "namespace": "shop"},
                                "spec": {"source": {"type": "GitHub"}, "target": {"name": "web"}}})");
  AutoBuild absent = parseAutoBuild(object);
  applyDefaults(absent);
  EXPECT_EQ(absent.spec.trigger.keyword, "deploy");

  object["spec"]["trigger"]["keyword"] = "";
  AutoBuild empty = parseAutoBuild(object);
  applyDefaults(empty);
  EXPECT_EQ(empty.spec.trigger.keyword, "");
  EXPECT_THAT(validate(empty), IsEmpty());
}

TEST(ApplyDefaults, TargetKindIsDeployment) {
  AutoBuild ab = parseAutoBuild(json::parse(R"({"metadata": {"name": "web", "namespace": "shop"},
      "spec": {"source": {"type": "GitHub"}, "target": {"name": "web"}}})"));
  applyDefaults(ab);
  EXPECT_EQ(ab.spec.target.kind, TargetKind::Deployment);
  EXPECT_EQ(ab.spec.target.container, "");
}

TEST(ApplyDefaults, BuildTimeoutIs30mAndHistoryLimit5) {
  AutoBuild ab = parseAutoBuild(json::parse(R"({"metadata": {"name": "web", "namespace": "shop"},
      "spec": {"source": {"type": "GitHub"}, "target": {"name": "web"}, "build": {"image": "acme/web"}}})"));
  applyDefaults(ab);
  EXPECT_EQ(ab.spec.build->timeout, "30m");
  EXPECT_EQ(ab.spec.build->history_limit, 5);

  ab.spec.build->timeout = "";
  applyDefaults(ab);
  EXPECT_EQ(ab.spec.build->timeout, "30m");
}

TEST(ApplyDefaults, CreatesNoBuild) {
  AutoBuild ab = gitAutoBuild();
  applyDefaults(ab);
  EXPECT_FALSE(ab.spec.build.has_value());
}

// --- validation
// ---------------------------------------------------------------------------------------------

TEST(Validate, AcceptsValidAutoBuildsOfEverySource) {
  EXPECT_THAT(validate(gitAutoBuild()), IsEmpty());
  EXPECT_THAT(validate(dockerHubAutoBuild()), IsEmpty());
  AutoBuild api = gitAutoBuild();
  api.spec.source = Source{SourceType::API, "", {}, {}};
  EXPECT_THAT(validate(api), IsEmpty());
  AutoBuild full = withBuild([](Build& build) {
    build.timeout = "1h30m";
    build.history_limit = 0;
    build.service_account_name = "builder";
    build.push_secret_ref = LocalObjectReference{"registry-push"};
  });
  full.spec.source.branches = {"main", "release-[0-9]*"};
  full.spec.target = Target{TargetKind::StatefulSet, "web.v2", "app"};
  full.spec.trigger.keyword = "ship_it-1.0";
  EXPECT_THAT(validate(full), IsEmpty());
}

TEST(Validate, BranchesMustBeGlobs) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source.branches = {"main", "[main", "", "release-*"};
  EXPECT_THAT(validate(ab),
              ElementsAre(FieldError{"spec.source.branches[1]", "invalid glob pattern \"[main\""},
                          FieldError{"spec.source.branches[2]", "must not be empty"}));
}

TEST(Validate, BranchesOnlyForGitSources) {
  AutoBuild ab = dockerHubAutoBuild();
  ab.spec.source.branches = {"main"};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.source.branches", "only for git sources"}));
}

TEST(Validate, TagsOnlyForDockerHubSources) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source.tags = {"v*"};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.source.tags", "only for DockerHub sources"}));
  ab.spec.source = Source{SourceType::API, "", {}, {"v*"}};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.source.tags", "only for DockerHub sources"}));
}

TEST(Validate, TagsMustBeGlobs) {
  AutoBuild ab = dockerHubAutoBuild();
  ab.spec.source.tags = {"v[1-", "latest"};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.source.tags[0]", "invalid glob pattern \"v[1-\""}));
}

TEST(Validate, GitRepositoryIsAnOwnerRepoPath) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source.repository = "group/subgroup/Web";
  EXPECT_THAT(validate(ab), IsEmpty());
  ab.spec.source.repository = "https://github.com/acme/web";
  EXPECT_THAT(validate(ab),
              ElementsAre(FieldError{"spec.source.repository",
                                     "must be an owner/repo path like acme/web, at most 255 characters"}));
}

TEST(Validate, DockerHubRepositoryIsLowercaseNamespaceSlashName) {
  AutoBuild ab = dockerHubAutoBuild();
  ab.spec.source.repository = "Acme/Web";
  EXPECT_THAT(validate(ab),
              ElementsAre(FieldError{"spec.source.repository",
                                     "must be a Docker Hub namespace/name like acme/web, in lowercase"}));
}

TEST(Validate, ApiSourcesHaveNoRepository) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.source = Source{SourceType::API, "acme/web", {}, {}};
  EXPECT_THAT(validate(ab),
              ElementsAre(FieldError{"spec.source.repository", "only for git and DockerHub sources"}));
}

TEST(Validate, KeywordMatchesThePattern) {
  for (const std::string& keyword :
       std::vector<std::string>{"@deploy", "deploy now", "dépl", std::string(65, 'k')}) {
    AutoBuild ab = gitAutoBuild();
    ab.spec.trigger.keyword = keyword;
    EXPECT_THAT(validate(ab),
                ElementsAre(FieldError{"spec.trigger.keyword", "must match ^[A-Za-z0-9_.-]{0,64}$"}))
        << keyword;
  }
  AutoBuild longest = gitAutoBuild();
  longest.spec.trigger.keyword = std::string(64, 'k');
  EXPECT_THAT(validate(longest), IsEmpty());
}

TEST(Validate, SecretNameAndKey) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.secret_ref = SecretRef{"Web_Hook", "a/b"};
  EXPECT_THAT(
      validate(ab),
      ElementsAre(FieldError{"spec.secretRef.name", kNameRule},
                  FieldError{"spec.secretRef.key",
                             "must be a valid Secret key: letters, digits, '-', '_' and '.', at most 253 "
                             "characters"}));
  ab.spec.secret_ref = SecretRef{"", ""};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.secretRef.name", "required"},
                                        FieldError{"spec.secretRef.key", "required"}));
}

TEST(Validate, TheDefaultSecretNameOfALongNameIsTooLong) {
  AutoBuild ab;
  ab.name = std::string(250, 'w');
  ab.spec.target.name = "web";
  applyDefaults(ab);
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.secretRef.name", kNameRule}));
}

TEST(Validate, TargetNameRequiredAndValid) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.target.name = "";
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.target.name", "required"}));
  ab.spec.target.name = "Web";
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.target.name", kNameRule}));
}

TEST(Validate, TargetContainerIsAContainerName) {
  AutoBuild ab = gitAutoBuild();
  ab.spec.target.container = "web.app";
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.target.container", kContainerNameRule}));
}

TEST(Validate, BuildOnlyForGitSources) {
  AutoBuild ab = dockerHubAutoBuild();
  ab.spec.build = validBuild();
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.build", "only for git sources"}));
  ab.spec.source = Source{SourceType::API, "", {}, {}};
  EXPECT_THAT(validate(ab), ElementsAre(FieldError{"spec.build", "only for git sources"}));
}

TEST(Validate, BuildImageIsARepositoryWithoutTag) {
  EXPECT_THAT(validate(withBuild([](Build& build) { build.image = ""; })),
              ElementsAre(FieldError{"spec.build.image", "required"}));
  for (const char* image : {"registry.example.com/acme/web:latest", "acme/web@sha256:abc", "Acme/Web"}) {
    EXPECT_THAT(
        validate(withBuild([image](Build& build) { build.image = image; })),
        ElementsAre(FieldError{"spec.build.image", "must be a registry image reference without a tag"}))
        << image;
  }
  EXPECT_THAT(validate(withBuild([](Build& build) { build.image = "localhost:5000/web"; })), IsEmpty());
}

TEST(Validate, BuildTimeoutIsAPositiveDuration) {
  for (const char* timeout : {"30", "1d", "half an hour", ""}) {
    EXPECT_THAT(validate(withBuild([timeout](Build& build) { build.timeout = timeout; })),
                ElementsAre(FieldError{"spec.build.timeout", "must be a duration like 30m, 1h30m"}))
        << timeout;
  }
  for (const char* timeout : {"0", "-5m", "500ms"}) {
    EXPECT_THAT(validate(withBuild([timeout](Build& build) { build.timeout = timeout; })),
                ElementsAre(FieldError{"spec.build.timeout", "must be at least 1s"}))
        << timeout;
  }
}

TEST(Validate, BuildHistoryLimitIsNotNegative) {
  EXPECT_THAT(validate(withBuild([](Build& build) { build.history_limit = -1; })),
              ElementsAre(FieldError{"spec.build.historyLimit", "must be at least 0"}));
}

TEST(Validate, BuildServiceAccountAndPushSecretAreNames) {
  EXPECT_THAT(validate(withBuild([](Build& build) { build.service_account_name = "Builder"; })),
              ElementsAre(FieldError{"spec.build.serviceAccountName", kNameRule}));
  EXPECT_THAT(validate(withBuild([](Build& build) { build.push_secret_ref = LocalObjectReference{""}; })),
              ElementsAre(FieldError{"spec.build.pushSecretRef.name", "required"}));
  EXPECT_THAT(
      validate(withBuild([](Build& build) { build.push_secret_ref = LocalObjectReference{"push_secret"}; })),
      ElementsAre(FieldError{"spec.build.pushSecretRef.name", kNameRule}));
}

TEST(Validate, BuildTemplateIsAPodTemplateWithContainers) {
  EXPECT_THAT(validate(withBuild([](Build& build) { build.template_ = nullptr; })),
              ElementsAre(FieldError{"spec.build.template", "required"}));
  EXPECT_THAT(validate(withBuild([](Build& build) { build.template_ = "pod"; })),
              ElementsAre(FieldError{"spec.build.template", "must be an object"}));
  EXPECT_THAT(validate(withTemplate(R"({})")), ElementsAre(FieldError{"spec.build.template.spec.containers",
                                                                      "must list at least one container"}));
  EXPECT_THAT(
      validate(withTemplate(R"({"spec": {"containers": []}})")),
      ElementsAre(FieldError{"spec.build.template.spec.containers", "must list at least one container"}));
  EXPECT_THAT(
      validate(withTemplate(R"({"spec": {"containers": {"name": "build"}}})")),
      ElementsAre(FieldError{"spec.build.template.spec.containers", "must list at least one container"}));
  EXPECT_THAT(validate(withTemplate(R"({"spec": []})")),
              ElementsAre(FieldError{"spec.build.template.spec", "must be an object"}));
  EXPECT_THAT(
      validate(withTemplate(R"({"metadata": "x", "spec": {"containers": [{"name": "b", "image": "x"}]}})")),
      ElementsAre(FieldError{"spec.build.template.metadata", "must be an object"}));
}

TEST(Validate, BuildContainersAreNamedAndHaveAnImage) {
  EXPECT_THAT(
      validate(withTemplate(R"({"spec": {"containers": [{"image": "x"}, {"name": "Build", "image": "x"},
                                                                 {"name": "b"}, "c", {"name": "d", "image": ""}]}})")),
      ElementsAre(FieldError{"spec.build.template.spec.containers[0].name", "required"},
                  FieldError{"spec.build.template.spec.containers[1].name", kContainerNameRule},
                  FieldError{"spec.build.template.spec.containers[2].image", "required"},
                  FieldError{"spec.build.template.spec.containers[3]", "must be an object"},
                  FieldError{"spec.build.template.spec.containers[4].image", "required"}));
}

TEST(Validate, BuildRestartPolicyIsOneAJobAccepts) {
  EXPECT_THAT(validate(withTemplate(
                  R"({"spec": {"restartPolicy": "Always", "containers": [{"name": "b", "image": "x"}]}})")),
              ElementsAre(FieldError{"spec.build.template.spec.restartPolicy",
                                     "must be Never or OnFailure, as a Job requires"}));
  EXPECT_THAT(
      validate(withTemplate(
          R"({"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "b", "image": "x"}]}})")),
      IsEmpty());
}

TEST(Validate, BuildJobNamesMustFitInALabel) {
  AutoBuild ab = withBuild([](Build&) {});
  ab.name = std::string(50, 'w');
  EXPECT_THAT(validate(ab), IsEmpty());
  ab.name = std::string(51, 'w');
  EXPECT_THAT(validate(ab),
              ElementsAre(FieldError{"metadata.name",
                                     "must be at most 50 characters when spec.build is set (build Jobs "
                                     "are named <name>-<revision[0:12]>, at most 63 characters)"}));
}

TEST(Validate, ReportsEveryProblemInFieldOrder) {
  AutoBuild ab = dockerHubAutoBuild();
  ab.spec.source.tags = {"[v"};
  ab.spec.trigger.keyword = "@deploy";
  ab.spec.target.name = "";
  ab.spec.build = validBuild();
  ab.spec.build->image = "acme/web:v1";
  ab.spec.build->timeout = "forever";
  const std::vector<FieldError> errors = validate(ab);
  EXPECT_EQ(toString(errors),
            "spec.source.tags[0]: invalid glob pattern \"[v\"; "
            "spec.trigger.keyword: must match ^[A-Za-z0-9_.-]{0,64}$; "
            "spec.target.name: required; "
            "spec.build: only for git sources; "
            "spec.build.image: must be a registry image reference without a tag; "
            "spec.build.timeout: must be a duration like 30m, 1h30m");
}

}  // namespace
}  // namespace autobuild::api
