// The JSON member lookup cache of the CEL runtime (EvalContext::FindMember),
// added because bench/micro showed rules repeating paths: a cached answer must
// never outlive the bindings that saw it (it is kept from program to program
// on one EvalState while an activation's bindings stay the same, and
// forgotten whenever they change: a value set again, even the same document
// changed in place, a reset, another activation), and must never be confused
// between objects or keys.  (Among the runtime tests, which the sanitizer
// build runs; it was beside the benchmark that motivated it.)
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

std::unique_ptr<aimsgate::JsonDocument> Parse(const std::string& json) {
  auto doc = std::make_unique<aimsgate::JsonDocument>();
  doc->Parse(json.c_str());
  EXPECT_FALSE(doc->HasParseError()) << json;
  return doc;
}

TEST(LookupCache, RepeatedPathsOverManyObjectsDecideLikeTheData) {
  Env env;
  const int slot = env.DeclareVariable("object");
  CompileResult c = env.Compile(
      "object.items.map(i, has(i.a) && has(i.a.b) && i.a.b == i.want ? 1 : "
      "(has(i.a) && has(i.a.c) ? 2 : 0))");
  ASSERT_TRUE(c.ok());
  // 300 objects (more than the cache's slots, so entries collide and are
  // overwritten), with a, a.b and a.c present or not.
  std::string json = "{\"items\":[";
  std::vector<int64_t> expected;
  for (int i = 0; i < 300; ++i) {
    if (i) json += ",";
    const bool has_a = i % 3 != 0, has_b = i % 5 != 0, has_c = i % 7 == 0, match = i % 2 == 0;
    json += "{\"want\":" + std::to_string(i);
    if (has_a) {
      json += ",\"a\":{";
      if (has_b) json += "\"b\":" + std::to_string(match ? i : -i) + (has_c ? "," : "");
      if (has_c) json += "\"c\":true";
      json += "}";
    }
    json += "}";
    // i == 0: want 0 and b would be 0 = -0, but i % 5 == 0 means no b.
    expected.push_back(has_a && has_b && (match || i == 0) ? 1 : (has_a && has_c ? 2 : 0));
  }
  json += "]}";
  auto doc = Parse(json);
  Activation act(env);
  act.Set(slot, Value::Json(*doc));
  EvalState state;
  Value v = c.program->Evaluate(act, &state);
  ASSERT_TRUE(v.IsList()) << v.DebugString();
  ASSERT_EQ(v.ListSize(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(v.ListAt(i).IsInt());
    EXPECT_EQ(v.ListAt(i).IntValue(), expected[i]) << "item " << i;
  }
}

// One EvalState, documents freed and re-created between evaluations (the
// allocator is likely to hand out the same addresses): every evaluation sees
// its own document.
TEST(LookupCache, NoAnswerOutlivesItsEvaluation) {
  Env env;
  const int slot = env.DeclareVariable("object");
  CompileResult c = env.Compile("has(object.spec.replicas) ? object.spec.replicas : -1");
  ASSERT_TRUE(c.ok());
  EvalState state;
  for (int i = 0; i < 50; ++i) {
    const bool present = i % 2 == 0;
    auto doc = Parse(present ? "{\"spec\":{\"replicas\":" + std::to_string(i) + "}}" : "{\"spec\":{\"paused\":true}}");
    Activation act(env);
    act.Set(slot, Value::Json(*doc));
    Value v = c.program->Evaluate(act, &state);
    ASSERT_TRUE(v.IsInt()) << v.DebugString();
    EXPECT_EQ(v.IntValue(), present ? i : -1) << "evaluation " << i;
  }
}

TEST(LookupCache, MissingKeyKeepsItsErrorText) {
  Env env;
  const int slot = env.DeclareVariable("object");
  CompileResult c = env.Compile("has(object.a) && object.a.missing == 1");
  ASSERT_TRUE(c.ok());
  auto doc = Parse("{\"a\":{\"present\":1}}");
  Activation act(env);
  act.Set(slot, Value::Json(*doc));
  EvalState state;
  Value v = c.program->Evaluate(act, &state);
  ASSERT_TRUE(v.IsError());
  EXPECT_EQ(v.ErrorMessage(), "no such key: 'missing'");
}

class LookupCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { object_ = env_.DeclareVariable("object"); }
  // Evaluated on the one state, as a pack's rules are.
  std::string Eval(const std::string& expr, const Activation& act) {
    CompileResult r = env_.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    return r.program->Evaluate(act, &state_).DebugString();
  }
  // Parses `json` into *doc (in place: the root keeps its address) and binds it.
  void Bind(const char* json, aimsgate::JsonDocument* doc, Activation* act) {
    doc->Parse(json);
    ASSERT_FALSE(doc->HasParseError()) << json;
    act->SetJson(object_, *doc);
  }

  Env env_;
  EvalState state_;
  int object_ = -1;
};

TEST_F(LookupCacheTest, RulesOnOneObjectShareLookups) {
  aimsgate::JsonDocument doc;
  Activation act(env_);
  Bind(R"({"metadata": {"name": "a", "labels": {"team": "x"}}})", &doc, &act);
  EXPECT_EQ(Eval("object.metadata.name", act), "\"a\"");
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"x\"");
  EXPECT_EQ(Eval("has(object.metadata.labels.owner)", act), "false");
}

TEST_F(LookupCacheTest, ADocumentChangedInPlaceAndSetAgainIsReadAgain) {
  aimsgate::JsonDocument doc;
  Activation act(env_);
  Bind(R"({"metadata": {"name": "a", "labels": {"team": "x"}}})", &doc, &act);
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"x\"");
  // The same root at the same address, other members: the cached (root,
  // "metadata") would point into the freed tree.
  Bind(R"({"metadata": {"labels": {"team": "y"}, "name": "b"}, "kind": "Pod"})", &doc, &act);
  EXPECT_EQ(Eval("object.metadata.labels.team", act), "\"y\"");
  EXPECT_EQ(Eval("object.metadata.name", act), "\"b\"");
}

TEST_F(LookupCacheTest, AResetOrAnotherActivationStartsAfresh) {
  aimsgate::JsonDocument doc;
  Activation act(env_);
  Bind(R"({"metadata": {"name": "a"}})", &doc, &act);
  EXPECT_EQ(Eval("object.metadata.name", act), "\"a\"");
  doc.Parse(R"({"metadata": {"name": "b"}})");
  act.Reset(env_, ~uint64_t{0});  // keeps the binding, forgets what was read through it
  EXPECT_EQ(Eval("object.metadata.name", act), "\"b\"");
  Activation other(env_);
  Bind(R"({"metadata": {"name": "c"}})", &doc, &other);
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
