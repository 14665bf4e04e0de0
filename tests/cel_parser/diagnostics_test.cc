// Diagnostics: positions (line, code-point column) and the caret rendering.
#include <gtest/gtest.h>

#include <string>

#include "evaluator/cel/parser/parser.h"
#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

constexpr char kExpecting[] =
    "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
    "STRING, BYTES, IDENTIFIER}";

std::string FormatFirst(const std::string& source) {
  ParseResult r = Parse(source);
  if (r.diagnostics.empty()) return "<ok>";
  return FormatDiagnostic(source, r.diagnostics[0]);
}

TEST(FormatDiagnosticTest, CaretUnderOffendingToken) {
  EXPECT_EQ(FormatFirst("a + + b"),
            std::string("ERROR: <input>:1:5: Syntax error: mismatched input '+' expecting ") +
                kExpecting + "\n | a + + b\n | ....^");
}

TEST(FormatDiagnosticTest, SecondLine) {
  EXPECT_EQ(FormatFirst("a &&\n  b c"),
            "ERROR: <input>:2:5: Syntax error: mismatched input 'c' expecting <EOF>\n"
            " |   b c\n"
            " | ....^");
}

TEST(FormatDiagnosticTest, ColumnsCountCodePoints) {
  EXPECT_EQ(FormatFirst("'h\xc3\xa9llo\xf0\x9f\x98\x80' ++"),
            std::string("ERROR: <input>:1:11: Syntax error: mismatched input '+' expecting ") +
                kExpecting + "\n | 'h\xc3\xa9llo\xf0\x9f\x98\x80' ++\n | ..........^");
}

TEST(FormatDiagnosticTest, TabsAndCarriageReturnsDoNotSkewTheCaret) {
  EXPECT_EQ(FormatFirst("a\t# b\r\nc"),
            "ERROR: <input>:1:3: Syntax error: token recognition error at: '#'\n"
            " | a # b\n"
            " | ..^");
}

TEST(FormatDiagnosticTest, ErrorAtEndOfInput) {
  EXPECT_EQ(FormatFirst("f(a,"),
            std::string("ERROR: <input>:1:5: Syntax error: mismatched input '<EOF>' "
                        "expecting ") +
                kExpecting + "\n | f(a,\n | ....^");
}

TEST(FormatDiagnosticTest, MacroErrorPointsAtArgument) {
  EXPECT_EQ(FormatFirst("has(object)"),
            "ERROR: <input>:1:5: invalid argument to has() macro\n"
            " | has(object)\n"
            " | ....^");
  EXPECT_EQ(FormatFirst("items.all(i.x, true)"),
            "ERROR: <input>:1:11: argument must be a simple name\n"
            " | items.all(i.x, true)\n"
            " | ..........^");
}

TEST(FormatDiagnosticTest, UsesOffsetNotStaleLineAndColumn) {
  Diagnostic d;
  d.offset = 4;
  d.line = 9;
  d.column = 9;
  d.message = "undeclared reference to 'x'";
  EXPECT_EQ(FormatDiagnostic("a + x", d),
            "ERROR: <input>:1:5: undeclared reference to 'x'\n | a + x\n | ....^");
}

TEST(FormatDiagnosticTest, OutOfRangeOffsetsAreClamped) {
  Diagnostic d;
  d.offset = 1000;
  d.message = "m";
  EXPECT_EQ(FormatDiagnostic("ab", d), "ERROR: <input>:1:3: m\n | ab\n | ..^");
  d.offset = -5;
  EXPECT_EQ(FormatDiagnostic("ab", d), "ERROR: <input>:1:1: m\n | ab\n | ^");
  EXPECT_EQ(FormatDiagnostic("", d), "ERROR: <input>:1:1: m\n | \n | ^");
}

TEST(LocateDiagnosticTest, LinesAndColumns) {
  const std::string src = "ab\ncd\n\xc3\xa9" "f";
  struct {
    int32_t offset, line, column;
  } cases[] = {{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3},
               {6, 3, 1}, {8, 3, 2}, {9, 3, 3}};
  for (const auto& c : cases) {
    Diagnostic d;
    d.offset = c.offset;
    LocateDiagnostic(src, &d);
    EXPECT_EQ(d.line, c.line) << "offset " << c.offset;
    EXPECT_EQ(d.column, c.column) << "offset " << c.offset;
  }
}

TEST(ParseResultTest, DiagnosticsCarryLineAndColumn) {
  ParseResult r = Parse("x\n  && 'abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.expr, nullptr);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].offset, 7);
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[0].column, 6);
}

TEST(ParseResultTest, SuccessHasNoDiagnostics) {
  ParseResult r = Parse("object.metadata.name.startsWith('ml-')");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.diagnostics.empty());
  EXPECT_EQ(DebugString(*r.expr), "(.startsWith (. (. object metadata) name) \"ml-\")");
}

TEST(DebugStringTest, ConstantsAndEscapes) {
  EXPECT_EQ(Dump("'a\\\\b\\\"c\\x01\\x7f'"), "\"a\\\\b\\\"c\\x01\\x7f\"");
  EXPECT_EQ(Dump("b'\\x00\\x80'"), "b\"\\x00\\x80\"");
  EXPECT_EQ(Dump("[1.0, 2.5e-10, 1e100, 123456789.0]"), "[1.0, 2.5e-10, 1e+100, 123456789.0]");
  EXPECT_EQ(Dump("{true: null}"), "{true: null}");
}

}  // namespace
}  // namespace aimsgate::cel::testing

namespace aimsgate::cel::testing {
namespace {

std::string AllErrors(const std::string& source, const ParseOptions& options = {}) {
  ParseResult r = Parse(source, options);
  std::string out;
  for (const Diagnostic& d : r.diagnostics) {
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message + "\n";
  }
  return out;
}

TEST(MultipleErrorsTest, RecoverableErrorsAreAllReportedInSourceOrder) {
  EXPECT_EQ(AllErrors("has(x + '\\q') || if || 99999999999999999999 || l.all(1, true)"),
            "1:5 invalid argument to has() macro\n"
            "1:10 Syntax error: invalid escape sequence '\\q'\n"
            "1:18 reserved identifier: if\n"
            "1:24 Syntax error: invalid int literal\n"
            "1:54 argument must be a simple name\n");
}

TEST(MultipleErrorsTest, SyntaxErrorStopsTheParse) {
  EXPECT_EQ(AllErrors("'\\q' + + '\\z'"),
            "1:2 Syntax error: invalid escape sequence '\\q'\n"
            "1:8 Syntax error: mismatched input '+' expecting {'[', '{', '(', '.', '-', '!', "
            "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, "
            "IDENTIFIER}\n");
}

TEST(MultipleErrorsTest, DisabledOptionalSyntaxReportsEveryUse) {
  ParseOptions o;
  o.enable_optional_syntax = false;
  EXPECT_EQ(AllErrors("a.?b + c[?d] + [?e].size()", o),
            "1:3 unsupported syntax '.?'\n"
            "1:10 unsupported syntax '[?'\n"
            "1:17 unsupported syntax '?'\n");
}

TEST(MultipleErrorsTest, TooManyErrorsIsBounded) {
  std::string src = "if";
  for (int i = 0; i < 500; ++i) src += " + if";
  ParseResult r = Parse(src);
  ASSERT_EQ(r.diagnostics.size(), parser::kMaxDiagnostics + 1);
  EXPECT_EQ(r.diagnostics.back().message, "too many errors");
  EXPECT_EQ(r.expr, nullptr);
}

}  // namespace
}  // namespace aimsgate::cel::testing
