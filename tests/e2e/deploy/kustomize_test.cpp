// deploy/: the kustomize base, applied both ways docs/install.md gives (`kubectl apply -k deploy/` and
// `kubectl apply -f crds/ -f deploy/`) to a real Kubernetes 1.20 API server, and kept in step with the
// Helm chart's default installation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/e2e/deploy/cli_tools.h"
#include "tests/e2e/deploy/manifest.h"
#include "tests/testenv/control_plane.h"

namespace autobuild::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

// The manifest files of deploy/, the ones `kubectl apply -f deploy/` reads, sorted as kubectl reads them.
std::vector<std::string> manifestFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(sourcePath("deploy"))) {
    const auto extension = entry.path().extension().string();
    if (extension == ".yaml" || extension == ".yml" || extension == ".json") {
      files.push_back(entry.path().filename().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<json> objectsOfFiles() {
  std::vector<json> objects;
  for (const auto& file : manifestFiles()) {
    auto parsed = parseManifests(readFile(sourcePath("deploy/" + file)), "deploy/" + file);
    objects.insert(objects.end(), parsed.begin(), parsed.end());
  }
  return objects;
}

std::map<std::string, json> byId(const std::vector<json>& objects) {
  std::map<std::string, json> result;
  for (const auto& o : objects) result[objectId(o)] = o;
  return result;
}

// What docs/install.md tells Kubernetes 1.20 users to pipe the manifests through.
std::string forKubernetes120(const std::string& manifests) {
  static const std::regex pdb_version("^apiVersion: policy/v1$", std::regex::multiline);
  return std::regex_replace(manifests, pdb_version, "apiVersion: policy/v1beta1");
}

// The ids of the `objects` the cluster does not have.
std::vector<std::string> missingObjects(const std::vector<json>& objects) {
  std::vector<std::string> missing;
  for (const auto& o : objects) {
    // kubectl names a kind outside the core group as Kind.group.
    const std::string api_version = o["apiVersion"];
    const auto slash = api_version.find('/');
    std::string kind = o["kind"];
    if (slash != std::string::npos) kind += "." + api_version.substr(0, slash);
    std::vector<std::string> args = {"get", kind, o["metadata"]["name"]};
    if (o["metadata"].contains("namespace")) {
      args.push_back("--namespace");
      args.push_back(o["metadata"]["namespace"]);
    }
    if (!tryKubectl(args).ok) missing.push_back(objectId(o));
  }
  return missing;
}

// kubectl's error lines, without the hint it prints after a mapping error.
std::vector<std::string> errorLines(const std::string& message) {
  std::vector<std::string> lines;
  std::istringstream in(message);
  for (std::string line; std::getline(in, line);) {
    if (line.find("error") != std::string::npos || line.find("Error") != std::string::npos)
      lines.push_back(line);
  }
  return lines;
}

class KustomizeBase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testenv::controlPlane().kubectl({"apply", "--filename", sourcePath("crds/")});
  }
};

TEST_F(KustomizeBase, KustomizationListsEveryManifestFileAndNothingElse) {
  // The kustomization has no .yaml extension, so `kubectl apply -f deploy/` does not read it.
  ASSERT_TRUE(fs::exists(sourcePath("deploy/Kustomization")));
  YAML::Node kustomization = YAML::LoadFile(sourcePath("deploy/Kustomization"));
  std::vector<std::string> resources;
  for (const auto& r : kustomization["resources"]) resources.push_back(r.as<std::string>());
  std::sort(resources.begin(), resources.end());
  EXPECT_EQ(resources, manifestFiles());
  // Only resources: a transformer would make -k and -f apply different objects.
  std::set<std::string> keys;
  for (const auto& entry : kustomization) keys.insert(entry.first.as<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"apiVersion", "kind", "resources"}));
  // No subdirectory: kustomize refuses a base that contains its own overlay.
  for (const auto& entry : fs::directory_iterator(sourcePath("deploy"))) {
    EXPECT_FALSE(entry.is_directory()) << entry.path();
  }
}

TEST_F(KustomizeBase, KustomizeBuildsExactlyTheObjectsOfTheFiles) {
  auto built = parseManifests(testenv::controlPlane().kubectl({"kustomize", sourcePath("deploy")}),
                              "kubectl kustomize");
  EXPECT_EQ(byId(built), byId(objectsOfFiles()));
}

