// Literals: numbers, strings, bytes, escapes, and the invalid forms.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "evaluator/cel/parser/lexer.h"
#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

struct Case {
  const char* source;
  const char* want;  // DebugString, or "error@<offset>: <message>"
};

class LiteralTest : public ::testing::TestWithParam<Case> {};

TEST_P(LiteralTest, Parses) {
  const Case& c = GetParam();
  EXPECT_EQ(Dump(c.source), c.want) << "source: " << c.source;
}

const Case kNumbers[] = {
    {"0", "0"},
    {"42", "42"},
    {"007", "7"},
    {"9223372036854775807", "9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"-1", "-1"},
    {"- 1", "-1"},
    {"0x1F", "31"},
    {"0XfF", "255"},
    {"-0x10", "-16"},
    {"0x7fffffffffffffff", "9223372036854775807"},
    {"-0x8000000000000000", "-9223372036854775808"},
    {"1u", "1u"},
    {"1U", "1u"},
    {"18446744073709551615u", "18446744073709551615u"},
    {"0xFFu", "255u"},
    {"0xffffffffffffffffU", "18446744073709551615u"},
    {"1.5", "1.5"},
    {"-1.5", "-1.5"},
    {".5", "0.5"},
    {"1e3", "1000.0"},
    {"1E-3", "0.001"},
    {"2.5e+2", "250.0"},
    {"1e-400", "0.0"},
    {"0.0", "0.0"},
    {"-0.0", "-0.0"},
    // Negation of a non-literal or of a uint stays a call; double negation too.
    {"-(1)", "(-_ 1)"},
    {"-1u", "(-_ 1u)"},
    {"--1", "(-_ -1)"},
    {"- -1", "(-_ -1)"},
    {"-x", "(-_ x)"},
    {"--x", "(-_ (-_ x))"},
    {"1 - 1", "(_-_ 1 1)"},
    {"1 -1", "(_-_ 1 1)"},
    {"-2.abs()", "(.abs -2)"},
    {"-(-9223372036854775808)", "(-_ -9223372036854775808)"},
    // `1.` is not a double in the grammar: '.' must be followed by a name.
    {"1.", "error@2: Syntax error: mismatched input '<EOF>' expecting IDENTIFIER"},
    {"1.e3", "(. 1 e3)"},
    // Range errors.
    {"9223372036854775808", "error@0: Syntax error: invalid int literal"},
    {"-9223372036854775809", "error@0: Syntax error: invalid int literal"},
    {"99999999999999999999999", "error@0: Syntax error: invalid int literal"},
    {"0x8000000000000000", "error@0: Syntax error: invalid int literal"},
    {"18446744073709551616u", "error@0: Syntax error: invalid uint literal"},
    {"0x10000000000000000u", "error@0: Syntax error: invalid uint literal"},
    {"1e309", "error@0: Syntax error: invalid double literal"},
    {"-1e309", "error@0: Syntax error: invalid double literal"},
    {"1 + 9223372036854775808", "error@4: Syntax error: invalid int literal"},
    {"1x", "error@1: Syntax error: mismatched input 'x' expecting <EOF>"},
};
INSTANTIATE_TEST_SUITE_P(Numbers, LiteralTest, ::testing::ValuesIn(kNumbers));

const Case kStrings[] = {
    {"'hello'", "\"hello\""},
    {"\"hello\"", "\"hello\""},
    {"''", "\"\""},
    {"'\"\"'", "\"\\\"\\\"\""},
    {"'''x''x'''", "\"x''x\""},
    {"\"\"\"a\nb\"\"\"", "\"a\\nb\""},
    {"'''a\r\nb'''", "\"a\\r\\nb\""},
    {"'\\a\\b\\f\\n\\r\\t\\v'", "\"\\x07\\x08\\x0c\\n\\r\\t\\x0b\""},
    {"'\\\\ \\? \\\" \\' \\`'", "\"\\\\ ? \\\" ' `\""},
    {"'\\101\\x42\\X43\\u0044\\U00000045'", "\"ABCDE\""},
    {"'\\377'", "\"\xc3\xbf\""},
    {"'\\xFF'", "\"\xc3\xbf\""},
    {"'\\u00e9\\U0001F62C'", "\"\xc3\xa9\xf0\x9f\x98\xac\""},
    {"'\\U0010FFFF'", "\"\xf4\x8f\xbf\xbf\""},
    {"'caf\xc3\xa9'", "\"caf\xc3\xa9\""},
    {"'a' + \"b\"", "(_+_ \"a\" \"b\")"},
    // Raw strings keep backslashes.
    {"r'\\n\\x00'", "\"\\\\n\\\\x00\""},
    {"R\"\\d+\"", "\"\\\\d+\""},
    {"r'''a\\'''", "\"a\\\\\""},
    // Bytes.
    {"b'abc'", "b\"abc\""},
    {"B\"abc\"", "b\"abc\""},
    {"b'\\377\\xff\\XFF'", "b\"\\xff\\xff\\xff\""},
    {"b'\\303\\277'", "b\"\\xc3\\xbf\""},
    {"b'\xc3\xbf'", "b\"\\xc3\\xbf\""},
    {"b'''a\nb'''", "b\"a\\nb\""},
    {"br'\\x00'", "b\"\\\\x00\""},
    {"rb'\\x00'", "b\"\\\\x00\""},
    {"Rb'\\n'", "b\"\\\\n\""},
    {"bR\"\\n\"", "b\"\\\\n\""},
    // An identifier that merely starts with r or b.
    {"rb", "rb"},
    {"bytes(r)", "(bytes r)"},
};
INSTANTIATE_TEST_SUITE_P(Strings, LiteralTest, ::testing::ValuesIn(kStrings));

const Case kBadStrings[] = {
    {"'abc", "error@0: Syntax error: unterminated string literal (use a triple-quoted "
             "literal for multi-line text)"},
    {"x + \"abc", "error@4: Syntax error: unterminated string literal (use a triple-quoted "
                  "literal for multi-line text)"},
    {"'a\nb'", "error@0: Syntax error: unterminated string literal (use a triple-quoted "
               "literal for multi-line text)"},
    {"'''abc''", "error@0: Syntax error: unterminated string literal"},
    {"b'abc", "error@0: Syntax error: unterminated bytes literal (use a triple-quoted "
              "literal for multi-line text)"},
    {"'\\q'", "error@1: Syntax error: invalid escape sequence '\\q'"},
    {"'ab\\8'", "error@3: Syntax error: invalid escape sequence '\\8'"},
    {"'\\400'", "error@1: Syntax error: invalid escape sequence '\\4'"},
    {"'\\12'", "error@1: Syntax error: invalid octal escape sequence (want \\ooo, 000 to 377)"},
    {"'\\x4'", "error@1: Syntax error: invalid \\x escape sequence (want two hex digits)"},
    {"'\\xZZ'", "error@1: Syntax error: invalid \\x escape sequence (want two hex digits)"},
    {"'\\u12'", "error@1: Syntax error: invalid \\u escape sequence (want 4 hex digits)"},
    {"'\\U0000004'", "error@1: Syntax error: invalid \\U escape sequence (want 8 hex digits)"},
    {"'\\uD800'", "error@1: Syntax error: invalid unicode code point in escape sequence"},
    {"'\\uDFFF'", "error@1: Syntax error: invalid unicode code point in escape sequence"},
    {"'\\U00110000'", "error@1: Syntax error: invalid unicode code point in escape sequence"},
    {"b'\\u0041'", "error@2: Syntax error: \\u escape sequences are not allowed in bytes literals"},
    {"b'\\U00000041'",
     "error@2: Syntax error: \\U escape sequences are not allowed in bytes literals"},
    {"'\\", "error@0: Syntax error: unterminated string literal (use a triple-quoted literal "
            "for multi-line text)"},
    {"'a\xff'", "error@2: Syntax error: invalid UTF-8 in expression"},
    {"r'\\''", "error@4: Syntax error: unterminated string literal (use a triple-quoted "
               "literal for multi-line text)"},
};
INSTANTIATE_TEST_SUITE_P(BadStrings, LiteralTest, ::testing::ValuesIn(kBadStrings));

const Case kOther[] = {
    {"true", "true"},
    {"false", "false"},
    {"null", "null"},
    {"a // comment\n + b", "(_+_ a b)"},
    {"// only a comment\n1", "1"},
    {"a\t+\r\n\fb", "(_+_ a b)"},
    {"a\v+b", "error@1: Syntax error: token recognition error at: '\v'"},
    {"a # b", "error@2: Syntax error: token recognition error at: '#'"},
    {"a = b", "error@2: Syntax error: token recognition error at: '=' (did you mean '=='?)"},
    {"a & b", "error@2: Syntax error: token recognition error at: '&' (did you mean '&&'?)"},
    {"a | b", "error@2: Syntax error: token recognition error at: '|' (did you mean '||'?)"},
    {"a \xc3\xa9 b", "error@2: Syntax error: token recognition error at: '\xc3\xa9'"},
    {"", "error@0: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', "
         "'!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, "
         "IDENTIFIER}"},
    {"// nothing", "error@10: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', "
                   "'.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
                   "STRING, BYTES, IDENTIFIER}"},
};
INSTANTIATE_TEST_SUITE_P(Other, LiteralTest, ::testing::ValuesIn(kOther));

TEST(LiteralValueTest, IntAndUintLimitsAreExact) {
  ParseResult r = Parse("-9223372036854775808");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.kind, Constant::Kind::kInt);
  EXPECT_EQ(r.expr->constant.int_value, INT64_MIN);
  r = Parse("18446744073709551615u");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.kind, Constant::Kind::kUint);
  EXPECT_EQ(r.expr->constant.uint_value, UINT64_MAX);
}

