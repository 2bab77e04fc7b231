// The CRD in crds/ against the C++ API: every field the operator writes is in the schema, and the
// schema's enums and defaults are the ones of the C++ types.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "api/autobuild.h"
#include "api/json.h"

namespace autobuild::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

YAML::Node crd() {
  static const YAML::Node node = YAML::LoadFile(AUTOBUILD_CRD_FILE);
  return node;
}

YAML::Node version() {
  return crd()["spec"]["versions"][0];
}

YAML::Node schema() {
  return version()["schema"]["openAPIV3Schema"];
}

// The schema node at a dotted path of property names ("spec.source.type").
YAML::Node property(const std::string& path) {
  YAML::Node node = schema();
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('.', start), path.size());
    // reset(), not operator=, which would overwrite the node inside the document.
    node.reset(node["properties"][path.substr(start, end - start)]);
    if (!node) ADD_FAILURE() << "the CRD schema has no " << path;
    start = end + 1;
  }
  return node;
}

std::vector<std::string> strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const YAML::Node& item : list) out.push_back(item.as<std::string>());
  return out;
}

bool preservesUnknownFields(const YAML::Node& node) {
  return node["x-kubernetes-preserve-unknown-fields"] &&
         node["x-kubernetes-preserve-unknown-fields"].as<bool>();
}

// Fails for every value in `value` that the schema does not declare, or declares with another type.
void expectDeclared(const json& value, const YAML::Node& node, const std::string& path) {
  ASSERT_TRUE(node && node["type"]) << path << " is not declared with a type in the CRD schema";
  const std::string type = node["type"].as<std::string>();
  if (value.is_object()) {
    ASSERT_EQ(type, "object") << path;
    for (const auto& [key, child] : value.items()) {
      const std::string child_path = path + "." + key;
      if (node["properties"] && node["properties"][key]) {
        expectDeclared(child, node["properties"][key], child_path);
      } else if (node["additionalProperties"]) {
        expectDeclared(child, node["additionalProperties"], child_path);
      } else {
        EXPECT_TRUE(preservesUnknownFields(node)) << child_path << " is not in the CRD schema";
      }
    }
  } else if (value.is_array()) {
    ASSERT_EQ(type, "array") << path;
    for (const json& item : value) expectDeclared(item, node["items"], path + "[]");
  } else if (value.is_string()) {
    EXPECT_EQ(type, "string") << path;
  } else if (value.is_boolean()) {
    EXPECT_EQ(type, "boolean") << path;
  } else if (value.is_number_integer()) {
    EXPECT_EQ(type, "integer") << path;
  } else {
    ADD_FAILURE() << path << " has a value the operator never writes: " << value.dump();
  }
}

AutoBuild everyFieldSet() {
  AutoBuild ab;
  ab.ns = "shop";
  ab.name = "web";
  ab.spec.source = Source{SourceType::GitHub, "acme/web", {"main"}, {"v*"}};
  ab.spec.trigger.keyword = "ship";
  ab.spec.secret_ref = SecretRef{"web-webhook", "secret"};
  ab.spec.target = Target{TargetKind::StatefulSet, "web", "app"};
  Build build;
  build.image = "registry.example.com/acme/web";
  build.template_ = json::parse(R"({"metadata": {"labels": {"a": "b"}, "annotations": {"c": "d"}},
      "spec": {"restartPolicy": "Never", "containers": [{"name": "build", "image": "moby/buildkit:rootless",
                                                          "args": ["build"]}]}})");
  build.service_account_name = "builder";
  build.push_secret_ref = LocalObjectReference{"registry-push"};
  ab.spec.build = build;
  ab.spec.suspend = true;
  ab.status.observed_generation = 3;
  ab.status.webhook_path = "/hooks/abc";
  ab.status.webhook_url = "https://hooks.example.com/hooks/abc";
  ab.status.conditions = {Condition{"Ready", "True", "WebhookReady", "ok", 3, "2026-11-23T10:00:00Z"}};
  ab.status.last_trigger =
      LastTrigger{"2026-11-23T10:00:00Z", "GitHub", "72d3162e", "1cdc0a9a", "main", "fix @ship", "RolledOut"};
  ab.status.trigger_count = 12;
  return ab;
}

