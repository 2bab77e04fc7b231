#include "webhook/sources/source_table.h"

#include <stdexcept>

#include <gtest/gtest.h>

#include "webhook/sources/body_format.h"

namespace autobuild::webhook {
namespace {

TEST(SourceTable, EverySourceTypeHasItsSource) {
  for (const api::SourceType type :
       {api::SourceType::GitHub, api::SourceType::GitLab, api::SourceType::Gitee, api::SourceType::Gogs,
        api::SourceType::Gitea, api::SourceType::DockerHub, api::SourceType::API}) {
    EXPECT_EQ(sourceFor(type).type(), type);
    EXPECT_EQ(&sourceFor(type), &sourceFor(type));
  }
}

TEST(SourceTable, AnUnknownSourceTypeIsAProgrammingError) {
  EXPECT_THROW(sourceFor(static_cast<api::SourceType>(99)), std::logic_error);
}

TEST(SourceTable, GitSourcesAcceptFormBodiesOthersOnlyJson) {
  for (const api::SourceType type : {api::SourceType::GitHub, api::SourceType::GitLab, api::SourceType::Gitee,
                                     api::SourceType::Gogs, api::SourceType::Gitea}) {
    EXPECT_TRUE(sourceFor(type).accepts(BodyFormat::Json));
    EXPECT_TRUE(sourceFor(type).accepts(BodyFormat::Form));
  }
  for (const api::SourceType type : {api::SourceType::DockerHub, api::SourceType::API}) {
    EXPECT_TRUE(sourceFor(type).accepts(BodyFormat::Json));
    EXPECT_FALSE(sourceFor(type).accepts(BodyFormat::Form));
  }
}

TEST(BodyFormat, FromContentType) {
  EXPECT_EQ(bodyFormatOf("application/json"), BodyFormat::Json);
  EXPECT_EQ(bodyFormatOf("Application/JSON; charset=utf-8"), BodyFormat::Json);
  EXPECT_EQ(bodyFormatOf(" application/json ;charset=UTF-8"), BodyFormat::Json);
  EXPECT_EQ(bodyFormatOf("application/x-www-form-urlencoded"), BodyFormat::Form);
  EXPECT_EQ(bodyFormatOf("application/x-www-form-urlencoded; charset=utf-8"), BodyFormat::Form);
  EXPECT_EQ(bodyFormatOf(""), std::nullopt);
  EXPECT_EQ(bodyFormatOf("text/plain"), std::nullopt);
  EXPECT_EQ(bodyFormatOf("application/jsonp"), std::nullopt);
  EXPECT_EQ(bodyFormatOf("multipart/form-data; boundary=x"), std::nullopt);
}

TEST(Delivery, HeadersAreCaseInsensitive) {
  Delivery delivery;
  delivery.setHeader("X-GitHub-Event", "push");
  ASSERT_NE(delivery.header("x-github-event"), nullptr);
  EXPECT_EQ(*delivery.header("X-GITHUB-EVENT"), "push");
  EXPECT_EQ(delivery.headers.count("x-github-event"), 1u);
  EXPECT_EQ(delivery.header("X-Gitlab-Event"), nullptr);
}

}  // namespace
}  // namespace autobuild::webhook
