// Server-side apply between two field managers: conflicts are reported, force takes the fields over.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/api_error.h"
#include "kube_test.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::HasSubstr;

class ServerSideApplyTest : public KubeTest {};

TEST_F(ServerSideApplyTest, SecondManagerConflictsWithoutForceAndWinsWithForce) {
  client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply,
                configMap("shared", {{"color", "blue"}}), {"alpha", false});

  try {
    client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply,
                  configMap("shared", {{"color", "red"}}), {"beta", false});
    FAIL() << "applying a field another manager owns succeeded without force";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isConflict()) << e.what();
    EXPECT_EQ(e.status().code, 409);
    EXPECT_THAT(e.status().message, HasSubstr("conflict with \"alpha\""));
    EXPECT_THAT(e.status().message, HasSubstr(".data.color"));
    EXPECT_THAT(e.what(), HasSubstr(e.status().message));
  }
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "shared")["data"]["color"], "blue");

  client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply,
                configMap("shared", {{"color", "red"}}), {"beta", true});
  Json got = client->get(resources::ConfigMaps, ns, "shared");
  EXPECT_EQ(got["data"]["color"], "red");
  std::vector<std::string> managers;
  for (const auto& entry : got["metadata"]["managedFields"]) managers.push_back(entry["manager"]);
  EXPECT_THAT(managers, ::testing::Contains("beta"));
}

TEST_F(ServerSideApplyTest, ManagersOfDifferentFieldsDoNotConflict) {
  client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply,
                configMap("shared", {{"color", "blue"}}), {"alpha", false});
  client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply,
                configMap("shared", {{"size", "large"}}), {"beta", false});
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "shared")["data"],
            Json({{"color", "blue"}, {"size", "large"}}));
}

TEST_F(ServerSideApplyTest, ApplyWithoutAFieldManagerIsRejected) {
  try {
    client->patch(resources::ConfigMaps, ns, "shared", PatchType::Apply, configMap("shared"), {"", false});
    FAIL() << "an apply without a field manager succeeded";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("field"));
  }
}

}  // namespace
}  // namespace autobuild::kube::e2e
