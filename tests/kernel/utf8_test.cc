#include "evaluator/kernel/utf8.h"

#include <gtest/gtest.h>

namespace aimsgate::kernel {
namespace {

TEST(Utf8, FindsTheFirstBadByte) {
  constexpr size_t kNone = std::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8(""), kNone);
  EXPECT_EQ(FindInvalidUtf8("plain"), kNone);
  EXPECT_EQ(FindInvalidUtf8("\xC3\xA9\xF0\x9F\x98\x80"), kNone);  // é 😀
  EXPECT_EQ(FindInvalidUtf8("ab\xC0\xAF"), 2u);                    // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80"), 1u);                 // encoded surrogate D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);              // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xE2\x82"), 2u);                    // cut short
}

TEST(Utf8, RepairsByteByByte) {
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("\xC3\xA9"), "\xC3\xA9");
}

TEST(Utf8, EscapesControlCharacters) {
  EXPECT_EQ(EscapeControls("plain caf\xC3\xA9"), "plain caf\xC3\xA9");
  EXPECT_EQ(EscapeControls("a\nb\r\tc\x1b[0m\x7f\xC2\x85\x01"), "a\\nb\\r\\tc\\x1b[0m\\x7f\\u0085\\x01");
  EXPECT_EQ(EscapeControls("a\nb\x1b", "\r\n"), "a\nb\\x1b");
  EXPECT_EQ(EscapeControls("bad\xff"), "bad\xEF\xBF\xBD");
}

// One U+FFFD per control character or bad byte: a caret counted in code points stays put.
TEST(Utf8, ReplacesControlCharactersOneForOne) {
  EXPECT_EQ(ReplaceControls("a\x1b[2Jb\tc", "\t"), "a\xEF\xBF\xBD[2Jb\tc");
  EXPECT_EQ(ReplaceControls("\xC2\x85\xff\xC3\xA9"), "\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
}

}  // namespace
}  // namespace aimsgate::kernel
