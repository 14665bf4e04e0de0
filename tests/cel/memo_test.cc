// Memoization of helper calls (cel.h, Activation): on a bare variable, one
// result per (helper, variable); on nodes of the activation's JSON documents
// (a container reached through a loop), one result per (helper, nodes).  Both
// are shared by every program evaluated with an Activation, forgotten on Set(),
// and never kept for errors or for values built during evaluation.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

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
  aimsgate::JsonDocument a, b;
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
  aimsgate::JsonDocument a;
  a.Parse(R"({"items": [1, 2, 3]})");
  Activation act(env_);
  act.Set(x_, Value::Json(a));
  EXPECT_EQ(Eval("count(x) == 2 && count({'items': [7, 8]}) == 2 && count(x) == 2", act).BoolValue(), true);
  EXPECT_EQ(Eval("[{'items': [9]}, {'items': [1]}].map(o, first(o))", act).ListSize(), 2u);
  EXPECT_EQ(Eval("[{'items': [9]}, {'items': [1]}].map(o, first(o))[1]", act).IntValue(), 1);
}

TEST_F(MemoTest, ErrorsAreNotKept) {
  aimsgate::JsonDocument empty, full;
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
  aimsgate::JsonDocument a, b;
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
  aimsgate::JsonDocument one, two;
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

// A helper called on nodes of the object (the loop variable of a comprehension
// over `x`): the memo keyed by the nodes' addresses.
class JsonMemoTest : public ::testing::Test {
 protected:
  void SetUp() override { Declare(env_, &x_); }
  static void Declare(Env& env, int* x) {
    *x = env.DeclareVariable("x");
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(env.DeclareFunction("big", {"o"}, "o.vals.filter(v, v > 1).size()", &diags));
    ASSERT_TRUE(env.DeclareFunction("head", {"o"}, "o.vals[0]", &diags));
    ASSERT_TRUE(env.DeclareFunction("pair", {"o", "p"}, "o.vals[0] * 10 + p.vals[0]", &diags));
  }
  // The result of `expr`, with the cost of evaluating it in *cost.
  static Value EvalIn(Env& env, const std::string& expr, const Activation& act, int64_t* cost = nullptr) {
    CompileResult r = env.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    if (!r.ok()) return Value::Error("compile");
    EvalState state;
    Value v = r.program->Evaluate(act, &state);
    if (cost) *cost = Program::LastCost(state);
    return v;
  }
  static std::vector<int64_t> Ints(const Value& list) {
    std::vector<int64_t> out;
    for (size_t i = 0; i < list.ListSize(); ++i) out.push_back(list.ListAt(i).IntValue());
    return out;
  }

  Env env_;
  int x_ = -1;
  aimsgate::JsonDocument doc_;
};

TEST_F(JsonMemoTest, AnotherProgramOnTheSameContainersGetsTheFirstAnswer) {
  doc_.Parse(R"({"items": [{"vals": [1, 2, 3, 4, 5, 6]}, {"vals": [0, 9]}]})");
  Activation act(env_);
  act.Set(x_, Value::Json(doc_));
  int64_t first = 0, second = 0;
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, big(i))", act, &first)), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, big(i))", act, &second)), (std::vector<int64_t>{5, 1}));
  EXPECT_LT(second, first);  // the filters did not run again

  // Without folding there is no memo: the same program costs the same twice.
  Limits plain;
  plain.fold = false;
  Env unfolded(plain);
  int x = -1;
  Declare(unfolded, &x);
  Activation act2(unfolded);
  act2.Set(x, Value::Json(doc_));
  int64_t a = 0, b = 0;
  EXPECT_EQ(Ints(EvalIn(unfolded, "x.items.map(i, big(i))", act2, &a)), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(Ints(EvalIn(unfolded, "x.items.map(i, big(i))", act2, &b)), (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, first);
}

TEST_F(JsonMemoTest, EachHelperAndEachArgumentOrderHasItsOwnAnswer) {
  doc_.Parse(R"({"items": [{"vals": [1, 2, 3]}, {"vals": [7, 9]}]})");
  Activation act(env_);
  act.Set(x_, Value::Json(doc_));
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, big(i))", act)), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, head(i))", act)), (std::vector<int64_t>{1, 7}));
  const Value grid = EvalIn(env_, "x.items.map(i, x.items.map(j, pair(i, j)))", act);
  ASSERT_EQ(grid.ListSize(), 2u);
  EXPECT_EQ(Ints(grid.ListAt(0)), (std::vector<int64_t>{11, 17}));
  EXPECT_EQ(Ints(grid.ListAt(1)), (std::vector<int64_t>{71, 77}));
  // A value built during evaluation is not a node of the object: never keyed.
  EXPECT_EQ(Ints(EvalIn(env_, "[{'vals': [4]}, {'vals': [5]}].map(o, head(o))", act)),
            (std::vector<int64_t>{4, 5}));
}

