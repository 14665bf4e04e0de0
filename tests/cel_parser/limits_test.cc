// Budgets: expression size, recursion depth (parser and tree height), and
// robustness on hostile input -- never a crash, a hang or a stack overflow.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "evaluator/cel/parser/parser.h"
#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

constexpr char kRecursion[] = "expression recursion limit exceeded: 250";

ParseOptions Big() {
  ParseOptions o;
  o.max_expression_bytes = 1 << 30;
  return o;
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(SizeLimitTest, LongerThanTheBudgetIsOneError) {
  ParseOptions o;
  o.max_expression_bytes = 10;
  ParseResult r = Parse("a + b + c + d", o);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.expr, nullptr);
  EXPECT_EQ(r.diagnostics[0].offset, 0);
  EXPECT_EQ(r.diagnostics[0].message, "expression size exceeds limit: size: 13 bytes, limit: 10");
  EXPECT_TRUE(Parse("a + b + c", o).ok());  // 9 bytes
  EXPECT_TRUE(Parse("a + b + cd", o).ok());  // exactly 10
}

TEST(SizeLimitTest, DefaultBudgetIsHundredThousandBytes) {
  const std::string big = "'" + std::string(100000, 'x') + "'";
  EXPECT_EQ(FirstError(big), "expression size exceeds limit: size: 100002 bytes, limit: 100000");
  EXPECT_TRUE(Parse("'" + std::string(99998, 'x') + "'").ok());
}

TEST(RecursionLimitTest, HundredThousandNestedParentheses) {
  const std::string src = Repeat("(", 100000) + "a" + Repeat(")", 100000);
  EXPECT_EQ(Dump(src, Big()), std::string("error@250: ") + kRecursion);
}

TEST(RecursionLimitTest, MillionChainedSelections) {
  const auto start = std::chrono::steady_clock::now();
  const std::string src = "a" + Repeat(".b", 1000000);
  ParseResult r = Parse(src, Big());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics[0].message, kRecursion);
  EXPECT_EQ(r.diagnostics[0].offset, 1 + 2 * 249);  // the '.' that makes the tree 251 high
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RecursionLimitTest, MillionNegations) {
  EXPECT_EQ(Dump(Repeat("!", 1000000) + "true", Big()), std::string("error@250: ") + kRecursion);
  EXPECT_EQ(Dump(Repeat("-", 1000000) + "x", Big()), std::string("error@250: ") + kRecursion);
  EXPECT_EQ(Dump(Repeat("- ", 1000000) + "1", Big()), std::string("error@500: ") + kRecursion);
}

TEST(RecursionLimitTest, MillionIndexesCallsAndMembers) {
  EXPECT_EQ(FirstError("a" + Repeat("[0]", 1000000), Big()), kRecursion);
  EXPECT_EQ(FirstError("a" + Repeat(".f()", 1000000), Big()), kRecursion);
  EXPECT_EQ(FirstError(Repeat("f(", 100000) + Repeat(")", 100000), Big()), kRecursion);
  EXPECT_EQ(FirstError(Repeat("[", 100000) + Repeat("]", 100000), Big()), kRecursion);
  EXPECT_EQ(FirstError(Repeat("{1:", 100000) + "1" + Repeat("}", 100000), Big()), kRecursion);
  EXPECT_EQ(FirstError(Repeat("a ? b : ", 100000) + "c", Big()), kRecursion);
  EXPECT_EQ(FirstError(Repeat("[].all(x, ", 100000) + "true" + Repeat(")", 100000), Big()),
            kRecursion);
}

TEST(RecursionLimitTest, LongLeftAssociativeChainsHitTheTreeHeight) {
  EXPECT_TRUE(Parse("a" + Repeat(" + a", 200)).ok());
  EXPECT_EQ(FirstError("a" + Repeat(" + a", 300)), kRecursion);
  EXPECT_EQ(FirstError("a" + Repeat(" * a", 100000), Big()), kRecursion);
}

