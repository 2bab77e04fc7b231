#include "webhook/sources/filter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace autobuild::webhook {
namespace {

api::AutoBuild autobuildFor(api::SourceType type) {
  api::AutoBuild autobuild;
  autobuild.ns = "shop";
  autobuild.name = "web";
  autobuild.spec.source.type = type;
  if (type != api::SourceType::DockerHub && type != api::SourceType::API) {
    autobuild.spec.source.branches = {"main", "master"};
  }
  autobuild.spec.target.name = "web";
  return autobuild;
}

PushEvent gitPush() {
  PushEvent event;
  event.kind = EventKind::Push;
  event.event_name = "push";
  event.delivery_id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  event.repository = "acme/web";
  event.clone_url = "https://github.com/acme/web.git";
  event.repository_path = "acme/web";
  event.branch = "main";
  event.revision = "1cdc0a9a7f3e5b2d4c6e8f0a1b3c5d7e9f2a4b6c";
  event.message = "fix login timeout @deploy\n\nbody";
  return event;
}

PushEvent imagePush(const std::string& tag) {
  PushEvent event;
  event.kind = EventKind::ImagePush;
  event.repository = "acme/web";
  event.tag = tag;
  event.image = "acme/web:" + tag;
  event.revision = event.image + "@1795456712";
  return event;
}

PushEvent apiCall() {
  PushEvent event;
  event.kind = EventKind::ApiCall;
  event.delivery_id = "5b0c7c2e-1f4d-4c1b-9a0e-3f2d1c0b9a87";
  event.revision = event.delivery_id;
  return event;
}

std::optional<IgnoreReason> reasonOf(const api::AutoBuild& autobuild, const PushEvent& event,
                                     std::optional<std::string_view> current_image = std::nullopt) {
  return decide(autobuild, event, current_image).ignored;
}

TEST(Filter, AMatchingPushProceeds) {
  const Decision decision = decide(autobuildFor(api::SourceType::GitHub), gitPush());
  EXPECT_TRUE(decision.proceed());
  EXPECT_EQ(decision.message, "");
}

TEST(Filter, ReasonNames) {
  EXPECT_STREQ(toString(IgnoreReason::Ping), "Ping");
  EXPECT_STREQ(toString(IgnoreReason::EventNotHandled), "EventNotHandled");
  EXPECT_STREQ(toString(IgnoreReason::RepositoryMismatch), "RepositoryMismatch");
  EXPECT_STREQ(toString(IgnoreReason::BranchNotMatched), "BranchNotMatched");
  EXPECT_STREQ(toString(IgnoreReason::TagNotMatched), "TagNotMatched");
  EXPECT_STREQ(toString(IgnoreReason::KeywordAbsent), "KeywordAbsent");
  EXPECT_STREQ(toString(IgnoreReason::Suspended), "Suspended");
}

TEST(Filter, Ping) {
  PushEvent ping;
  ping.kind = EventKind::Ping;
  const Decision decision = decide(autobuildFor(api::SourceType::GitHub), ping);
  EXPECT_EQ(decision.ignored, IgnoreReason::Ping);
  EXPECT_EQ(decision.message, "ping received: the webhook is reachable");
}

TEST(Filter, EventsOtherThanBranchPushesAreNotHandled) {
  const api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  PushEvent event = gitPush();
  event.kind = EventKind::TagPush;
  event.tag = "v1.4.2";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::EventNotHandled);

  event = gitPush();
  event.kind = EventKind::BranchDeletion;
  Decision decision = decide(autobuild, event);
  EXPECT_EQ(decision.ignored, IgnoreReason::EventNotHandled);
  EXPECT_EQ(decision.message, "branch main was deleted");

  event = PushEvent{};
  event.kind = EventKind::Other;
  event.event_name = "issues";
  decision = decide(autobuild, event);
  EXPECT_EQ(decision.ignored, IgnoreReason::EventNotHandled);
  EXPECT_EQ(decision.message, "event issues is not handled; only pushes trigger");
}

TEST(Filter, RepositoryIsMatchedIgnoringCase) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  autobuild.spec.source.repository = "Acme/Web";
  EXPECT_TRUE(decide(autobuild, gitPush()).proceed());

  autobuild.spec.source.repository = "acme/shop";
  const Decision decision = decide(autobuild, gitPush());
  EXPECT_EQ(decision.ignored, IgnoreReason::RepositoryMismatch);
  EXPECT_EQ(decision.message, "the push is for acme/web, not for spec.source.repository acme/shop");
}

