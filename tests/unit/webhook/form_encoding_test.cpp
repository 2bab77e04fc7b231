#include "webhook/sources/form_encoding.h"

#include <gtest/gtest.h>

#include "webhook/sources/payload_error.h"

namespace autobuild::webhook {
namespace {

std::string errorOf(std::string_view body) {
  try {
    formField(body, "payload");
  } catch (const PayloadError& error) {
    EXPECT_EQ(error.status(), 400);
    return error.what();
  }
  return "no error";
}

TEST(FormEncoding, DecodesPlusAndPercentEscapes) {
  EXPECT_EQ(decodeFormComponent("a+b%2Bc%7b%7D%25"), "a b+c{}%");
  EXPECT_EQ(decodeFormComponent("%E4%BF%AE%E5%A4%8D"), "修复");
  EXPECT_EQ(decodeFormComponent(""), "");
}

TEST(FormEncoding, FindsThePayloadField) {
  EXPECT_EQ(formField("payload=%7B%22a%22%3A1%7D", "payload"), "{\"a\":1}");
  EXPECT_EQ(formField("other=1&payload=x&payload=y", "payload"), "x");
  EXPECT_EQ(formField("pay%6Coad=named+with+an+escape", "payload"), "named with an escape");
  EXPECT_EQ(formField("payload", "payload"), "");
}

TEST(FormEncoding, AbsentFieldIsNullopt) {
  EXPECT_EQ(formField("", "payload"), std::nullopt);
  EXPECT_EQ(formField("other=1&&x=2", "payload"), std::nullopt);
}

TEST(FormEncoding, RejectsMalformedEscapesWithTheirOffset) {
  EXPECT_EQ(errorOf("payload=%"),
            "body is not valid form encoding: malformed percent escape at byte 8 (\"%\" must be followed by "
            "two hex "
            "digits)");
  EXPECT_NE(errorOf("payload=ab%4").find("at byte 10"), std::string::npos);
  EXPECT_NE(errorOf("payload=%G1").find("at byte 8"), std::string::npos);
  EXPECT_NE(errorOf("payload=%1G").find("at byte 8"), std::string::npos);
}

TEST(FormEncoding, RejectsMalformedEscapesInOtherFieldsToo) {
  EXPECT_NE(errorOf("payload=%7B%7D&x=%zz").find("at byte 17"), std::string::npos);
  EXPECT_NE(errorOf("b%d=1&payload=x").find("at byte 1"), std::string::npos);
}

}  // namespace
}  // namespace autobuild::webhook
