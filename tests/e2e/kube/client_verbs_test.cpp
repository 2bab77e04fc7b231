// The REST verbs of Client on real objects: what a user checks with kubectl afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kube/api_error.h"
#include "kube_test.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::kube::e2e {
namespace {

using ::testing::HasSubstr;

class ClientVerbsTest : public KubeTest {};

Json deployment(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"replicas", 0},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec",
               {{"containers",
                 {{{"name", "web"}, {"image", "registry.example.com/web:1"}},
                  {{"name", "sidecar"}, {"image", "registry.example.com/sidecar:1"}}}}}}}}}}};
}

TEST_F(ClientVerbsTest, CreateThenGetReturnsTheStoredObject) {
  Json created = client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}}));
  EXPECT_FALSE(created["metadata"]["uid"].get<std::string>().empty());

  Json got = client->get(resources::ConfigMaps, ns, "settings");
  EXPECT_EQ(got["data"]["color"], "blue");
  EXPECT_EQ(got["metadata"]["uid"], created["metadata"]["uid"]);
  EXPECT_EQ(got["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
}

TEST_F(ClientVerbsTest, GetOfAMissingObjectIsNotFoundWithTheApiMessage) {
  try {
    client->get(resources::ConfigMaps, ns, "missing");
    FAIL() << "get of a missing ConfigMap succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isNotFound()) << e.what();
    EXPECT_EQ(e.status().reason, "NotFound");
    EXPECT_THAT(e.status().message, HasSubstr("configmaps \"missing\" not found"));
    EXPECT_THAT(e.what(), HasSubstr(ns + "/missing"));
  }
}

TEST_F(ClientVerbsTest, CreatingAnExistingObjectIsAlreadyExists) {
  client->create(resources::ConfigMaps, ns, configMap("twice"));
  try {
    client->create(resources::ConfigMaps, ns, configMap("twice"));
    FAIL() << "the second create succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isAlreadyExists()) << e.what();
    EXPECT_FALSE(e.isConflict());
    EXPECT_THAT(e.status().message, HasSubstr("already exists"));
  }
}

TEST_F(ClientVerbsTest, InvalidObjectIsRejectedWithTheFieldNamed) {
  try {
    client->create(resources::ConfigMaps, ns, configMap("Not_A_Valid_Name"));
    FAIL() << "an invalid name was accepted";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isInvalid()) << e.what();
    EXPECT_THAT(e.status().message, HasSubstr("metadata.name"));
  }
}

TEST_F(ClientVerbsTest, UpdateReplacesTheObject) {
  Json object = client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}}));
  object["data"] = {{"size", "large"}};
  Json updated = client->update(resources::ConfigMaps, ns, object);
  EXPECT_NE(updated["metadata"]["resourceVersion"], object["metadata"]["resourceVersion"]);

  Json got = client->get(resources::ConfigMaps, ns, "settings");
  EXPECT_EQ(got["data"], Json({{"size", "large"}}));
}

TEST_F(ClientVerbsTest, UpdateWithAStaleResourceVersionIsConflict) {
  Json stale = client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}}));
  Json fresh = stale;
  fresh["data"]["color"] = "red";
  client->update(resources::ConfigMaps, ns, fresh);

  stale["data"]["color"] = "green";
  try {
    client->update(resources::ConfigMaps, ns, stale);
    FAIL() << "an update with a stale resourceVersion succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isConflict()) << e.what();
    EXPECT_EQ(e.status().code, 409);
    EXPECT_THAT(e.status().message, HasSubstr("the object has been modified"));
  }
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "settings")["data"]["color"], "red");
}

TEST_F(ClientVerbsTest, MergePatchSetsAndRemovesKeys) {
  client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}, {"size", "small"}}));
  Json patched = client->patch(resources::ConfigMaps, ns, "settings", PatchType::Merge,
                               {{"data", {{"color", "red"}, {"size", nullptr}}}});
  EXPECT_EQ(patched["data"], Json({{"color", "red"}}));
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "settings")["data"], Json({{"color", "red"}}));
}

