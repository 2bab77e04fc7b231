#include "webhook/sources/plain_json_reader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "webhook/sources/json_body.h"
#include "webhook/sources/payload_error.h"
#include "webhook/sources/payload_object.h"

namespace autobuild::webhook {
namespace {

using nlohmann::json;

std::optional<json> read(std::string_view text) {
  return readPlainJsonObject(text, kMaxJsonDepth);
}

// The reader's tree is nlohmann::json's, value for value and type for type (1 and 1u compare equal, so
// the dumps of both are compared too, and the types of the numbers).
void expectSameAsNlohmann(const std::string& text) {
  const auto fast = read(text);
  ASSERT_TRUE(fast.has_value()) << text;
  const json expected = json::parse(text);
  EXPECT_EQ(*fast, expected) << text;
  EXPECT_EQ(fast->dump(), expected.dump()) << text;
}

TEST(PlainJsonReader, ReadsWhatNlohmannJsonReads) {
  for (const std::string text : {
           R"({})",
           R"({"a":[]})",
           R"( { "ref" : "refs/heads/main" , "n" : [ 1 , { "x" : null } , true , false ] } )",
           "{\n\t\"a\":\r\n1}",
           R"({"nested":{"deeper":{"deepest":[[[]]]}}})",
           R"({"empty":"","spaces":"  a  b  "})",
       }) {
    expectSameAsNlohmann(text);
  }
}

TEST(PlainJsonReader, ReadsEscapesAndUnicode) {
  expectSameAsNlohmann(R"({"e":"quote \" backslash \\ slash \/ \b\f\n\r\t end"})");
  expectSameAsNlohmann(R"({"u":"\u0041\u00e9\u4fee\uFFFD","nul":"a\u0000b"})");
  expectSameAsNlohmann(R"({"pair":"\ud83d\ude80 rocket"})");
  expectSameAsNlohmann("{\"raw\":\"caf\xC3\xA9 \xE4\xBF\xAE \xF0\x9F\x9A\x80 \x7F\"}");
  expectSameAsNlohmann(R"({"\u006bey with escape":1})");
}

TEST(PlainJsonReader, ReadsIntegersAsNlohmannJsonDoes) {
  expectSameAsNlohmann(R"({"zero":0,"minus_zero":-0,"small":7,"negative":-42})");
  expectSameAsNlohmann(R"({"eighteen_digits":999999999999999999,"negative":-999999999999999999})");
  const auto numbers = read(R"({"u":5,"s":-5})");
  ASSERT_TRUE(numbers);
  EXPECT_TRUE((*numbers)["u"].is_number_unsigned());
  EXPECT_TRUE((*numbers)["s"].is_number_integer() && !(*numbers)["s"].is_number_unsigned());
}

TEST(PlainJsonReader, ARepeatedKeyKeepsItsLastValueAsNlohmannJsonDoes) {
  expectSameAsNlohmann(R"({"ref":"refs/heads/main","ref":"refs/heads/evil"})");
  EXPECT_EQ((*read(R"({"ref":"a","ref":"b"})"))["ref"], "b");
}

TEST(PlainJsonReader, ReadsEveryProviderPayloadAsNlohmannJsonDoes) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(AUTOBUILD_WEBHOOK_PAYLOADS)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(entry.path().filename().string());
    expectSameAsNlohmann(text.str());
    ++files;
  }
  EXPECT_GE(files, 8);
}

// What it leaves to nlohmann::json: numbers it would not read the same way, and everything invalid.
TEST(PlainJsonReader, GivesUpOnWhatItDoesNotReadExactly) {
  for (const std::string text : {
           R"({"f":1.5})",
           R"({"e":1e3})",
           R"({"E":-2E-3})",
           R"({"nineteen_digits":1234567890123456789})",
           R"({"huge":123456789012345678901234567890})",
           "\xEF\xBB\xBF{}",
       }) {
    EXPECT_FALSE(read(text).has_value()) << text;
    EXPECT_EQ(parseJsonObject(text), json::parse(text)) << text;
  }
}

