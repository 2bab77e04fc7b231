#include "webhook/sources/utf8.h"

#include <gtest/gtest.h>

#include "webhook/sources/commit_message.h"

namespace autobuild::webhook {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("ascii, é, 修复, 🚀, \x7F"));
  // Long enough for the eight-bytes-at-a-time pass, with the multi-byte characters at its edges.
  EXPECT_TRUE(isValidUtf8("0123456é89abcdef修复0123456789🚀"));
}

TEST(IsValidUtf8, RefusesWhatToValidUtf8Replaces) {
  for (const std::string bad : {"caf\xE9 cr\xE8me", "a\x80\xBF", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                                "\xF4\x90\x80\x80", "\xF5", "\xF1\x80\x80", "0123456789abcdef\xE2\x82"}) {
    EXPECT_FALSE(isValidUtf8(bad)) << bad;
    EXPECT_NE(toValidUtf8(bad), bad);
  }
  // Past the ASCII words, a bad byte in the middle of a long text.
  EXPECT_FALSE(isValidUtf8(std::string(64, 'a') + "\xFF" + std::string(64, 'b')));
}

TEST(ToValidUtf8, KeepsValidText) {
  const std::string text = "ascii, é, 修复, 🚀, \x7F";
  EXPECT_EQ(toValidUtf8(text), text);
  EXPECT_EQ(toValidUtf8(""), "");
}

TEST(ToValidUtf8, ReplacesLatin1Bytes) {
  EXPECT_EQ(toValidUtf8("caf\xE9 cr\xE8me"), "caf" + kFffd + " cr" + kFffd + "me");
}

TEST(ToValidUtf8, ReplacesStrayContinuationBytes) {
  EXPECT_EQ(toValidUtf8("a\x80\xBF"
                        "b"),
            "a" + kFffd + kFffd + "b");
}

TEST(ToValidUtf8, ReplacesOverlongForms) {
  EXPECT_EQ(toValidUtf8("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(toValidUtf8("\xE0\x80\xAF"), kFffd + kFffd + kFffd);
}

TEST(ToValidUtf8, ReplacesSurrogatesAndCodePointsPastU10FFFF) {
  EXPECT_EQ(toValidUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(toValidUtf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);
  EXPECT_EQ(toValidUtf8("\xF5"), kFffd);
}

TEST(ToValidUtf8, ReplacesATruncatedSequenceWithOneCharacter) {
  // Unicode's "maximal subpart" practice: F1 80 80 is one ill-formed subpart.
  EXPECT_EQ(toValidUtf8("\xF1\x80\x80"
                        "A"),
            kFffd + "A");
  EXPECT_EQ(toValidUtf8("end\xE4\xBF"), "end" + kFffd);
}

TEST(SanitizeMessage, KeepsTheFirstLine) {
  EXPECT_EQ(sanitizeMessage("fix login @deploy\n\nlong body"), "fix login @deploy");
  EXPECT_EQ(sanitizeMessage("windows line\r\nsecond"), "windows line");
  EXPECT_EQ(sanitizeMessage("single line"), "single line");
  EXPECT_EQ(sanitizeMessage(""), "");
  EXPECT_EQ(sanitizeMessage("\nstarts with a break"), "");
}

TEST(SanitizeMessage, CutsAt200CharactersNotBytes) {
  std::string accents;
  for (int i = 0; i < 250; ++i) accents += "é";
  const std::string cut = sanitizeMessage(accents);
  EXPECT_EQ(cut.size(), 400u);  // 200 two-byte characters
  EXPECT_EQ(toValidUtf8(cut), cut);

  const std::string exact(200, 'x');
  EXPECT_EQ(sanitizeMessage(exact), exact);
  EXPECT_EQ(sanitizeMessage(exact + "y"), exact);
}

TEST(SanitizeMessage, NeverCutsInsideACharacter) {
  const std::string text = std::string(199, 'x') + "🚀🚀";
  EXPECT_EQ(sanitizeMessage(text), std::string(199, 'x') + "🚀");
}

TEST(SanitizeMessage, ReplacesInvalidUtf8) {
  EXPECT_EQ(sanitizeMessage("caf\xE9 @deploy\nbody"), "caf" + kFffd + " @deploy");
  // A replaced byte counts as one character.
  const std::string cut = sanitizeMessage(std::string(300, '\xFF'));
  EXPECT_EQ(cut.size(), 200 * kFffd.size());
}

}  // namespace
}  // namespace autobuild::webhook