TEST(LiteralValueTest, BytesKeepNulAndHighBytes) {
  ParseResult r = Parse("b'\\000\\xff'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.kind, Constant::Kind::kBytes);
  EXPECT_EQ(r.expr->constant.string_value, std::string("\0\xff", 2));
  r = Parse(std::string("'a\0b'", 5));  // a raw NUL inside the source
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.string_value, std::string("a\0b", 3));
}

TEST(LiteralValueTest, DoublesAreLocaleIndependentAndExact) {
  ParseResult r = Parse("0.1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.kind, Constant::Kind::kDouble);
  EXPECT_EQ(r.expr->constant.double_value, 0.1);
  r = Parse("1.7976931348623157e308");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->constant.double_value, 1.7976931348623157e308);
}

TEST(LexerTest, TokenOffsetsAndKinds) {
  const std::string src = "a.?b[?0] >= 1u && `x-y` in {}";
  parser::Lexer lexer(src);
  std::string kinds;
  for (parser::Token t = lexer.Next(); t.kind != parser::TokenKind::kEof; t = lexer.Next()) {
    ASSERT_NE(t.kind, parser::TokenKind::kError) << t.text;
    kinds += std::to_string(t.offset) + ":" + src.substr(t.offset, t.end - t.offset) + " ";
  }
  EXPECT_EQ(kinds, "0:a 1:. 2:? 3:b 4:[ 5:? 6:0 7:] 9:>= 12:1u 15:&& 18:`x-y` 24:in 27:{ 28:} ");
}

}  // namespace
}  // namespace aimsgate::cel::testing
