// Program::EvaluateCondition: the answers and cost of Evaluate, as a truth.
#include <gtest/gtest.h>

#include "evaluator/cel/cel.h"

namespace aimsgate::cel {
namespace {

struct Both {
  Value value;          // what Evaluate returned
  Condition condition;  // what EvaluateCondition returned
  Value other;          // and its value when neither true nor false
  int64_t value_cost = 0, condition_cost = 0;
};

Both EvaluateBoth(const std::string& expr, const Limits& limits = Limits()) {
  Env env(limits);
  std::vector<Diagnostic> diags;
  EXPECT_TRUE(env.DeclareFunction("big", {"n"}, "[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, y)).size() > n",
                                  &diags));
  CompileResult r = env.Compile(expr);
  EXPECT_TRUE(r.ok()) << expr;
  Activation act(env);
  EvalState state;
  Both b;
  b.value = r.program->Evaluate(act, &state);
  b.value_cost = Program::LastCost(state);
  b.condition = r.program->EvaluateCondition(act, &state, &b.other);
  b.condition_cost = Program::LastCost(state);
  return b;
}

TEST(ConditionTest, BooleansComeBackAsTruths) {
  for (const char* expr : {"true", "1 < 2", "[1, 2].exists(x, x == 2)", "'a' in ['a'] && !false"}) {
    const Both b = EvaluateBoth(expr);
    EXPECT_EQ(b.condition, Condition::kTrue) << expr;
    EXPECT_TRUE(b.other.IsNull()) << expr;
    EXPECT_EQ(b.value.DebugString(), "true") << expr;
    EXPECT_EQ(b.condition_cost, b.value_cost) << expr;
  }
  for (const char* expr : {"false", "2 < 1", "[1, 2].all(x, x == 2)", "'b' in ['a'] || false"}) {
    const Both b = EvaluateBoth(expr);
    EXPECT_EQ(b.condition, Condition::kFalse) << expr;
    EXPECT_EQ(b.value.DebugString(), "false") << expr;
    EXPECT_EQ(b.condition_cost, b.value_cost) << expr;
  }
}

TEST(ConditionTest, AnythingElseIsReturnedAsEvaluateReturnsIt) {
  for (const char* expr : {"1", "'true'", "null", "[true]", "1 / 0 == 1", "{'a': 1}['b']", "true && 1 / 0 == 1",
                           "[1, 2].exists(x, x / 0 == 1)", "dyn(1) || false"}) {
    const Both b = EvaluateBoth(expr);
    EXPECT_EQ(b.condition, Condition::kOther) << expr;
    EXPECT_EQ(b.other.DebugString(), b.value.DebugString()) << expr;
    EXPECT_EQ(b.other.IsError(), b.value.IsError()) << expr;
    EXPECT_EQ(b.condition_cost, b.value_cost) << expr;
  }
}

TEST(ConditionTest, AnExhaustedBudgetIsTheBudgetError) {
  Limits limits;
  limits.cost_limit = 150;
  // The loop runs out of budget, whatever the disjunction around it would absorb.
  const Both b = EvaluateBoth("true || big(0) || true", limits);
  EXPECT_EQ(b.value.DebugString(), "true");  // short-circuited: nothing exhausted
  const Both c = EvaluateBoth("false || big(0) || true", limits);
  ASSERT_TRUE(c.value.IsError());
  EXPECT_NE(c.value.ErrorMessage().find("cost budget exceeded"), std::string::npos) << c.value.ErrorMessage();
  EXPECT_EQ(c.condition, Condition::kOther);
  EXPECT_EQ(c.other.DebugString(), c.value.DebugString());
}

TEST(ConditionTest, WithoutAStateAFreshOneIsUsed) {
  Env env;
  CompileResult r = env.Compile("1 + 1 == 2");
  ASSERT_TRUE(r.ok());
  Activation act(env);
  Value other;
  EXPECT_EQ(r.program->EvaluateCondition(act, nullptr, &other), Condition::kTrue);
}

}  // namespace
}  // namespace aimsgate::cel