TEST_F(ClientVerbsTest, StrategicMergePatchMergesContainersByName) {
  client->create(resources::Deployments, ns, deployment(ns, "web"));
  Json patch = {
      {"spec",
       {{"template",
         {{"spec", {{"containers", {{{"name", "web"}, {"image", "registry.example.com/web:2"}}}}}}}}}}};
  client->patch(resources::Deployments, ns, "web", PatchType::StrategicMerge, patch);

  Json containers = client->get(resources::Deployments, ns, "web")["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u) << containers.dump();
  EXPECT_EQ(containers[0]["image"], "registry.example.com/web:2");
  EXPECT_EQ(containers[1]["image"], "registry.example.com/sidecar:1");
}

TEST_F(ClientVerbsTest, JsonPatchAppliesOperationsInOrder) {
  client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}}));
  Json ops = Json::array({{{"op", "test"}, {"path", "/data/color"}, {"value", "blue"}},
                          {{"op", "replace"}, {"path", "/data/color"}, {"value", "red"}},
                          {{"op", "add"}, {"path", "/data/size"}, {"value", "large"}}});
  client->patch(resources::ConfigMaps, ns, "settings", PatchType::JsonPatch, ops);
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "settings")["data"],
            Json({{"color", "red"}, {"size", "large"}}));
}

TEST_F(ClientVerbsTest, FailedJsonPatchTestChangesNothing) {
  client->create(resources::ConfigMaps, ns, configMap("settings", {{"color", "blue"}}));
  Json ops = Json::array({{{"op", "test"}, {"path", "/data/color"}, {"value", "green"}},
                          {{"op", "replace"}, {"path", "/data/color"}, {"value", "red"}}});
  try {
    client->patch(resources::ConfigMaps, ns, "settings", PatchType::JsonPatch, ops);
    FAIL() << "a JSON patch whose test fails was applied";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isInvalid()) << e.what();
  }
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "settings")["data"]["color"], "blue");
}

TEST_F(ClientVerbsTest, ApplyCreatesAndThenUpdatesTheObject) {
  PatchOptions apply{"e2e-tests", false};
  client->patch(resources::ConfigMaps, ns, "applied", PatchType::Apply,
                configMap("applied", {{"color", "blue"}}), apply);
  client->patch(resources::ConfigMaps, ns, "applied", PatchType::Apply,
                configMap("applied", {{"color", "red"}}), apply);

  Json got = client->get(resources::ConfigMaps, ns, "applied");
  EXPECT_EQ(got["data"], Json({{"color", "red"}}));
  ASSERT_TRUE(got["metadata"].contains("managedFields"));
  EXPECT_EQ(got["metadata"]["managedFields"][0]["manager"], "e2e-tests");
}

TEST_F(ClientVerbsTest, RemoveDeletesTheObject) {
  client->create(resources::ConfigMaps, ns, configMap("doomed"));
  client->remove(resources::ConfigMaps, ns, "doomed");
  try {
    client->get(resources::ConfigMaps, ns, "doomed");
    FAIL() << "the deleted ConfigMap is still there";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isNotFound()) << e.what();
  }
}

TEST_F(ClientVerbsTest, RemoveOfAMissingObjectIsNotFound) {
  try {
    client->remove(resources::ConfigMaps, ns, "missing");
    FAIL() << "deleting a missing ConfigMap succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isNotFound()) << e.what();
  }
}

TEST_F(ClientVerbsTest, RemoveWithAWrongUidPreconditionIsConflict) {
  client->create(resources::ConfigMaps, ns, configMap("guarded"));
  try {
    client->remove(resources::ConfigMaps, ns, "guarded", Propagation::Background,
                   "00000000-0000-0000-0000-000000000000");
    FAIL() << "a delete with a wrong uid precondition succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isConflict()) << e.what();
    EXPECT_THAT(e.status().message, HasSubstr("the UID in the precondition"));
  }
  EXPECT_NO_THROW(client->get(resources::ConfigMaps, ns, "guarded"));
}

TEST_F(ClientVerbsTest, RequestsSucceedAfterTheApiServerRestarts) {
  Json object = client->create(resources::ConfigMaps, ns, configMap("survivor", {{"v", "1"}}));
  testenv::controlPlane().stopApiServer();
  testenv::controlPlane().startApiServer();

  // The connections pooled before the restart are dead: the client must not fail on them.
  object["data"]["v"] = "2";
  EXPECT_NO_THROW(client->update(resources::ConfigMaps, ns, object));
  EXPECT_NO_THROW(client->create(resources::ConfigMaps, ns, configMap("newcomer")));
  EXPECT_EQ(client->get(resources::ConfigMaps, ns, "survivor")["data"]["v"], "2");
}

