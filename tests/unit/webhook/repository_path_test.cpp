#include "webhook/sources/repository_path.h"

#include <gtest/gtest.h>

namespace autobuild::webhook {
namespace {

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
