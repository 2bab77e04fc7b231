#include "api/syntax.h"

#include <fnmatch.h>
#include <gtest/gtest.h>

#include <string>

namespace autobuild::api {
namespace {

TEST(IsDnsSubdomain, AcceptsKubernetesObjectNames) {
  for (const char* name : {"web", "web-webhook", "a", "0", "web.v2", "a-b.c-d.e"}) {
    EXPECT_TRUE(isDnsSubdomain(name)) << name;
  }
  EXPECT_TRUE(isDnsSubdomain(std::string(253, 'a')));
}

TEST(IsDnsSubdomain, RejectsOthers) {
  for (const char* name :
       {"", "Web", "-web", "web-", "web..v2", ".web", "web.", "web_1", "web/1", "wéb", "a.-b"}) {
    EXPECT_FALSE(isDnsSubdomain(name)) << name;
  }
  EXPECT_FALSE(isDnsSubdomain(std::string(254, 'a')));
}

TEST(IsDnsLabel, AcceptsContainerNamesOnly) {
  EXPECT_TRUE(isDnsLabel("web"));
  EXPECT_TRUE(isDnsLabel("build-1"));
  EXPECT_TRUE(isDnsLabel(std::string(63, 'a')));
  EXPECT_FALSE(isDnsLabel(std::string(64, 'a')));
  EXPECT_FALSE(isDnsLabel("web.v2"));
  EXPECT_FALSE(isDnsLabel(""));
  EXPECT_FALSE(isDnsLabel("Web"));
  EXPECT_FALSE(isDnsLabel("web-"));
}

TEST(IsSecretKey, FollowsTheConfigMapKeyRules) {
  for (const char* key : {"secret", "webhook.secret", "WEBHOOK_SECRET", "token-1", ".hidden"}) {
    EXPECT_TRUE(isSecretKey(key)) << key;
  }
  for (const char* key : {"", ".", "..", "..data", "a/b", "a b", "ключ"}) {
    EXPECT_FALSE(isSecretKey(key)) << key;
  }
  EXPECT_TRUE(isSecretKey(std::string(253, 'k')));
  EXPECT_FALSE(isSecretKey(std::string(254, 'k')));
}

TEST(IsGitRepositoryPath, AcceptsOwnerRepoAndNestedGroups) {
  for (const char* path : {"acme/web", "Acme/Web.Site", "group/subgroup/web", "a_b/c-d", "acme/web.git"}) {
    EXPECT_TRUE(isGitRepositoryPath(path)) << path;
  }
  for (const char* path : {"web", "", "/acme/web", "acme/web/", "acme//web", "acme/../web", "./web",
                           "https://github.com/acme/web", "acme/web space", "acme/wéb"}) {
    EXPECT_FALSE(isGitRepositoryPath(path)) << path;
  }
  EXPECT_FALSE(isGitRepositoryPath("acme/" + std::string(251, 'w')));
}

TEST(IsDockerHubRepository, AcceptsLowercaseNamespaceSlashName) {
  for (const char* repo : {"acme/web", "library/nginx", "acme/web-app", "acme/web_app", "acme/web__app",
                           "acme/web.app", "acme/web---app", "a1/b2"}) {
    EXPECT_TRUE(isDockerHubRepository(repo)) << repo;
  }
  for (const char* repo : {"web", "Acme/web", "acme/Web", "acme/web/extra", "acme/web:latest", "acme/-web",
                           "acme/web-", "acme/web..app", "acme/web___app", "docker.io/acme/web", "/web"}) {
    EXPECT_FALSE(isDockerHubRepository(repo)) << repo;
  }
}

TEST(IsImageRepository, AcceptsReferencesWithoutTagOrDigest) {
  for (const char* image :
       {"web", "acme/web", "registry.example.com/acme/web", "registry.example.com:5000/acme/web",
        "localhost:5000/web", "Registry.Example.COM/acme/web", "ghcr.io/acme/team/web", "10.0.0.1:5000/web",
        "acme/web-app_v2.x"}) {
    EXPECT_TRUE(isImageRepository(image)) << image;
  }
}

TEST(IsImageRepository, RejectsTagsDigestsAndMalformedNames) {
  for (const char* image :
       {"", "acme/web:v1", "registry.example.com/acme/web:latest", "web:v1",
        "acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "acme/Web",
        "registry.example.com:/web", "registry.example.com:port/web", "acme//web", "acme/web/", "/acme/web",
        "https://registry.example.com/web", "acme/web app", "-registry.example.com/web"}) {
    EXPECT_FALSE(isImageRepository(image)) << image;
  }
  EXPECT_TRUE(isImageRepository("acme/" + std::string(250, 'w')));
  EXPECT_FALSE(isImageRepository("acme/" + std::string(251, 'w')));
}

TEST(IsValidGlob, AcceptsWhatFnmatchReadsAsAPattern) {
  for (const char* glob : {"main", "*", "release-*", "v[0-9]*", "feature/?*", "[!x]*", "[^x]*", "[]]", "[]a]",
                           "[!]]", "[[:alpha:]]*", "[[:digit:][:upper:]]", "\\[literal\\]", "[\\]]", "[a-]",
                           "[[.a.]]", "[[=a=]]", "a[[]"}) {
    EXPECT_TRUE(isValidGlob(glob)) << glob;
  }
}

TEST(IsValidGlob, RejectsUnclosedBracketsUnknownClassesAndTrailingBackslash) {
  for (const char* glob : {"", "[main", "release-[0-9", "[]", "[!]", "[^", "[[:alpha:]", "[[:bogus:]]",
                           "[[:alpha]]", "[[..]]", "[[==]]", "main\\", "[\\]"}) {
    EXPECT_FALSE(isValidGlob(glob)) << glob;
  }
}

// Why an unclosed "[" is rejected: fnmatch silently matches it literally, so "[main" would never
// match the branch "main" the user meant.
TEST(IsValidGlob, RejectedPatternsWouldNotMatchWhatTheUserMeant) {
  EXPECT_NE(fnmatch("[main", "main", 0), 0);
  EXPECT_EQ(fnmatch("[main", "[main", 0), 0);
  EXPECT_NE(fnmatch("main\\", "main\\", 0), 0);
  EXPECT_NE(fnmatch("[[:bogus:]]", "b", 0), 0);
}

TEST(IsValidGlob, AcceptedPatternsMatchWithFnmatch) {
  EXPECT_EQ(fnmatch("release-*", "release-1.2", 0), 0);
  EXPECT_EQ(fnmatch("v[0-9]*", "v1.0.0", 0), 0);
  EXPECT_EQ(fnmatch("[!x]*", "main", 0), 0);
  EXPECT_EQ(fnmatch("[]a]", "]", 0), 0);
  EXPECT_EQ(fnmatch("[[:alpha:]]*", "main", 0), 0);
  EXPECT_EQ(fnmatch("\\[literal\\]", "[literal]", 0), 0);
  EXPECT_EQ(fnmatch("feature/*", "feature/login", 0), 0);
}

}  // namespace
}  // namespace autobuild::api
