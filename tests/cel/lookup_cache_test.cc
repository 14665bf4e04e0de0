// The member lookups of an evaluation (EvalContext::FindMember) are kept from
// program to program on one EvalState while an activation's bindings stay the
// same, and forgotten whenever they change: a value set again (even the same
// document, changed in place), a reset, or another activation.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

class LookupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { object_ = env_.DeclareVariable("object"); }
  // Evaluated on the one state, as a pack's rules are.
  std::string Eval(const std::string& expr, const Activation& act) {
    CompileResult r = env_.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    return r.program->Evaluate(act, &state_).DebugString();
  }

  Env env_;
  EvalState state_;
  int object_ = -1;
};

TEST_F(LookupCacheTest, RulesOnOneObjectShareLookups) {
  aimsgate::JsonDocument doc;
  doc.Parse(R"({"metadata": {"name": "a", "labels": {"team": "x"}}})");
  Activation act(env_);
  act.SetJson(object_, doc);
  EXPECT_EQ(Eval("object.metadata.name", act), "\"a\"");
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"x\"");
  EXPECT_EQ(Eval("has(object.metadata.labels.owner)", act), "false");
}

TEST_F(LookupCacheTest, ADocumentChangedInPlaceAndSetAgainIsReadAgain) {
  aimsgate::JsonDocument doc;
  doc.Parse(R"({"metadata": {"name": "a", "labels": {"team": "x"}}})");
  Activation act(env_);
  act.SetJson(object_, doc);
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"x\"");
  // The same root at the same address, other members: the cached (root,
  // "metadata") would point into the freed tree.
  doc.Parse(R"({"metadata": {"labels": {"team": "y"}, "name": "b"}, "kind": "Pod"})");
  act.SetJson(object_, doc);
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"y\"");
  EXPECT_EQ(Eval("object.metadata.name", act), "\"b\"");
}

TEST_F(LookupCacheTest, AResetOrAnotherActivationStartsAfresh) {
  aimsgate::JsonDocument doc;
  doc.Parse(R"({"metadata": {"name": "a"}})");
  Activation act(env_);
  act.SetJson(object_, doc);
  EXPECT_EQ(Eval("object.metadata.name", act), "\"a\"");
  doc.Parse(R"({"metadata": {"name": "b"}})");
  act.Reset(env_, ~uint64_t{0});  // keeps the binding, forgets what was read through it
  EXPECT_EQ(Eval("object.metadata.name", act), "\"b\"");
  Activation other(env_);
  doc.Parse(R"({"metadata": {"name": "c"}})");
  other.SetJson(object_, doc);
  EXPECT_EQ(Eval("object.metadata.name", other), "\"c\"");
}

TEST_F(LookupCacheTest, ACopyIsAnotherActivation) {
  Activation act(env_);
  const Activation copy = act;
  EXPECT_NE(copy.bindings_id(), act.bindings_id());
  Activation assigned(env_);
  const uint64_t before = assigned.bindings_id();
  assigned = act;
  EXPECT_NE(assigned.bindings_id(), before);
  EXPECT_NE(assigned.bindings_id(), act.bindings_id());
}

}  // namespace
}  // namespace aimsgate::cel
