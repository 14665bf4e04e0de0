// cel::Unparse: Parse(Unparse(ast)) gives the same tree as ast (DebugString,
// which ignores ids and offsets) over every CEL conformance expression in
// tests/conformance/cel, plus precedence cases where a wrong parenthesisation
// would change the tree.
#include "evaluator/cel/parser/unparse.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>

#include "evaluator/cel/parser/ast_debug.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

// Parses src, unparses it, parses that again; returns the unparsed text and
// expects both trees equal.
std::string RoundTrip(const std::string& src) {
  ParseResult first = Parse(src);
  EXPECT_TRUE(first.ok()) << src;
  if (!first.ok()) return "";
  std::string text, why;
  EXPECT_TRUE(Unparse(*first.expr, &text, &why)) << src << ": " << why;
  ParseResult second = Parse(text);
  EXPECT_TRUE(second.ok()) << src << " -> " << text;
  if (second.ok()) {
    EXPECT_EQ(DebugString(*first.expr), DebugString(*second.expr)) << src << " -> " << text;
  }
  return text;
}

struct Case {
  const char* source;
  const char* expected;  // the unparsed text
};

TEST(UnparseTest, PrecedenceAndForms) {
  const Case cases[] = {
      {"a + b * c", "a + b * c"},
      {"(a + b) * c", "(a + b) * c"},
      {"a - (b - c)", "a - (b - c)"},
      {"a - b - c", "a - b - c"},
      {"(a ? b : c) ? d : e", "(a ? b : c) ? d : e"},
      {"a ? b : c ? d : e", "a ? b : c ? d : e"},
      {"!(a && b)", "!(a && b)"},
      {"-(-x)", "-(-x)"},
      {"-(5)", "-(5)"},  // the parser folds only an unparenthesised literal
      {"-5 + a", "-5 + a"},
      {"m.`content-type` + m.`in`", "m.`content-type` + m.`in`"},
      {"(-5).string()", "(-5).string()"},
      {"(a + b).size()", "(a + b).size()"},
      {"a < b == (c < d)", "a < b == (c < d)"},
      {"x in [1, 2u, 2.5, 'q\"\\n']", "x in [1, 2u, 2.5, \"q\\\"\\n\"]"},
      {"b'\\xff\\x00'", "b\"\\xff\\x00\""},
      {"has(a.b.c)", "has(a.b.c)"},
      {"a[0].?b[?'k']", "a[0].?b[?\"k\"]"},
      {"{'k': [?x], ?1: y}", "{\"k\": [?x], ?1: y}"},
      {"l.all(x, x > 0)", "l.all(x, x > 0)"},
      {"l.exists(x, x > 0)", "l.exists(x, x > 0)"},
      {"l.exists_one(x, x > 0)", "l.exists_one(x, x > 0)"},
      {"l.map(x, x > 0, x * 2)", "l.map(x, x > 0, x * 2)"},
      {"l.filter(x, x > 0)", "l.filter(x, x > 0)"},
      {"m.transformMap(k, v, v + 1)", "m.transformMap(k, v, v + 1)"},
      {"cel.bind(v, a + 1, v * v)", "cel.bind(v, a + 1, v * v)"},
      {"1.0", "1.0"},
      {"1e100", "1e+100"},
  };
  for (const Case& c : cases) EXPECT_EQ(RoundTrip(c.source), c.expected) << c.source;
}

TEST(UnparseTest, LongConjunctionsKeepTheirTree) {
  RoundTrip("a && b && c && d && e");
  RoundTrip("(a || b) && (c || d || e) && f");
  RoundTrip("a && (b && c)");
}

TEST(UnparseTest, RefusesWhatHasNoSource) {
  Expr e;
  e.kind = Expr::Kind::kConstant;
  e.constant.kind = Constant::Kind::kDouble;
  e.constant.double_value = 1.0 / 0.0;
  std::string text, why;
  EXPECT_FALSE(Unparse(e, &text, &why));
  EXPECT_NE(why.find("non-finite"), std::string::npos);
}

const char* const kSections[] = {
    "basic",     "comparisons", "conversions", "fields",     "fp_math",   "integer_math",
    "lists",     "logic",       "macros",      "macros2",    "math_ext",  "optionals",
    "parse",     "plumbing",    "string",      "string_ext", "timestamps",
};

class UnparseConformanceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(UnparseConformanceTest, ParseOfUnparseIsTheSameTree) {
  const std::string path = std::string(AIMSGATE_CEL_CONFORMANCE_DIR) + "/" + GetParam() + ".json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing " << path;
  std::stringstream buf;
  buf << in.rdbuf();
  aimsgate::JsonDocument doc;
  doc.Parse(buf.str().c_str());
  ASSERT_TRUE(doc.IsArray()) << path;
  int checked = 0;
  for (const auto& test : doc.GetArray()) {
    const std::string expr(test["expr"].GetString(), test["expr"].GetStringLength());
    ParseResult first = Parse(expr);
    if (!first.ok()) continue;
    std::string text, why;
    if (!Unparse(*first.expr, &text, &why)) {
      // Only literals CEL cannot write back (e.g. a double overflowing to inf).
      EXPECT_NE(why.find("non-finite"), std::string::npos) << expr << ": " << why;
      continue;
    }
    ParseResult second = Parse(text);
    ASSERT_TRUE(second.ok()) << expr << " -> " << text;
    EXPECT_EQ(DebugString(*first.expr), DebugString(*second.expr)) << expr << " -> " << text;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Sections, UnparseConformanceTest, ::testing::ValuesIn(kSections),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace aimsgate::cel
