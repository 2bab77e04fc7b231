#include "kube/resource.h"

#include <gtest/gtest.h>

namespace autobuild::kube {
namespace {

TEST(ResourceTest, CoreGroupPaths) {
  EXPECT_EQ(resources::Pods.apiVersion(), "v1");
  EXPECT_EQ(resources::Pods.collectionPath("shop"), "/api/v1/namespaces/shop/pods");
  EXPECT_EQ(resources::Pods.collectionPath(""), "/api/v1/pods");
  EXPECT_EQ(resources::Pods.objectPath("shop", "web-1"), "/api/v1/namespaces/shop/pods/web-1");
  EXPECT_EQ(resources::Secrets.objectPath("shop", "web-webhook"),
            "/api/v1/namespaces/shop/secrets/web-webhook");
}

TEST(ResourceTest, NamedGroupPathsAndSubresources) {
  EXPECT_EQ(resources::Deployments.apiVersion(), "apps/v1");
  EXPECT_EQ(resources::Deployments.collectionPath("shop"), "/apis/apps/v1/namespaces/shop/deployments");
  EXPECT_EQ(resources::Deployments.objectPath("shop", "web", "status"),
            "/apis/apps/v1/namespaces/shop/deployments/web/status");
  EXPECT_EQ(resources::Leases.objectPath("autobuild-system", "autobuild-controller"),
            "/apis/coordination.k8s.io/v1/namespaces/autobuild-system/leases/autobuild-controller");
  const Resource autobuilds{"autobuild.dev", "v1alpha1", "autobuilds", "AutoBuild", true};
  EXPECT_EQ(autobuilds.objectPath("shop", "web", "status"),
            "/apis/autobuild.dev/v1alpha1/namespaces/shop/autobuilds/web/status");
}

TEST(ResourceTest, ClusterScopedResourcesIgnoreTheNamespace) {
  EXPECT_EQ(resources::Namespaces.objectPath("ignored", "shop"), "/api/v1/namespaces/shop");
  EXPECT_EQ(resources::CustomResourceDefinitions.collectionPath(""),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  EXPECT_EQ(resources::CustomResourceDefinitions.objectPath("", "autobuilds.autobuild.dev"),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/autobuilds.autobuild.dev");
}

}  // namespace
}  // namespace autobuild::kube