TEST(Filter, RepositoryMatchesTheCloneUrlPath) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::Gitea);
  autobuild.spec.source.repository = "mirrors/web";
  PushEvent event = gitPush();
  event.repository = "Acme/Web-Renamed";
  event.clone_url = "https://git.example.com/mirrors/web.git";
  event.repository_path = "mirrors/web";
  EXPECT_TRUE(decide(autobuild, event).proceed());

  // The spec may name the repository by URL, with or without ".git".
  for (const std::string& url : std::vector<std::string>{
           "https://git.example.com/Mirrors/Web.git", "git@git.example.com:mirrors/web.git",
           "https://git.example.com/mirrors/web/", "/mirrors/web"}) {
    autobuild.spec.source.repository = url;
    EXPECT_TRUE(decide(autobuild, event).proceed()) << url;
  }
  autobuild.spec.source.repository = "mirrors/web2";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::RepositoryMismatch);
}

TEST(Filter, NestedGitLabGroups) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitLab);
  autobuild.spec.source.repository = "shop/backend/checkout";
  PushEvent event = gitPush();
  event.repository = "shop/backend/checkout";
  event.repository_path = "shop/backend/checkout";
  EXPECT_TRUE(decide(autobuild, event).proceed());
  autobuild.spec.source.repository = "backend/checkout";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::RepositoryMismatch);
}

TEST(Filter, PayloadWithoutRepositoryDoesNotMatchARequiredOne) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  autobuild.spec.source.repository = "acme/web";
  PushEvent event = gitPush();
  event.repository.clear();
  event.repository_path.clear();
  const Decision decision = decide(autobuild, event);
  EXPECT_EQ(decision.ignored, IgnoreReason::RepositoryMismatch);
  EXPECT_EQ(decision.message, "the push is for no repository, not for spec.source.repository acme/web");
}

TEST(Filter, BranchGlobs) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  PushEvent event = gitPush();
  event.branch = "develop";
  Decision decision = decide(autobuild, event);
  EXPECT_EQ(decision.ignored, IgnoreReason::BranchNotMatched);
  EXPECT_EQ(decision.message, "branch develop matches none of spec.source.branches [main, master]");

  autobuild.spec.source.branches = {"release/*", "hotfix-[0-9]*"};
  event.branch = "release/2026.11";
  EXPECT_TRUE(decide(autobuild, event).proceed());
  event.branch = "hotfix-42";
  EXPECT_TRUE(decide(autobuild, event).proceed());
  event.branch = "hotfix-x";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::BranchNotMatched);
  // fnmatch without flags: "*" also matches "/".
  autobuild.spec.source.branches = {"feature/*"};
  event.branch = "feature/login/fix";
  EXPECT_TRUE(decide(autobuild, event).proceed());
  event.branch = "features";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::BranchNotMatched);
}

TEST(Filter, ABranchNameWithANulByteMatchesNothing) {
  const api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  PushEvent event = gitPush();
  event.branch = std::string("main\0x", 6);
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::BranchNotMatched);
}

TEST(Filter, NoBranchesMeansMainAndMaster) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::Gogs);
  autobuild.spec.source.branches.clear();
  PushEvent event = gitPush();
  event.branch = "master";
  EXPECT_TRUE(decide(autobuild, event).proceed());
  event.branch = "trunk";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::BranchNotMatched);
}

TEST(Filter, KeywordIsALiteralSubstring) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  PushEvent event = gitPush();
  event.message = "fix login timeout\n\ndeploy later";
  Decision decision = decide(autobuild, event);
  EXPECT_EQ(decision.ignored, IgnoreReason::KeywordAbsent);
  EXPECT_EQ(decision.message, "the head commit message does not contain @deploy");

  event.message = "release notes\n\nShip it @deploy";  // anywhere in the message
  EXPECT_TRUE(decide(autobuild, event).proceed());

  autobuild.spec.trigger.keyword = "ship.it";
  event.message = "@shipXit";  // a regex would match
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::KeywordAbsent);
  event.message = "go @ship.it now";
  EXPECT_TRUE(decide(autobuild, event).proceed());

  autobuild.spec.trigger.keyword = "Deploy";
  event.message = "@deploy";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::KeywordAbsent);
}

TEST(Filter, EmptyKeywordTriggersEveryPush) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  autobuild.spec.trigger.keyword = "";
  PushEvent event = gitPush();
  event.message = "";
  EXPECT_TRUE(decide(autobuild, event).proceed());
}

TEST(Filter, Suspended) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  autobuild.spec.suspend = true;
  const Decision decision = decide(autobuild, gitPush());
  EXPECT_EQ(decision.ignored, IgnoreReason::Suspended);
  EXPECT_EQ(decision.message, "AutoBuild shop/web is suspended (spec.suspend); nothing rolls out");
}

