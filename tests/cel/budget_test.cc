// Budgets: cost, comprehension iterations, list and string sizes, regexes.
#include <gtest/gtest.h>

#include "eval_util.h"

namespace aimsgate::cel {
namespace {

bool ErrorContains(const Value& v, const std::string& part) {
  return v.IsError() && v.ErrorMessage().find(part) != std::string::npos;
}

TEST(BudgetTest, NestedComprehensionsHitTheCostBudget) {
  Limits limits;
  limits.cost_limit = 100000;
  limits.max_comprehension_iterations = 1000000000;
  std::string ten = "[1,2,3,4,5,6,7,8,9,10]";
  std::string expr = "[1,2,3].map(x, [1,2,3].map(y, " + ten + ".map(z, " + ten + ".map(w, " + ten + ".map(v, " + ten +
                     ".map(u, u))))))";
  Value v = testing::Eval(expr, limits);
  EXPECT_TRUE(ErrorContains(v, "cost budget exceeded")) << v.DebugString().substr(0, 200);
  // The same expression, smaller, fits.
  Value small = testing::Eval("[1,2,3].map(x, [1,2,3].map(y, " + ten + ".map(z, z)))", limits);
  EXPECT_FALSE(small.IsError());
}

TEST(BudgetTest, CostErrorsAreNotAbsorbed) {
  Limits limits;
  limits.cost_limit = 200;
  Value v = testing::Eval("false || [1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, y)).size() > 0 || true",
                          limits);
  EXPECT_TRUE(ErrorContains(v, "cost budget exceeded")) << v.DebugString();
}

TEST(BudgetTest, IterationLimit) {
  Limits limits;
  limits.max_comprehension_iterations = 50;
  Value v = testing::Eval("[1,2,3,4,5,6,7,8,9,10].all(x, [1,2,3,4,5,6,7,8,9,10].all(y, true))", limits);
  EXPECT_TRUE(ErrorContains(v, "iteration limit")) << v.DebugString();
}

TEST(BudgetTest, HugeStringsHitTheSizeLimit) {
  Limits limits;
  limits.max_string_bytes = 1 << 20;
  Env env(limits);
  std::vector<Diagnostic> diags;
  // Each helper multiplies the length by 16; five levels make 16^5 * 10 bytes.
  ASSERT_TRUE(env.DeclareFunction("x4", {"s"}, "s + s + s + s", &diags));
  ASSERT_TRUE(env.DeclareFunction("x16", {"s"}, "x4(x4(s))", &diags));
  ASSERT_TRUE(env.DeclareFunction("x256", {"s"}, "x16(x16(s))", &diags));
  CompileResult r = env.Compile("size(x16(x256(x256('0123456789'))))");
  ASSERT_TRUE(r.ok());
  Activation act(env);
  Value v = r.program->Evaluate(act, nullptr);
  EXPECT_TRUE(ErrorContains(v, "string size limit exceeded")) << v.DebugString();
  r = env.Compile("size(x256('0123456789'))");
  EXPECT_EQ(r.program->Evaluate(act, nullptr).DebugString(), "2560");
}

TEST(BudgetTest, ListSizeLimit) {
  Limits limits;
  limits.max_list_size = 100;
  Value v = testing::Eval("[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10]).map(l, l + l + l).size()", limits);
  EXPECT_FALSE(v.IsError());
  Env env(limits);
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(env.DeclareFunction("d", {"l"}, "l + l", &diags));
  CompileResult r = env.Compile("size(d(d(d(d(d(d(d([1, 2]))))))))");
  ASSERT_TRUE(r.ok());
  Activation act(env);
  EXPECT_TRUE(ErrorContains(r.program->Evaluate(act, nullptr), "list size limit exceeded"));
  // split() holds to it to the last piece: 100 pieces are allowed, 101 are not.
  const std::string commas99(99, ',');
  EXPECT_EQ(testing::Eval("size('" + commas99 + "'.split(','))", limits).DebugString(), "100");
  Value over = testing::Eval("size('" + commas99 + ",'.split(','))", limits);
  EXPECT_TRUE(ErrorContains(over, "list size limit exceeded")) << over.DebugString();
}

TEST(BudgetTest, RegexProgramSizeCap) {
  Limits limits;
  limits.regex_max_program_size = 50;
  Env env(limits);
  CompileResult r = env.Compile("'aaa'.matches('(a{1,20}){1,20}b')");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diagnostics[0].message.find("too complex"), std::string::npos);
  // A pattern known only at evaluation is checked the same way.
  int p = env.DeclareVariable("p");
  r = env.Compile("'aaa'.matches(p)");
  ASSERT_TRUE(r.ok());
  Activation act(env);
  act.Set(p, Value::String("(a{1,20}){1,20}b"));
  EXPECT_TRUE(ErrorContains(r.program->Evaluate(act, nullptr), "too complex"));
  act.Set(p, Value::String("^a+$"));
  EXPECT_TRUE(r.program->Evaluate(act, nullptr).BoolValue());
}

TEST(BudgetTest, LongHelperChainsEndInAnErrorNotACrash) {
  Env env;
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(env.DeclareFunction("h0", {"x"}, "x + 1", &diags));
  for (int i = 1; i < 1500; ++i) {
    ASSERT_TRUE(env.DeclareFunction("h" + std::to_string(i), {"x"}, "h" + std::to_string(i - 1) + "(x) + 1", &diags));
  }
  Activation act(env);
  CompileResult shallow = env.Compile("h10(0)");
  EXPECT_EQ(shallow.program->Evaluate(act, nullptr).DebugString(), "11");
  CompileResult deep = env.Compile("h1499(0)");
  ASSERT_TRUE(deep.ok());
  EXPECT_TRUE(ErrorContains(deep.program->Evaluate(act, nullptr), "nested too deeply"));
}

TEST(BudgetTest, HostileInputsEndInErrors) {
  const char* exprs[] = {
      "'%.1000f'.format([1.0])",
      "[1, 2, 3][-1]",
      "'abc'.substring(2, 1)",
      "timestamp('99999-01-01T00:00:00Z')",
      "duration('99999999999999999999999999999h')",
      "int('99999999999999999999')",
      "uint('-1')",
      "double('x')",
      "'x'.charAt(-1)",
      "{'a': 1}.map(k, k + 1)",
      "[[1]].map(x, x + 1)",
  };
  for (const char* e : exprs) {
    EXPECT_TRUE(testing::Eval(e).IsError()) << e;
  }
}

TEST(BudgetTest, CostIsReported) {
  Env env;
  CompileResult r = env.Compile("[1, 2, 3].map(x, x + 1)");
  ASSERT_TRUE(r.ok());
  Activation act(env);
  EvalState state;
  r.program->Evaluate(act, &state);
  EXPECT_GT(Program::LastCost(state), 3);
  EXPECT_LT(Program::LastCost(state), 100);
}

TEST(BudgetTest, LongExpressionsAreRejectedAtCompileTime) {
  Limits limits;
  limits.max_expression_bytes = 20;
  Env env(limits);
  EXPECT_FALSE(env.Compile("1 + 1 + 1 + 1 + 1 + 1 + 1 + 1").ok());
}

}  // namespace
}  // namespace aimsgate::cel