TEST_F(JsonMemoTest, ANewBindingForgetsAnswersEvenAtTheSameAddress) {
  doc_.Parse(R"({"items": [{"vals": [1]}]})");
  Activation act(env_);
  act.Set(x_, Value::Json(doc_));
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, head(i))", act)), (std::vector<int64_t>{1}));
  doc_["items"][0]["vals"][0].SetInt(42);  // same nodes, other content
  act.Set(x_, Value::Json(doc_));
  EXPECT_EQ(Ints(EvalIn(env_, "x.items.map(i, head(i))", act)), (std::vector<int64_t>{42}));
}

TEST_F(JsonMemoTest, ErrorsAreNotKept) {
  // A budget error depends on what the caller spent before the call, not on
  // the arguments: a cheaper program after it must get the answer.
  Limits tight;
  tight.cost_limit = 140;  // big(i) alone costs 119, after the map 170
  Env env(tight);
  int x = -1;
  Declare(env, &x);
  doc_.Parse(R"({"items": [{"vals": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]}]})");
  Activation act(env);
  act.Set(x, Value::Json(doc_));
  Value spent = EvalIn(env, "x.items.map(i, [1, 2, 3, 4, 5, 6, 7, 8, 9].map(n, n * 2).size() + big(i))", act);
  ASSERT_TRUE(spent.IsError());
  EXPECT_EQ(Ints(EvalIn(env, "x.items.map(i, big(i))", act)), (std::vector<int64_t>{14}));

  // An error of the arguments themselves: asked again, the same error.
  aimsgate::JsonDocument empty;
  empty.Parse(R"({"items": [{"vals": []}]})");
  act.Set(x, Value::Json(empty));
  EXPECT_TRUE(EvalIn(env, "x.items.map(i, head(i))", act).IsError());
  EXPECT_TRUE(EvalIn(env, "x.items.map(i, head(i))", act).IsError());
}

TEST_F(JsonMemoTest, TheTableKeepsAtMostItsCapOfEntriesPerObject) {
  const size_t n = Activation::kMaxJsonMemoEntries + 100;
  doc_.SetArray();
  for (size_t i = 0; i < n; ++i) doc_.PushBack(aimsgate::JsonValue(rapidjson::kObjectType), doc_.GetAllocator());
  Activation act(env_);
  act.Set(x_, Value::Json(doc_));
  int helper = 0;  // any address names the helper
  for (size_t i = 0; i < n; ++i) {
    const aimsgate::JsonValue* key[] = {&doc_[static_cast<rapidjson::SizeType>(i)]};
    act.StoreJsonMemo(&helper, key, 1, Value::Int(static_cast<int64_t>(i)));
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    const aimsgate::JsonValue* key[] = {&doc_[static_cast<rapidjson::SizeType>(i)]};
    const Value* v = act.FindJsonMemo(&helper, key, 1);
    if (v == nullptr) continue;
    EXPECT_EQ(v->IntValue(), static_cast<int64_t>(i));
    ++kept;
  }
  EXPECT_EQ(kept, Activation::kMaxJsonMemoEntries);
  // The same nodes with a second argument, or under another helper: not found.
  const aimsgate::JsonValue* two[] = {&doc_[0], &doc_[1]};
  EXPECT_EQ(act.FindJsonMemo(&helper, two, 2), nullptr);
  int other = 0;
  size_t found_under_other = 0;
  for (size_t i = 0; i < n; ++i) {
    const aimsgate::JsonValue* key[] = {&doc_[static_cast<rapidjson::SizeType>(i)]};
    if (act.FindJsonMemo(&other, key, 1) != nullptr) ++found_under_other;
  }
  EXPECT_EQ(found_under_other, 0u);
  const aimsgate::JsonValue* one[] = {&doc_[0]};
  // A new object starts an empty table with the full cap again.
  act.Set(x_, Value::Json(doc_));
  EXPECT_EQ(act.FindJsonMemo(&helper, one, 1), nullptr);
  act.StoreJsonMemo(&helper, one, 1, Value::Int(7));
  ASSERT_NE(act.FindJsonMemo(&helper, one, 1), nullptr);
  EXPECT_EQ(act.FindJsonMemo(&helper, one, 1)->IntValue(), 7);
}

}  // namespace
}  // namespace aimsgate::cel