TEST(PlainJsonReader, GivesUpOnInvalidJson) {
  for (const std::string text : {
           "",
           " ",
           "[]",
           "\"push\"",
           "42",
           "null",
           R"({"a":1} trailing)",
           R"({"a":1}{})",
           R"({"a":1,})",
           R"({"a" 1})",
           R"({a:1})",
           R"({"a":01})",
           R"({"a":-})",
           R"({"a":+1})",
           R"({"a":tru})",
           R"({"a":nulll})",
           R"({"a":[1,]})",
           R"({"a":[1 2]})",
           R"({"ref":"refs/heads/ma)",
           R"({"a":"\x"})",
           R"({"a":"\u12G4"})",
           R"({"a":"\ud83d"})",
           R"({"a":"\ud83d\u0041"})",
           R"({"a":"\ude80"})",
           "{\"a\":\"line\nbreak\"}",
           "{\"a\":\"tab\there\"}",
       }) {
    EXPECT_FALSE(read(text).has_value()) << text;
  }
}

TEST(PlainJsonReader, GivesUpPastTheDepthBound) {
  const std::string inner_ok = std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']');
  const std::string inner_deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(read("{\"a\":" + inner_ok + "}").has_value());
  EXPECT_FALSE(read("{\"a\":" + inner_deep + "}").has_value());
  EXPECT_FALSE(read("{\"a\":" + std::string(100000, '{')).has_value());
}

// parseJsonObject answers for what the reader gives up on exactly as before it had the reader.
TEST(PlainJsonReader, ParseJsonObjectStillSaysWhatIsWrong) {
  auto errorOf = [](const std::string& text) -> std::string {
    try {
      parseJsonObject(text);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(errorOf(R"({"a":"\ud83d"})").rfind("body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(errorOf("{\"a\":\"line\nbreak\"}").rfind("body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(errorOf("[1]"), "body is not a JSON object");
  EXPECT_EQ(errorOf("{\"a\":" + std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']') + "}"),
            "body nests deeper than 64 levels");
}

JsonSelection pushSelection() {
  JsonSelection commit;
  commit.keep("id").keep("message");
  JsonSelection selection;
  selection.keep("ref").keep("commits", commit).keep("head_commit", commit).keep("pusher");
  return selection;
}

TEST(PlainJsonReaderSelection, BuildsOnlyTheSelectedMembers) {
  const std::string text = R"({"ref":"refs/heads/main","sender":{"login":"x","urls":["a","b"]},
      "commits":[{"id":"1","message":"m1","url":"u1","author":{"name":"n"}},{"id":"2","message":"m2"}],
      "head_commit":{"id":"2","message":"m2","tree_id":"t"},"pusher":{"name":"p","email":"e"},"n":5})";
  const JsonSelection selection = pushSelection();
  const auto read = readPlainJsonObject(text, kMaxJsonDepth, &selection);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, json::parse(R"({"ref":"refs/heads/main",
      "commits":[{"id":"1","message":"m1"},{"id":"2","message":"m2"}],
      "head_commit":{"id":"2","message":"m2"},"pusher":{"name":"p","email":"e"}})"));
}

TEST(PlainJsonReaderSelection, ChecksWhatItLeavesOut) {
  const JsonSelection selection = pushSelection();
  for (const std::string& text : std::vector<std::string>{
           R"({"ref":"r","sender":{"login":tru}})",
           R"({"ref":"r","sender":"\ud83d"})",
           R"({"ref":"r","commits":[{"id":"1","url":"a\x"}]})",
           "{\"ref\":\"r\",\"sender\":" + std::string(kMaxJsonDepth + 1, '[') +
               std::string(kMaxJsonDepth + 1, ']') + "}",
       }) {
    EXPECT_FALSE(readPlainJsonObject(text, kMaxJsonDepth, &selection).has_value()) << text;
    EXPECT_THROW(parseJsonObject(text, &selection), PayloadError) << text;
  }
}

TEST(PayloadObjectSelection, ReadingAMemberLeftOutIsAProgrammingError) {
  const JsonSelection selection = pushSelection();
  const json tree =
      parseJsonObject(R"({"ref":"r","sender":{"login":"x"},"head_commit":{"id":"1","url":"u"}})", &selection);
  const PayloadObject payload(tree, selection);
  EXPECT_EQ(payload.optionalString("ref"), "r");
  EXPECT_EQ(payload.find("pusher"), nullptr) << "selected and absent is absent";
  EXPECT_THROW(payload.find("sender"), std::logic_error);
  const auto head = payload.optionalObject("head_commit");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->requiredString("id"), "1");
  EXPECT_THROW(head->optionalString("url"), std::logic_error);
  // A member kept whole has no guard below it.
  const json whole = parseJsonObject(R"({"pusher":{"name":"p","email":"e"}})", &selection);
  EXPECT_EQ(PayloadObject(whole, selection).requiredObject("pusher").optionalString("email"), "e");
}

}  // namespace
}  // namespace autobuild::webhook
