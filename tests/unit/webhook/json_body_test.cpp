#include "webhook/sources/json_body.h"

#include <gtest/gtest.h>

#include "webhook/sources/payload_error.h"

namespace autobuild::webhook {
namespace {

std::string errorOf(std::string_view text) {
  try {
    parseJsonObject(text);
  } catch (const PayloadError& error) {
    EXPECT_EQ(error.status(), 400);
    return error.what();
  }
  return "no error";
}

std::string nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonBody, ParsesAnObject) {
  const auto json = parseJsonObject(R"({"ref": "refs/heads/main", "n": [1, {"x": null}]})");
  EXPECT_EQ(json["ref"], "refs/heads/main");
}

TEST(JsonBody, TruncatedJsonSaysWhereAndWhy) {
  EXPECT_EQ(
      errorOf(R"({"ref": "refs/heads/ma)"),
      "body is not valid JSON: parse error at line 1, column 23: syntax error while parsing value - invalid "
      "string: missing closing quote; last read: '\"refs/heads/ma'");
  EXPECT_EQ(errorOf("").rfind("body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(errorOf(R"({"a": 1} trailing)").rfind("body is not valid JSON: ", 0), 0u);
}

TEST(JsonBody, TopLevelMustBeAnObject) {
  EXPECT_EQ(errorOf("[1, 2]"), "body is not a JSON object");
  EXPECT_EQ(errorOf("\"push\""), "body is not a JSON object");
  EXPECT_EQ(errorOf("42"), "body is not a JSON object");
}

TEST(JsonBody, BoundsTheNestingDepth) {
  EXPECT_NO_THROW(parseJsonObject("{\"a\":" + nested(kMaxJsonDepth - 1) + "}"));
  EXPECT_EQ(errorOf("{\"a\":" + nested(kMaxJsonDepth) + "}"), "body nests deeper than 64 levels");
  EXPECT_EQ(errorOf("{\"a\":" + nested(100000) + "}"), "body nests deeper than 64 levels");
}

TEST(JsonBody, AcceptsInvalidUtf8InStrings) {
  const auto json = parseJsonObject("{\"message\": \"caf\xE9 @deploy\"}");
  EXPECT_EQ(json["message"], "caf\xEF\xBF\xBD @deploy");
}

}  // namespace
}  // namespace autobuild::webhook
