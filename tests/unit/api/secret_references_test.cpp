#include "api/secret_references.h"

#include <gtest/gtest.h>

namespace autobuild::api {
namespace {

using nlohmann::json;

json autobuildObject(const std::string& name, json secret_ref = nullptr) {
  json spec = {{"source", {{"type", "GitHub"}}}, {"target", {{"name", "web"}}}};
  if (!secret_ref.is_null()) spec["secretRef"] = secret_ref;
  return {{"metadata", {{"namespace", "shop"}, {"name", name}}}, {"spec", spec}};
}

json secretObject(const std::string& name, json data) {
  return {{"metadata",
           {{"namespace", "shop"},
            {"name", name},
            {"uid", "u1"},
            {"resourceVersion", "7"},
            {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{...}"}}}}},
          {"type", "Opaque"},
          {"data", data}};
}

TEST(SecretReferencesTest, TheReferencedSecretDefaultsToTheWebhookSecretName) {
  EXPECT_EQ(referencedSecretKey(autobuildObject("web")), "shop/web-webhook");
  EXPECT_EQ(referencedSecretKey(autobuildObject("web", {{"name", "mine"}})), "shop/mine");
}

TEST(SecretReferencesTest, KeepsTheDataOfReferencedSecretsOnly) {
  SecretReferences refs;
  refs.set("shop/web", "shop/web-webhook");
  json kept = refs.trim(secretObject("web-webhook", {{"secret", "czNjcmV0"}}));
  EXPECT_EQ(kept["data"]["secret"], "czNjcmV0");
  EXPECT_EQ(kept["metadata"]["resourceVersion"], "7");
  EXPECT_FALSE(kept["metadata"].contains("annotations")) << "only identity metadata is cached";
  EXPECT_EQ(secretValue(kept, "secret").state, SecretValueState::Present);
  EXPECT_EQ(secretValue(kept, "secret").value, "s3cret");

  json other = refs.trim(secretObject("db-password", {{"password", "aHVudGVyMg=="}}));
  EXPECT_FALSE(other.contains("data"));
  EXPECT_EQ(secretValue(other, "password").state, SecretValueState::NotCached);
}

TEST(SecretReferencesTest, AReferenceMovesAndEndsWithItsAutoBuild) {
  SecretReferences refs;
  refs.set("shop/a", "shop/s1");
  refs.set("shop/b", "shop/s1");
  refs.set("shop/a", "shop/s2");
  EXPECT_TRUE(refs.isReferenced("shop/s1"));
  EXPECT_TRUE(refs.isReferenced("shop/s2"));
  refs.erase("shop/b");
  EXPECT_FALSE(refs.isReferenced("shop/s1"));
  refs.erase("shop/a");
  EXPECT_FALSE(refs.isReferenced("shop/s2"));
  refs.erase("shop/unknown");
}

TEST(SecretReferencesTest, SecretValueStates) {
  EXPECT_EQ(secretValue(secretObject("s", json::object()), "secret").state, SecretValueState::KeyMissing);
  EXPECT_EQ(secretValue(secretObject("s", {{"secret", ""}}), "secret").state, SecretValueState::Empty);
  json no_data = secretObject("s", nullptr);
  no_data.erase("data");
  EXPECT_EQ(secretValue(no_data, "secret").state, SecretValueState::KeyMissing);
}

}  // namespace
}  // namespace autobuild::api
