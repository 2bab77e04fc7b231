#include "api/image_reference.h"

#include <gtest/gtest.h>

namespace autobuild::api {
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
  EXPECT_TRUE(isImageTag("1.4.2"));
  EXPECT_TRUE(isImageTag("_build-7"));
  EXPECT_TRUE(isImageTag("V2.release_candidate"));
  EXPECT_TRUE(isImageTag(std::string(128, 'a')));
  EXPECT_FALSE(isImageTag(""));
  EXPECT_FALSE(isImageTag(std::string(129, 'a')));
  EXPECT_FALSE(isImageTag(".1"));
  EXPECT_FALSE(isImageTag("-1"));
  EXPECT_FALSE(isImageTag("1.4 2"));
  EXPECT_FALSE(isImageTag("1/2"));
  EXPECT_FALSE(isImageTag("caf\xC3\xA9"));
}

TEST(ImageReference, WithTagKeepsTheRegistryHostAndRepository) {
  EXPECT_EQ(imageWithTag("registry.example.com:5000/acme/web:1.0", "1.1"),
            "registry.example.com:5000/acme/web:1.1");
  EXPECT_EQ(imageWithTag("registry.example.com:5000/acme/web", "1.1"),
            "registry.example.com:5000/acme/web:1.1");
  EXPECT_EQ(imageWithTag("acme/web:1.0@sha256:" + std::string(64, 'a'), "2"), "acme/web:2");
  EXPECT_EQ(imageWithTag("nginx", "1.25"), "nginx:1.25");
  EXPECT_EQ(imageRepositoryOf("docker.io/library/nginx:1.25"), "docker.io/library/nginx");
}

}  // namespace
}  // namespace autobuild::api