TEST(Crd, NamesTheNamespacedAutoBuildResource) {
  EXPECT_EQ(crd()["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd()["kind"].as<std::string>(), "CustomResourceDefinition");
  EXPECT_EQ(crd()["metadata"]["name"].as<std::string>(), AutoBuilds.plural + "." + kGroup);
  const YAML::Node spec = crd()["spec"];
  EXPECT_EQ(spec["group"].as<std::string>(), kGroup);
  EXPECT_EQ(spec["scope"].as<std::string>(), "Namespaced");
  EXPECT_EQ(spec["names"]["kind"].as<std::string>(), kKind);
  EXPECT_EQ(spec["names"]["listKind"].as<std::string>(), "AutoBuildList");
  EXPECT_EQ(spec["names"]["plural"].as<std::string>(), AutoBuilds.plural);
  EXPECT_EQ(spec["names"]["singular"].as<std::string>(), "autobuild");
  EXPECT_THAT(strings(spec["names"]["shortNames"]), ElementsAre("ab"));
  EXPECT_FALSE(spec["names"]["categories"]);
  ASSERT_EQ(spec["versions"].size(), 1u);
  EXPECT_EQ(version()["name"].as<std::string>(), kVersion);
  EXPECT_TRUE(version()["served"].as<bool>());
  EXPECT_TRUE(version()["storage"].as<bool>());
  EXPECT_TRUE(version()["subresources"]["status"].IsMap());
}

TEST(Crd, PrinterColumns) {
  std::vector<std::string> columns;
  for (const YAML::Node& column : version()["additionalPrinterColumns"]) {
    columns.push_back(column["name"].as<std::string>() + "|" + column["type"].as<std::string>() + "|" +
                      column["jsonPath"].as<std::string>() + "|" + column["priority"].as<std::string>("0"));
  }
  EXPECT_THAT(columns,
              ElementsAre("Type|string|.spec.source.type|0", "Target|string|.spec.target.name|0",
                          "Ready|string|.status.conditions[?(@.type==\"Ready\")].status|0",
                          "Last Revision|string|.status.lastTrigger.revision|0",
                          "Last Trigger|date|.status.lastTrigger.time|0",
                          "Age|date|.metadata.creationTimestamp|0", "URL|string|.status.webhookURL|1"));
}

TEST(Crd, DeclaresEveryFieldTheOperatorWrites) {
  json object = toJson(everyFieldSet());
  object.erase("metadata");  // the API server's own schema
  expectDeclared(object, schema(), "");
}

TEST(Crd, EnumsAreTheNamesOfTheCppTypes) {
  std::vector<std::string> types;
  for (SourceType type : {SourceType::GitHub, SourceType::GitLab, SourceType::Gitee, SourceType::Gogs,
                          SourceType::Gitea, SourceType::DockerHub, SourceType::API}) {
    types.push_back(toString(type));
  }
  EXPECT_THAT(strings(property("spec.source.type")["enum"]), UnorderedElementsAreArray(types));
  EXPECT_THAT(strings(property("spec.target.kind")["enum"]),
              UnorderedElementsAreArray({toString(TargetKind::Deployment), toString(TargetKind::StatefulSet),
                                         toString(TargetKind::DaemonSet)}));
  EXPECT_THAT(strings(property("status.lastTrigger.result")["enum"]),
              ElementsAre("RolledOut", "BuildStarted", "Ignored", "Rejected", "Failed"));
}

TEST(Crd, DefaultsAreTheDefaultsOfTheCppTypes) {
  EXPECT_EQ(property("spec.trigger.keyword")["default"].as<std::string>(), Trigger{}.keyword);
  EXPECT_TRUE(property("spec.trigger")["default"].IsMap());  // so the keyword default applies without trigger
  EXPECT_EQ(property("spec.secretRef.key")["default"].as<std::string>(), SecretRef{}.key);
  EXPECT_TRUE(property("spec.secretRef")["default"].IsMap());
  EXPECT_FALSE(property("spec.secretRef.name")["default"]);  // "<name>-webhook" is the controller's
  EXPECT_EQ(property("spec.target.kind")["default"].as<std::string>(), toString(Target{}.kind));
  EXPECT_EQ(property("spec.build.timeout")["default"].as<std::string>(), Build{}.timeout);
  EXPECT_EQ(property("spec.build.historyLimit")["default"].as<int>(), Build{}.history_limit);
  EXPECT_FALSE(property("spec.suspend")["default"].as<bool>());
  EXPECT_FALSE(property("spec.source.branches")["default"]);  // git sources only: the controller's
}

TEST(Crd, RequiresWhatTheSpecRequires) {
  EXPECT_THAT(strings(property("spec")["required"]), ElementsAre("source", "target"));
  EXPECT_THAT(strings(property("spec.source")["required"]), ElementsAre("type"));
  EXPECT_THAT(strings(property("spec.target")["required"]), ElementsAre("name"));
  EXPECT_THAT(strings(property("spec.build")["required"]), ElementsAre("image", "template"));
  EXPECT_THAT(strings(property("spec.build.pushSecretRef")["required"]), ElementsAre("name"));
}

TEST(Crd, KeywordPatternIsTheOneValidationNames) {
  EXPECT_EQ(property("spec.trigger.keyword")["pattern"].as<std::string>(), "^[A-Za-z0-9_.-]{0,64}$");
}

TEST(Crd, BuildTemplateSpecKeepsEveryPodSpecField) {
  EXPECT_TRUE(preservesUnknownFields(property("spec.build.template.spec")));
  EXPECT_EQ(property("spec.build.template.spec.containers")["minItems"].as<int>(), 1);
}

// Kubernetes 1.20 knows no CEL rules: kubectl and helm refuse a CRD carrying them.
bool hasCelRules(const YAML::Node& node) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (entry.first.as<std::string>() == "x-kubernetes-validations" || hasCelRules(entry.second))
        return true;
    }
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (hasCelRules(item)) return true;
    }
  }
  return false;
}

TEST(Crd, HasNoCelRules) {
  EXPECT_FALSE(hasCelRules(crd()));
}

}  // namespace
}  // namespace autobuild::api