TEST(RecursionLimitTest, LogicalChainsAreBalancedAndStayShallow) {
  ParseResult r = Parse("a" + Repeat(" && a", 10000));
  ASSERT_TRUE(r.ok());
  r = Parse("a" + Repeat(" || a", 19000));
  ASSERT_TRUE(r.ok());
}

TEST(RecursionLimitTest, SpecMinimumsAreAccepted) {
  // The language definition asks for 32 levels of nesting and repetition.
  EXPECT_TRUE(Parse(Repeat("(", 32) + "a" + Repeat(")", 32)).ok());
  EXPECT_TRUE(Parse(Repeat("[", 32) + Repeat("]", 32)).ok());
  EXPECT_TRUE(Parse("a" + Repeat(".b", 32)).ok());
  EXPECT_TRUE(Parse("a" + Repeat("[0]", 32)).ok());
  EXPECT_TRUE(Parse(Repeat("!", 32) + "a").ok());
  EXPECT_TRUE(Parse("a" + Repeat(" < a", 32)).ok());
  EXPECT_TRUE(Parse(Repeat("x.all(y, ", 32) + "true" + Repeat(")", 32)).ok());
}

TEST(RecursionLimitTest, OptionIsRespectedAndCapped) {
  ParseOptions o;
  o.max_recursion_depth = 10;
  EXPECT_TRUE(Parse(Repeat("(", 9) + "a" + Repeat(")", 9), o).ok());
  EXPECT_EQ(FirstError(Repeat("(", 10) + "a" + Repeat(")", 10), o),
            "expression recursion limit exceeded: 10");
  // A huge budget is capped so that the parser cannot exhaust the stack.
  o = Big();
  o.max_recursion_depth = 100000000;
  EXPECT_EQ(FirstError(Repeat("(", 200000) + "a" + Repeat(")", 200000), o),
            "expression recursion limit exceeded: " + std::to_string(parser::kMaxRecursionCap));
  EXPECT_EQ(FirstError("a" + Repeat(".b", 200000), o),
            "expression recursion limit exceeded: " + std::to_string(parser::kMaxRecursionCap));
  o.max_recursion_depth = 0;  // clamped to 1
  EXPECT_TRUE(Parse("a", o).ok());
  EXPECT_FALSE(Parse("(a)", o).ok());
}

// Random bytes and random token soup: every input either parses or yields at
// least one diagnostic with an offset inside the source.
TEST(RobustnessTest, RandomInputNeverCrashes) {
  std::mt19937 rng(42);
  const char* const kPieces[] = {
      "a", "b", ".", "?", ":", "(", ")", "[", "]", "{", "}", ",", "+", "-", "!", "*", "/",
      "%", "<", "<=", "==", "!=", "&&", "||", "in", "1", "1u", "1.5", "0x", "'s'", "b'x'",
      "r'", "'''", "\"", "\\", "`a`", "has", "all", "map", "(x, ", "true", "null", " ",
      "\n", "//", "\xc3\xa9", "\xff", "e", "9223372036854775808", "'\\u", "?.", ".?"};
  for (int i = 0; i < 20000; ++i) {
    std::string src;
    const int len = static_cast<int>(rng() % 24);
    for (int k = 0; k < len; ++k) {
      if (i % 2 == 0) {
        src += kPieces[rng() % (sizeof(kPieces) / sizeof(kPieces[0]))];
      } else {
        src.push_back(static_cast<char>(rng() % 256));
      }
    }
    ParseResult r = Parse(src);
    if (r.ok()) continue;
    ASSERT_FALSE(r.diagnostics.empty()) << src;
    EXPECT_EQ(r.expr, nullptr);
    for (const Diagnostic& d : r.diagnostics) {
      ASSERT_GE(d.offset, 0) << src;
      ASSERT_LE(static_cast<size_t>(d.offset), src.size()) << src;
      ASSERT_FALSE(d.message.empty());
      ASSERT_FALSE(FormatDiagnostic(src, d).empty());
    }
  }
}

}  // namespace
}  // namespace aimsgate::cel::testing
