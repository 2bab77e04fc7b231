#include "controller/build_reconciler.h"

#include <gtest/gtest.h>

namespace autobuild::controller {
namespace {

using nlohmann::json;

TEST(BuildJobCacheTest, KeepsWhatTheBuildReconcilerReadsAndDropsTheTemplate) {
  json job = json::parse(R"({
    "metadata": {"name": "web-1cdc0a9a6f2e", "namespace": "shop", "uid": "u", "resourceVersion": "7",
                 "creationTimestamp": "2026-11-23T10:00:00Z", "labels": {"autobuild.dev/autobuild": "web"},
                 "annotations": {"autobuild.dev/revision": "1cdc"}, "ownerReferences": [{"uid": "o"}],
                 "managedFields": [{"manager": "x"}]},
    "spec": {"template": {"spec": {"containers": [{"name": "build"}]}}},
    "status": {"conditions": [{"type": "Complete", "status": "True"}], "startTime": "2026-11-23T10:00:01Z",
               "completionTime": "2026-11-23T10:01:00Z", "succeeded": 1, "uncountedTerminatedPods": {}}
  })");
  json trimmed = trimBuildJob(job);
  EXPECT_FALSE(trimmed.contains("spec"));
  EXPECT_FALSE(trimmed["metadata"].contains("managedFields"));
  EXPECT_FALSE(trimmed["status"].contains("uncountedTerminatedPods"));
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels",
                            "annotations", "ownerReferences"}) {
    EXPECT_EQ(trimmed["metadata"][field], job["metadata"][field]) << field;
  }
  for (const char* field : {"conditions", "startTime", "completionTime", "succeeded"}) {
    EXPECT_EQ(trimmed["status"][field], job["status"][field]) << field;
  }
}

TEST(BuildJobCacheTest, ATrimmedJobWithoutStatusHasAnEmptyOne) {
  json trimmed = trimBuildJob(json::parse(R"({"metadata": {"name": "j", "namespace": "shop"}})"));
  EXPECT_EQ(trimmed["status"], json::object());
}

TEST(BuildJobCacheTest, TheAutoBuildKeyComesFromTheLabel) {
  EXPECT_EQ(autoBuildKeyOfJob(json::parse(
                R"({"metadata": {"namespace": "shop", "labels": {"autobuild.dev/autobuild": "web"}}})")),
            "shop/web");
  EXPECT_EQ(autoBuildKeyOfJob(json::parse(R"({"metadata": {"namespace": "shop", "labels": {"app": "x"}}})")),
            "");
  EXPECT_EQ(autoBuildKeyOfJob(json::parse(R"({"metadata": {"namespace": "shop"}})")), "");
  EXPECT_EQ(autoBuildKeyOfJob(json::object()), "");
}

}  // namespace
}  // namespace autobuild::controller