TEST(Filter, ChecksComeInTheSpecsOrder) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::GitHub);
  autobuild.spec.suspend = true;
  autobuild.spec.source.repository = "acme/other";
  autobuild.spec.source.branches = {"release/*"};
  PushEvent event = gitPush();
  event.message = "no keyword";

  PushEvent ping = event;
  ping.kind = EventKind::Ping;
  EXPECT_EQ(reasonOf(autobuild, ping), IgnoreReason::Ping);
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::RepositoryMismatch);
  autobuild.spec.source.repository = "acme/web";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::BranchNotMatched);
  autobuild.spec.source.branches = {"main"};
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::KeywordAbsent);
  event.message = "@deploy";
  EXPECT_EQ(reasonOf(autobuild, event), IgnoreReason::Suspended);
  autobuild.spec.suspend = false;
  EXPECT_EQ(reasonOf(autobuild, event), std::nullopt);
}

TEST(Filter, EventsOfAnotherSourceKindAreNotHandled) {
  EXPECT_EQ(reasonOf(autobuildFor(api::SourceType::GitHub), imagePush("1.0")), IgnoreReason::EventNotHandled);
  EXPECT_EQ(reasonOf(autobuildFor(api::SourceType::DockerHub), gitPush()), IgnoreReason::EventNotHandled);
  EXPECT_EQ(reasonOf(autobuildFor(api::SourceType::API), gitPush()), IgnoreReason::EventNotHandled);
}

TEST(Filter, DockerHubTagGlobs) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::DockerHub);
  autobuild.spec.source.tags = {"v*", "stable"};
  EXPECT_TRUE(decide(autobuild, imagePush("v1.4.2")).proceed());
  EXPECT_TRUE(decide(autobuild, imagePush("stable")).proceed());
  const Decision decision = decide(autobuild, imagePush("nightly"));
  EXPECT_EQ(decision.ignored, IgnoreReason::TagNotMatched);
  EXPECT_EQ(decision.message, "tag nightly matches none of spec.source.tags [v*, stable]");
}

TEST(Filter, DockerHubWithoutTagsRedeploysOnlyTheRunningTag) {
  const api::AutoBuild autobuild = autobuildFor(api::SourceType::DockerHub);
  EXPECT_TRUE(decide(autobuild, imagePush("1.4.2"), "acme/web:1.4.2").proceed());
  EXPECT_TRUE(decide(autobuild, imagePush("1.4.2"), "registry.example.com:5000/acme/web:1.4.2").proceed());
  EXPECT_TRUE(decide(autobuild, imagePush("1.4.2"), "docker.io/acme/web:1.4.2@sha256:" + std::string(64, 'a'))
                  .proceed());
  EXPECT_TRUE(decide(autobuild, imagePush("latest"), "acme/web").proceed());
  EXPECT_TRUE(decide(autobuild, imagePush("latest"), "registry.example.com:5000/acme/web").proceed());

  const Decision other = decide(autobuild, imagePush("1.5.0"), "acme/web:1.4.2");
  EXPECT_EQ(other.ignored, IgnoreReason::TagNotMatched);
  EXPECT_EQ(other.message, "spec.source.tags is empty and the target runs acme/web:1.4.2, not tag 1.5.0");
  EXPECT_EQ(reasonOf(autobuild, imagePush("latest"), "acme/web@sha256:" + std::string(64, 'b')),
            IgnoreReason::TagNotMatched);

  const Decision unknown = decide(autobuild, imagePush("1.4.2"));
  EXPECT_EQ(unknown.ignored, IgnoreReason::TagNotMatched);
  EXPECT_EQ(unknown.message, "spec.source.tags is empty and the target's current image is unknown");
}

TEST(Filter, DockerHubRepositoryAndSuspend) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::DockerHub);
  autobuild.spec.source.tags = {"*"};
  autobuild.spec.source.repository = "acme/api";
  EXPECT_EQ(reasonOf(autobuild, imagePush("1.0")), IgnoreReason::RepositoryMismatch);
  autobuild.spec.source.repository = "ACME/web";
  EXPECT_TRUE(decide(autobuild, imagePush("1.0")).proceed());
  autobuild.spec.suspend = true;
  EXPECT_EQ(reasonOf(autobuild, imagePush("1.0")), IgnoreReason::Suspended);
}

TEST(Filter, ApiCallsProceedUnlessSuspended) {
  api::AutoBuild autobuild = autobuildFor(api::SourceType::API);
  autobuild.spec.source.repository = "ignored/for-api";
  autobuild.spec.trigger.keyword = "deploy";
  EXPECT_TRUE(decide(autobuild, apiCall()).proceed());
  autobuild.spec.suspend = true;
  EXPECT_EQ(reasonOf(autobuild, apiCall()), IgnoreReason::Suspended);
}

}  // namespace
}  // namespace autobuild::webhook
