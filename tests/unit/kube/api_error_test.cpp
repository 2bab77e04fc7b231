#include "kube/api_error.h"

#include <gtest/gtest.h>

namespace autobuild::kube {
namespace {

TEST(ParseStatusTest, ReadsAMetav1Status) {
  const ApiStatus status =
      parseStatus(409, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    "message":"Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified",
    "reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409})");
  EXPECT_EQ(status.code, 409);
  EXPECT_EQ(status.reason, "Conflict");
  EXPECT_EQ(status.message,
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified");
}

TEST(ParseStatusTest, TheStatusCodeWinsAndAMissingOneFallsBackToHttp) {
  EXPECT_EQ(parseStatus(500, R"({"kind":"Status","code":410,"reason":"Expired","message":"too old"})").code,
            410);
  const ApiStatus status = parseStatus(404, R"({"kind":"Status","message":"not here"})");
  EXPECT_EQ(status.code, 404);
  EXPECT_EQ(status.reason, "NotFound");  // derived from the code
  EXPECT_EQ(status.message, "not here");
}

TEST(ParseStatusTest, FallsBackToTheCodeAndRawBody) {
  ApiStatus status = parseStatus(503, "  upstream connect error\n");
  EXPECT_EQ(status.code, 503);
  EXPECT_EQ(status.reason, "ServiceUnavailable");
  EXPECT_EQ(status.message, "upstream connect error");

  status = parseStatus(502, "<html>bad gateway</html>");
  EXPECT_EQ(status.reason, "");
  EXPECT_EQ(status.message, "<html>bad gateway</html>");

  status = parseStatus(403, R"({"kind":"Pod","metadata":{}})");  // JSON, but not a Status
  EXPECT_EQ(status.reason, "Forbidden");
  EXPECT_EQ(status.message, R"({"kind":"Pod","metadata":{}})");

  status = parseStatus(500, R"({"kind":"Status","code":"x","reason":7,"message":null})");  // wrong types
  EXPECT_EQ(status.code, 500);
  EXPECT_EQ(status.reason, "InternalError");
  EXPECT_EQ(status.message, "");
}

TEST(ParseStatusTest, ShortensAHugeRawBody) {
  const ApiStatus status = parseStatus(500, std::string(100000, 'x'));
  EXPECT_EQ(status.message, std::string(1024, 'x') + "...");
}

TEST(ApiErrorTest, MessageNamesVerbObjectCodeReasonAndMessage) {
  const ApiError error("patch", "apps/v1 deployments shop/web",
                       ApiStatus{409, "Conflict", "the object has been modified"});
  EXPECT_STREQ(error.what(),
               "patch apps/v1 deployments shop/web: 409 Conflict: the object has been modified");
  EXPECT_EQ(error.verb(), "patch");
  EXPECT_EQ(error.object(), "apps/v1 deployments shop/web");
  EXPECT_EQ(error.status().code, 409);
}

TEST(ApiErrorTest, MessageLeavesOutWhatIsEmpty) {
  EXPECT_STREQ(ApiError("delete", "v1 pods a/b", parseStatus(404, "")).what(),
               "delete v1 pods a/b: 404 NotFound");
  EXPECT_STREQ(ApiError("get", "v1 pods a/b", parseStatus(502, "bad gateway")).what(),
               "get v1 pods a/b: 502: bad gateway");
}

TEST(ApiErrorTest, ClassifiesByCodeAndReason) {
  auto error = [](int code, const char* reason) {
    return ApiError("create", "v1 secrets a/b", {code, reason, ""});
  };
  EXPECT_TRUE(error(404, "NotFound").isNotFound());
  EXPECT_TRUE(error(409, "Conflict").isConflict());
  EXPECT_FALSE(error(409, "Conflict").isAlreadyExists());
  EXPECT_TRUE(error(409, "AlreadyExists").isAlreadyExists());
  EXPECT_FALSE(error(409, "AlreadyExists").isConflict());
  EXPECT_TRUE(error(403, "Forbidden").isForbidden());
  EXPECT_TRUE(error(410, "Expired").isGone());
  EXPECT_TRUE(error(422, "Invalid").isInvalid());
  EXPECT_FALSE(error(500, "InternalError").isNotFound());
}

}  // namespace
}  // namespace autobuild::kube
