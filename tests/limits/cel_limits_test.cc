// CEL limits (cel::Limits): expression length and nesting at compile time; cost,
// comprehension iterations, list and string sizes at evaluation time; regex program
// size at compile time.  Each just under and just over.
#include <gtest/gtest.h>

#include <string>

#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"

namespace aimsgate::cel {
namespace {

std::string Diags(const CompileResult& c) {
  std::string s;
  for (const auto& d : c.diagnostics) s += d.message + "\n";
  return s;
}

Value EvalExpr(const Env& env, const std::string& expr) {
  CompileResult c = env.Compile(expr);
  EXPECT_TRUE(c.ok()) << expr.substr(0, 80) << ": " << Diags(c);
  if (!c.ok()) return Value::Error("compile");
  Activation act(env);
  EvalState state;
  return c.program->Evaluate(act, &state);
}

TEST(CelLimits, ExpressionLengthJustOver) {
  Limits l;
  l.max_expression_bytes = 1000;
  Env env(l);
  std::string at = "'" + std::string(998, 'a') + "'";  // 1000 bytes
  EXPECT_TRUE(env.Compile(at).ok()) << Diags(env.Compile(at));
  CompileResult over = env.Compile(at + " ");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Diags(over).find("1000"), std::string::npos) << Diags(over);
}

TEST(CelLimits, DefaultExpressionLengthJustOver) {
  Env env;
  std::string over = "'" + std::string(Limits().max_expression_bytes - 1, 'a') + "'";  // limit + 1 bytes
  EXPECT_FALSE(env.Compile(over).ok());
}

TEST(CelLimits, NestingJustOver) {
  Limits l;
  l.max_recursion_depth = 50;
  Env env(l);
  auto nested = [](int n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
  int fits = 0;
  for (int n = 1; n <= 60; ++n) {
    if (env.Compile(nested(n)).ok()) fits = n; else break;
  }
  ASSERT_GT(fits, 10);
  ASSERT_LE(fits, 50);
  CompileResult over = env.Compile(nested(fits + 1));
  ASSERT_FALSE(over.ok());
  EXPECT_FALSE(over.diagnostics.empty());
  // Hostile depth (100,000 parentheses) is refused, not a stack overflow.
  EXPECT_FALSE(Env().Compile(nested(100000)).ok());
}

// Regression (cel_compile_fuzzer timeout): each optMap expansion mentions its
// target twice, so a chain of n optMaps had 2^n nodes (an 893-byte input took 1 s
// to compile, 11 s under ASan).  A chain that expands within 4,096 nodes works;
// one link more is a located compile error.
TEST(CelLimits, OptMapChainExpansionJustOver) {
  Env env;
  auto chain = [](int n) {
    std::string e = "optional.of(1)";
    for (int i = 0; i < n; ++i) e += ".optMap(y, y + 1)";
    return e + ".value() > 0";
  };
  int fits = 0;
  for (int n = 1; n <= 20; ++n) {
    if (env.Compile(chain(n)).ok()) fits = n; else break;
  }
  ASSERT_GE(fits, 8);
  ASSERT_LT(fits, 20);
  EXPECT_TRUE(EvalExpr(env, chain(fits)).BoolValue());
  CompileResult over = env.Compile(chain(fits + 1));
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Diags(over).find("too large to expand"), std::string::npos) << Diags(over);
  EXPECT_FALSE(env.Compile(chain(60)).ok());  // 2^60 nodes before the guard
}

TEST(CelLimits, ComprehensionIterationsJustOver) {
  Limits l;
  l.max_comprehension_iterations = 100;
  Env env(l);
  Value ok = EvalExpr(env, "[1,2,3,4,5,6,7,8,9,10].all(x, [1,2,3,4,5,6,7,8,9].all(y, true))");
  EXPECT_TRUE(ok.IsBool()) << (ok.IsError() ? ok.ErrorMessage() : "");  // 10 + 90 = 100 iterations
  Value over = EvalExpr(env, "[1,2,3,4,5,6,7,8,9,10,11].all(x, [1,2,3,4,5,6,7,8,9].all(y, true))");  // 11 + 99
  ASSERT_TRUE(over.IsError());
  EXPECT_NE(over.ErrorMessage().find("iteration"), std::string::npos) << over.ErrorMessage();
}

TEST(CelLimits, ListSizeJustOver) {
  Limits l;
  l.max_list_size = 1000;
  Env env(l);
  // Doubling: 2^k elements.
  std::string grow = "[0]";
  for (int i = 0; i < 10; ++i) grow = "(" + grow + " + " + grow + ")";  // 1024 elements
  std::string fits = "[0]";
  for (int i = 0; i < 9; ++i) fits = "(" + fits + " + " + fits + ")";   // 512 elements
  EXPECT_FALSE(EvalExpr(env, "size(" + fits + ")").IsError());
  Value over = EvalExpr(env, "size(" + grow + ")");
  ASSERT_TRUE(over.IsError());
  EXPECT_NE(over.ErrorMessage().find("list"), std::string::npos) << over.ErrorMessage();
}

TEST(CelLimits, StringSizeJustOver) {
  Limits l;
  l.max_string_bytes = 1024;
  Env env(l);
  std::string grow = "'x'";
  for (int i = 0; i < 10; ++i) grow = "(" + grow + " + " + grow + ")";  // 1024 bytes: fits
  EXPECT_FALSE(EvalExpr(env, "size(" + grow + ")").IsError());
  Value over = EvalExpr(env, "size(" + grow + " + 'y')");  // 1025 bytes
  ASSERT_TRUE(over.IsError());
  EXPECT_NE(over.ErrorMessage().find("string"), std::string::npos) << over.ErrorMessage();
}

TEST(CelLimits, CostBudgetJustOver) {
  Limits l;
  l.cost_limit = 1000000;
  l.max_comprehension_iterations = 100000000;
  Env env(l);
  // A nested comprehension whose cost is far beyond the budget stops with an error value,
  // and that error is not absorbed by ||.
  std::string range = "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31]";
  Value small = EvalExpr(env, range + ".all(a, " + range + ".all(b, true))");  // ~1,000 steps
  EXPECT_TRUE(small.IsBool()) << (small.IsError() ? small.ErrorMessage() : "");
  Value over2 = EvalExpr(env, range + ".all(a, " + range + ".all(b, " + range + ".all(c, " + range +
                             ".all(d, a + b + c + d >= 0)))) || true");
  ASSERT_TRUE(over2.IsError());
  EXPECT_NE(over2.ErrorMessage().find("budget"), std::string::npos) << over2.ErrorMessage();
}

TEST(CelLimits, RegexProgramSizeJustOver) {
  Limits l;
  l.regex_max_program_size = 200;
  Env env(l);
  EXPECT_TRUE(env.Compile("'a'.matches('a{10}')").ok());
  CompileResult over = env.Compile("'a'.matches('(a|b|c){500}')");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(Diags(over).find("too complex"), std::string::npos) << Diags(over);
  // A dynamic pattern meets the same cap at evaluation time.
  Value dyn = EvalExpr(env, "'a'.matches(string('(a|b|c){500}'))");
  EXPECT_TRUE(dyn.IsError());
}

}  // namespace
}  // namespace aimsgate::cel