// A custom resource with a status subresource, as the operator's own AutoBuild has.
class StatusSubresourceTest : public KubeTest {
 protected:
  static void SetUpTestSuite() {
    auto admin = std::make_shared<Client>(adminConfig());
    Json crd = {
        {"apiVersion", "apiextensions.k8s.io/v1"},
        {"kind", "CustomResourceDefinition"},
        {"metadata", {{"name", "widgets.e2e.autobuild.dev"}}},
        {"spec",
         {{"group", "e2e.autobuild.dev"},
          {"scope", "Namespaced"},
          {"names",
           {{"plural", "widgets"}, {"singular", "widget"}, {"kind", "Widget"}, {"listKind", "WidgetList"}}},
          {"versions",
           {{{"name", "v1"},
             {"served", true},
             {"storage", true},
             {"subresources", {{"status", Json::object()}}},
             {"schema",
              {{"openAPIV3Schema",
                {{"type", "object"},
                 {"properties",
                  {{"spec", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
                   {"status",
                    {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}}}}}};
    try {
      admin->create(resources::CustomResourceDefinitions, "", crd);
    } catch (const ApiError& e) {
      if (!e.isAlreadyExists()) throw;
    }
    bool established = eventually([&] {
      Json got = admin->get(resources::CustomResourceDefinitions, "", "widgets.e2e.autobuild.dev");
      for (const auto& condition : got["status"].value("conditions", Json::array())) {
        if (condition["type"] == "Established" && condition["status"] == "True") return true;
      }
      return false;
    });
    ASSERT_TRUE(established) << "the Widget CRD did not become established";
  }

  Json widget(const std::string& name) const {
    return {{"apiVersion", "e2e.autobuild.dev/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", name}, {"namespace", ns}}},
            {"spec", {{"size", 1}}}};
  }

  // An established CRD is served a moment later: retry the first create until the resource exists.
  Json createWidget(const std::string& name) {
    Json created;
    bool served = eventually([&] {
      try {
        created = client->create(kWidgets, ns, widget(name));
        return true;
      } catch (const ApiError& e) {
        if (!e.isNotFound()) throw;
        return false;
      }
    });
    EXPECT_TRUE(served) << "widgets are not served";
    return created;
  }

  static inline const Resource kWidgets{"e2e.autobuild.dev", "v1", "widgets", "Widget", true};
};

TEST_F(StatusSubresourceTest, StatusIsWrittenOnlyThroughTheSubresource) {
  Json created = createWidget("gear");

  // Through the main resource the status is ignored...
  Json object = created;
  object["status"] = {{"phase", "Ignored"}};
  object["spec"]["size"] = 2;
  Json updated = client->update(kWidgets, ns, object);
  EXPECT_FALSE(updated.contains("status")) << updated.dump();
  EXPECT_EQ(updated["spec"]["size"], 2);

  // ...and through the subresource only the status changes.
  updated["status"] = {{"phase", "Ready"}};
  updated["spec"]["size"] = 3;
  Json status_updated = client->update(kWidgets, ns, updated, "status");
  EXPECT_EQ(status_updated["status"]["phase"], "Ready");
  EXPECT_EQ(status_updated["spec"]["size"], 2);

  client->patch(kWidgets, ns, "gear", PatchType::Merge, {{"status", {{"observed", 7}}}}, {}, "status");
  Json got = client->get(kWidgets, ns, "gear");
  EXPECT_EQ(got["status"], Json({{"phase", "Ready"}, {"observed", 7}}));
  EXPECT_EQ(got["spec"]["size"], 2);
  EXPECT_EQ(client->get(kWidgets, ns, "gear", "status")["status"]["phase"], "Ready");
}

TEST_F(StatusSubresourceTest, StatusUpdateWithAStaleResourceVersionIsConflict) {
  Json stale = createWidget("sprocket");
  Json fresh = stale;
  fresh["status"] = {{"phase", "Ready"}};
  client->update(kWidgets, ns, fresh, "status");

  stale["status"] = {{"phase", "Failed"}};
  try {
    client->update(kWidgets, ns, stale, "status");
    FAIL() << "a status update with a stale resourceVersion succeeded";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.isConflict()) << e.what();
  }
  EXPECT_EQ(client->get(kWidgets, ns, "sprocket")["status"]["phase"], "Ready");
}

}  // namespace
}  // namespace autobuild::kube::e2e
