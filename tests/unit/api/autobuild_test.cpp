#include "api/autobuild.h"

#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

TEST(AutoBuildsResource, PathsAreThoseOfTheNamespacedCustomResource) {
  EXPECT_EQ(AutoBuilds.apiVersion(), "autobuild.dev/v1alpha1");
  EXPECT_EQ(AutoBuilds.kind, "AutoBuild");
  EXPECT_EQ(AutoBuilds.collectionPath("shop"), "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds");
  EXPECT_EQ(AutoBuilds.collectionPath(""), "/apis/autobuild.dev/v1alpha1/autobuilds");
  EXPECT_EQ(AutoBuilds.objectPath("shop", "web", "status"),
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web/status");
}

TEST(SourceTypeNames, EveryTypeRoundTrips) {
  for (SourceType type : {SourceType::GitHub, SourceType::GitLab, SourceType::Gitee, SourceType::Gogs,
                          SourceType::Gitea, SourceType::DockerHub, SourceType::API}) {
    EXPECT_EQ(parseSourceType(toString(type)), type) << toString(type);
  }
  EXPECT_STREQ(toString(SourceType::DockerHub), "DockerHub");
  EXPECT_STREQ(toString(SourceType::API), "API");
}

TEST(SourceTypeNames, MatchExactlyAsTheApiServerEnumDoes) {
  EXPECT_EQ(parseSourceType("github"), std::nullopt);
  EXPECT_EQ(parseSourceType("Bitbucket"), std::nullopt);
  EXPECT_EQ(parseSourceType(""), std::nullopt);
}

TEST(SourceTypeNames, GitSourcesAreTheFiveGitServers) {
  EXPECT_TRUE(isGit(SourceType::GitHub));
  EXPECT_TRUE(isGit(SourceType::GitLab));
  EXPECT_TRUE(isGit(SourceType::Gitee));
  EXPECT_TRUE(isGit(SourceType::Gogs));
  EXPECT_TRUE(isGit(SourceType::Gitea));
  EXPECT_FALSE(isGit(SourceType::DockerHub));
  EXPECT_FALSE(isGit(SourceType::API));
}

TEST(TargetKindNames, EveryKindRoundTripsAndUnknownNamesAreRejected) {
  for (TargetKind kind : {TargetKind::Deployment, TargetKind::StatefulSet, TargetKind::DaemonSet}) {
    EXPECT_EQ(parseTargetKind(toString(kind)), kind) << toString(kind);
  }
  EXPECT_EQ(parseTargetKind("ReplicaSet"), std::nullopt);
  EXPECT_EQ(parseTargetKind("deployment"), std::nullopt);
}

TEST(TargetResource, IsTheAppsV1ResourceOfTheKind) {
  EXPECT_EQ(targetResource(TargetKind::Deployment).objectPath("shop", "web"),
            "/apis/apps/v1/namespaces/shop/deployments/web");
  EXPECT_EQ(targetResource(TargetKind::StatefulSet).objectPath("shop", "db"),
            "/apis/apps/v1/namespaces/shop/statefulsets/db");
  EXPECT_EQ(targetResource(TargetKind::DaemonSet).objectPath("shop", "agent"),
            "/apis/apps/v1/namespaces/shop/daemonsets/agent");
  EXPECT_EQ(targetResource(TargetKind::StatefulSet).kind, "StatefulSet");
}

}  // namespace
}  // namespace autobuild::api
