#include "webhook/sources/image_reference.h"

#include <gtest/gtest.h>

#include "webhook/sources/repository_path.h"

namespace autobuild::webhook {
namespace {

TEST(ImageReference, TagOfAnImage) {
  EXPECT_EQ(imageTagOf("acme/web:1.4.2"), "1.4.2");
  EXPECT_EQ(imageTagOf("registry.example.com:5000/acme/web:1.4.2"), "1.4.2");
  EXPECT_EQ(imageTagOf("registry.example.com:5000/acme/web"), "latest");
  EXPECT_EQ(imageTagOf("nginx"), "latest");
  EXPECT_EQ(imageTagOf("acme/web:1.4.2@sha256:abc"), "1.4.2");
  EXPECT_EQ(imageTagOf("acme/web@sha256:abc"), std::nullopt);
}

TEST(ImageReference, ValidTags) {
  EXPECT_TRUE(isValidImageTag("1.4.2"));
  EXPECT_TRUE(isValidImageTag("_build-7"));
  EXPECT_TRUE(isValidImageTag("V2.release_candidate"));
  EXPECT_TRUE(isValidImageTag(std::string(128, 'a')));
  EXPECT_FALSE(isValidImageTag(""));
  EXPECT_FALSE(isValidImageTag(std::string(129, 'a')));
  EXPECT_FALSE(isValidImageTag(".1"));
  EXPECT_FALSE(isValidImageTag("-1"));
  EXPECT_FALSE(isValidImageTag("1.4 2"));
  EXPECT_FALSE(isValidImageTag("1/2"));
  EXPECT_FALSE(isValidImageTag("caf\xC3\xA9"));
}

TEST(ImageReference, ValidRepositories) {
  EXPECT_TRUE(isValidImageRepository("acme/web"));
  EXPECT_TRUE(isValidImageRepository("library/nginx"));
  EXPECT_TRUE(isValidImageRepository("acme/web-app_v2.x"));
  EXPECT_FALSE(isValidImageRepository("Acme/web"));
  EXPECT_FALSE(isValidImageRepository("acme/web/"));
  EXPECT_FALSE(isValidImageRepository("acme/web:1"));
  EXPECT_FALSE(isValidImageRepository(""));
}

TEST(RepositoryPath, FromUrlsAndPaths) {
  EXPECT_EQ(repositoryPathOf("https://github.com/acme/web.git"), "acme/web");
  EXPECT_EQ(repositoryPathOf("https://user@git.example.com:8443/group/sub/repo.git/"), "group/sub/repo");
  EXPECT_EQ(repositoryPathOf("ssh://git@git.example.com:2222/ops/billing.git"), "ops/billing");
  EXPECT_EQ(repositoryPathOf("git@github.com:acme/web.git"), "acme/web");
  EXPECT_EQ(repositoryPathOf("acme/web"), "acme/web");
  EXPECT_EQ(repositoryPathOf("/Acme/Web/"), "Acme/Web");
  EXPECT_EQ(repositoryPathOf("https://github.com"), "");
  EXPECT_EQ(repositoryPathOf(""), "");
}

}  // namespace
}  // namespace autobuild::webhook
