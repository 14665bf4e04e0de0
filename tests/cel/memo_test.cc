// Memoization of helper calls on a bare variable (cel.h, Activation): one
// result per (helper, variable) for every program evaluated with an
// Activation, forgotten on Set(), and never for errors or other arguments.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"

namespace aimsgate::cel {
namespace {

class MemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    x_ = env_.DeclareVariable("x");
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(env_.DeclareFunction("count", {"o"}, "o.items.filter(i, i > 1).size()", &diags));
    ASSERT_TRUE(env_.DeclareFunction("first", {"o"}, "o.items[0]", &diags));
  }
  Value Eval(const std::string& expr, const Activation& act) {
    CompileResult r = env_.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    EvalState state;
    return r.program->Evaluate(act, &state);
  }

  Env env_;
  int x_ = -1;
};

TEST_F(MemoTest, SharedAcrossProgramsAndForgottenOnSet) {
  rapidjson::Document a, b;
  a.Parse(R"({"items": [1, 2, 3]})");
  b.Parse(R"({"items": [5, 6, 7, 8]})");
  Activation act(env_);
  act.Set(x_, Value::Json(a));
  EXPECT_EQ(Eval("count(x)", act).IntValue(), 2);
  EXPECT_EQ(Eval("count(x) + count(x)", act).IntValue(), 4);
  act.Set(x_, Value::Json(b));  // a new object: the memo must not answer for it
  EXPECT_EQ(Eval("count(x)", act).IntValue(), 4);
  EXPECT_EQ(Eval("first(x)", act).IntValue(), 5);
}

TEST_F(MemoTest, ArgumentsOtherThanAVariableAreNotMemoized) {
  rapidjson::Document a;
  a.Parse(R"({"items": [1, 2, 3]})");
  Activation act(env_);
  act.Set(x_, Value::Json(a));
  EXPECT_EQ(Eval("count(x) == 2 && count({'items': [7, 8]}) == 2 && count(x) == 2", act).BoolValue(), true);
  EXPECT_EQ(Eval("[{'items': [9]}, {'items': [1]}].map(o, first(o))", act).ListSize(), 2u);
  EXPECT_EQ(Eval("[{'items': [9]}, {'items': [1]}].map(o, first(o))[1]", act).IntValue(), 1);
}

TEST_F(MemoTest, ErrorsAreNotKept) {
  rapidjson::Document empty, full;
  empty.Parse(R"({"items": []})");
  Activation act(env_);
  act.Set(x_, Value::Json(empty));
  EXPECT_TRUE(Eval("first(x)", act).IsError());
  EXPECT_TRUE(Eval("first(x)", act).IsError());
  full.Parse(R"({"items": [4]})");
  act.Set(x_, Value::Json(full));
  EXPECT_EQ(Eval("first(x)", act).IntValue(), 4);
}

TEST_F(MemoTest, AReusedActivationForgetsValuesAndMemos) {
  rapidjson::Document a, b;
  a.Parse(R"({"items": [1, 2, 3]})");
  b.Parse(R"({"items": [5, 6, 7, 8]})");
  EvalState state;
  Activation& first = state.ReusableActivation(0, env_);
  first.Set(x_, Value::Json(a));
  EXPECT_EQ(Eval("count(x)", first).IntValue(), 2);  // memoized for a
  Activation& again = state.ReusableActivation(0, env_);
  EXPECT_EQ(&again, &first);  // the same storage, reset
  EXPECT_TRUE(Eval("x == null", again).BoolValue());
  EXPECT_TRUE(Eval("count(x)", again).IsError());  // not a's memo
  again.Set(x_, Value::Json(b));
  EXPECT_EQ(Eval("count(x)", again).IntValue(), 4);
  Activation& other = state.ReusableActivation(1, env_);
  EXPECT_NE(&other, &again);
  EXPECT_TRUE(Eval("x == null", other).BoolValue());
}

TEST(ReusableActivation, ResetClearsSlotsBeyondTheFirst64) {
  Env env;
  std::vector<int> slots;
  for (int i = 0; i < 70; ++i) slots.push_back(env.DeclareVariable("v" + std::to_string(i)));
  EvalState state;
  Activation& act = state.ReusableActivation(0, env);
  act.Set(slots[3], Value::Int(3));
  act.Set(slots[69], Value::Int(69));
  ASSERT_EQ(act.Get(slots[69]).IntValue(), 69);
  Activation& again = state.ReusableActivation(0, env);
  EXPECT_TRUE(again.Get(slots[3]).IsNull());
  EXPECT_TRUE(again.Get(slots[69]).IsNull());
  again.Set(slots[3], Value::Int(4));
  Activation& third = state.ReusableActivation(0, env);
  EXPECT_TRUE(third.Get(slots[3]).IsNull());
}

TEST(ReusableActivation, KeptSlotsSurviveAResetAndAreReplacedWhenDifferent) {
  Env env;
  const int a = env.DeclareVariable("a"), b = env.DeclareVariable("b"), t = env.DeclareVariable("t");
  rapidjson::Document one, two;
  one.Parse(R"({"n": 1})");
  two.Parse(R"({"n": 2})");
  EvalState state;
  const uint64_t keep = (uint64_t{1} << a) | (uint64_t{1} << t);
  Activation& act = state.ReusableActivation(0, env, keep);
  act.SetJsonUnlessSame(a, &one);
  act.Set(b, Value::Json(one));
  act.SetTimestampUnlessSame(t, 100);
  Activation& again = state.ReusableActivation(0, env, keep);
  EXPECT_EQ(again.Get(a).BorrowedJson(), &one);  // kept
  EXPECT_TRUE(again.Get(b).IsNull());            // not kept
  EXPECT_EQ(again.Get(t).Seconds(), 100);
  again.SetJsonUnlessSame(a, &two);
  EXPECT_EQ(again.Get(a).BorrowedJson(), &two);
  again.SetJsonUnlessSame(a, nullptr);
  EXPECT_TRUE(again.Get(a).IsNull());
  again.SetTimestampUnlessSame(t, 101);
  EXPECT_EQ(again.Get(t).Seconds(), 101);
  again.Set(t, Value::Timestamp(101, 5));  // same seconds, other nanos: not the same instant
  again.SetTimestampUnlessSame(t, 101);
  EXPECT_EQ(again.Get(t).Nanos(), 0);
  // Another Env (other slot count) clears everything, kept or not.
  Env other;
  other.DeclareVariable("x");
  Activation& third = state.ReusableActivation(0, other, keep);
  EXPECT_EQ(third.size(), 1u);
  EXPECT_TRUE(third.Get(0).IsNull());
}

}  // namespace
}  // namespace aimsgate::cel