TEST_F(KustomizeBase, MatchesTheChartsDefaultInstallation) {
  auto chart = byId(parseManifests(
      helm({"template", "autobuild", sourcePath("charts/autobuild"), "--namespace", "autobuild-system"}),
      "helm template"));
  auto base = byId(objectsOfFiles());
  std::set<std::string> chart_ids, base_ids;
  for (const auto& [id, o] : chart) chart_ids.insert(id);
  for (const auto& [id, o] : base) base_ids.insert(id);
  base_ids.erase("Namespace//autobuild-system");  // helm installs into a namespace; the base creates its own
  ASSERT_EQ(base_ids, chart_ids);
  for (const auto& id : base_ids) {
    SCOPED_TRACE(id);
    const json& b = base[id];
    const json& c = chart[id];
    EXPECT_EQ(b["apiVersion"], c["apiVersion"]);
    for (const std::string field : {"spec", "rules", "roleRef", "subjects"}) {
      EXPECT_EQ(b.value(field, json()), c.value(field, json())) << field;
    }
    // The chart adds helm.sh/chart, version and managed-by; the rest of the labels are the same.
    const json labels = b["metadata"].value("labels", json::object());
    for (const auto& [key, value] : labels.items()) {
      EXPECT_EQ(c["metadata"]["labels"][key], value) << key;
    }
  }
}

TEST_F(KustomizeBase, ApplyKWithTheKubernetes120VersionOfThePdbIsAccepted) {
  auto& plane = testenv::controlPlane();
  const std::string built = plane.kubectl({"kustomize", sourcePath("deploy")});
  auto applied = tryKubectl({"apply", "--filename", "-"}, forKubernetes120(built));
  ASSERT_TRUE(applied.ok) << applied.text;
  EXPECT_THAT(missingObjects(parseManifests(built, "kubectl kustomize")), ::testing::IsEmpty());
  EXPECT_EQ(plane.kubectl({"get", "poddisruptionbudget", "autobuild-webhook", "--namespace",
                           "autobuild-system", "--output", "jsonpath={.spec.minAvailable}"}),
            "1");
}

TEST_F(KustomizeBase, ApplyKOnKubernetes120RefusesOnlyThePolicyV1Pdb) {
  auto applied = tryKubectl({"apply", "--kustomize", sourcePath("deploy")});
  ASSERT_FALSE(applied.ok) << "policy/v1 needs Kubernetes 1.21; the control plane is 1.20";
  EXPECT_THAT(errorLines(applied.text),
              ::testing::ElementsAre(
                  HasSubstr(R"(no matches for kind "PodDisruptionBudget" in version "policy/v1")")));
  auto objects = objectsOfFiles();
  std::erase_if(objects, [](const json& o) { return o["kind"] == "PodDisruptionBudget"; });
  EXPECT_THAT(missingObjects(objects), ::testing::IsEmpty());
}

TEST_F(KustomizeBase, ApplyFOfCrdsAndDeployCreatesEveryObject) {
  auto& plane = testenv::controlPlane();
  // As on Kubernetes 1.21 and later: a copy of deploy/ with the PDB rewritten as docs/install.md says.
  const fs::path copy = fs::path(plane.dir()) / "deploy-for-1.20";
  fs::remove_all(copy);
  fs::create_directories(copy);
  for (const auto& entry : fs::directory_iterator(sourcePath("deploy"))) {
    std::ofstream(copy / entry.path().filename()) << forKubernetes120(readFile(entry.path().string()));
  }
  auto applied = tryKubectl({"apply", "--filename", sourcePath("crds/"), "--filename", copy.string()});
  ASSERT_TRUE(applied.ok) << applied.text;
  EXPECT_THAT(applied.text,
              HasSubstr("customresourcedefinition.apiextensions.k8s.io/autobuilds.autobuild.dev"));
  EXPECT_THAT(missingObjects(objectsOfFiles()), ::testing::IsEmpty());

  // The repository's own directory: everything but the policy/v1 PDB, and the Kustomization is skipped.
  auto unchanged =
      tryKubectl({"apply", "--filename", sourcePath("crds/"), "--filename", sourcePath("deploy")});
  ASSERT_FALSE(unchanged.ok);
  EXPECT_THAT(errorLines(unchanged.text),
              ::testing::ElementsAre(
                  HasSubstr(R"(no matches for kind "PodDisruptionBudget" in version "policy/v1")")));
}

}  // namespace
}  // namespace autobuild::e2e
