#include "webhook/http/router.h"

#include <gtest/gtest.h>

namespace autobuild::http {
namespace {

Route route(std::string path, bool prefix, std::vector<std::string> methods = {"GET"}) {
  Route r;
  r.path = std::move(path);
  r.prefix = prefix;
  r.methods = std::move(methods);
  r.handler = [](const Request&) { return Response{}; };
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(route("/healthz", false, {"GET", "HEAD"}));
    router.add(route("/readyz", false));
    router.add(route("/hooks/", true, {"POST"}));
    router.add(route("/hooks/special/", true, {"PUT"}));
  }
  Router router;
};

TEST_F(RouterTest, MatchesExactPathsLiterally) {
  ASSERT_NE(router.match("/healthz"), nullptr);
  EXPECT_EQ(router.match("/healthz")->path, "/healthz");
  EXPECT_EQ(router.match("/healthz/"), nullptr);
  EXPECT_EQ(router.match("/Healthz"), nullptr);
  EXPECT_EQ(router.match("//healthz"), nullptr);
  EXPECT_EQ(router.match("/healthz%20"), nullptr);
  EXPECT_EQ(router.match("/"), nullptr);
}

TEST_F(RouterTest, SendsEveryPathUnderAPrefixToItWithoutResolvingDots) {
  for (const char* path :
       {"/hooks/abc", "/hooks/", "/hooks/../healthz", "/hooks/%2e%2e/metrics", "/hooks/a/b/"}) {
    const Route* matched = router.match(path);
    ASSERT_NE(matched, nullptr) << path;
    EXPECT_EQ(matched->path, "/hooks/") << path;
  }
  EXPECT_EQ(router.match("/hooks"), nullptr);
  EXPECT_EQ(router.match("/hooksx"), nullptr);
}

TEST_F(RouterTest, LongestPrefixWins) {
  ASSERT_NE(router.match("/hooks/special/x"), nullptr);
  EXPECT_EQ(router.match("/hooks/special/x")->path, "/hooks/special/");
}

TEST_F(RouterTest, ReportsAllowedMethods) {
  const Route* health = router.match("/healthz");
  EXPECT_TRUE(health->allows("GET"));
  EXPECT_TRUE(health->allows("HEAD"));
  EXPECT_FALSE(health->allows("POST"));
  EXPECT_FALSE(health->allows("get"));  // methods are case-sensitive
  EXPECT_EQ(health->allowHeader(), "GET, HEAD");
}

TEST_F(RouterTest, RefusesDuplicateRoutes) {
  EXPECT_THROW(router.add(route("/healthz", false)), std::invalid_argument);
  EXPECT_THROW(router.add(route("/hooks/", true)), std::invalid_argument);
  // The same path as the other kind is a different route.
  EXPECT_NO_THROW(router.add(route("/hooks/", false)));
}

TEST(Router, RefusesIncompleteRoutes) {
  Router router;
  EXPECT_THROW(router.add(route("healthz", false)), std::invalid_argument);
  EXPECT_THROW(router.add(route("", false)), std::invalid_argument);
  EXPECT_THROW(router.add(route("/x", false, {})), std::invalid_argument);
  Route no_handler = route("/x", false);
  no_handler.handler = nullptr;
  try {
    router.add(no_handler);
    FAIL() << "a route without a handler was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/x"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace autobuild::http
