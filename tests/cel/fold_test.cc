// Plan-time folding (planner.h, Limits::fold): every expression gives the same
// value or the same error message folded and unfolded, run-time errors stay
// run-time errors (never compile errors), and folding does take place (the
// folded plan costs less).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

constexpr const char* kParams = R"({
  "prefix": "aimsgate.io/", "flag": false, "list": ["a", "b", "c"], "mixed": [1, "a", 2.0, null],
  "many": ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10"],
  "patterns": ["(^|/)vllm/", "^nvcr\\.io/", ":latest$"], "digits": ["[0-9]", "^[0-9]+$"],
  "bad": ["(", "a"], "empty": [], "n": 3})";

constexpr const char* kObject = R"({
  "name": "b", "num": 2, "image": "docker.io/vllm/vllm-openai:latest", "digits": "12345",
  "items": [1, 2, 3], "mixed": [1, "a", 0], "labels": {"aimsgate.io/owner": "team-a", "a": "x"},
  "map": {"k1": 1, "k2": 2},
  "spec": {"containers": [{"image": "a"}], "nil": null, "model": {"uri": "s3://m", "none": null}}})";

class FoldTest : public ::testing::Test {
 protected:
  struct Side {
    std::unique_ptr<Env> env;
    int x = -1, p = -1;
  };
  void SetUp() override {
    params_ = std::make_shared<aimsgate::JsonDocument>();
    params_->Parse(kParams);
    ASSERT_FALSE(params_->HasParseError());
    object_.Parse(kObject);
    ASSERT_FALSE(object_.HasParseError());
    for (bool fold : {true, false}) {
      Limits limits;
      limits.fold = fold;
      MakeSide(limits, fold ? &folded_ : &plain_);
    }
  }
  void MakeSide(const Limits& limits, Side* s) {
    s->env = std::make_unique<Env>(limits);
    s->x = s->env->DeclareVariable("x");
    s->p = s->env->DeclareVariable("p");
    s->env->BindConstant(s->p, Value::Json(*params_), params_);
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(s->env->DeclareFunction("label", {"o", "k"}, "o.labels[p.prefix + k]", &diags));
    ASSERT_TRUE(s->env->DeclareFunction("at", {"m", "k"}, "m[k]", &diags));
    ASSERT_TRUE(s->env->DeclareFunction("isVllm", {"image"}, "p.patterns.exists(q, image.matches(q))", &diags));
    // Bodies whose names would capture an argument's variable: not specialized.
    ASSERT_TRUE(s->env->DeclareFunction("capture", {"o"}, "[1, 2].exists(x, o == x)", &diags));
    ASSERT_TRUE(s->env->DeclareFunction("shadow", {"o"}, "[3].map(o, o + 1)[0] + o", &diags));
    ASSERT_TRUE(s->env->DeclareFunction("twice", {"o", "k"}, "label(o, k) + '/' + label(o, k)", &diags));
    // Loops over constants only (inlined on a loop's variable), unless the names would clash.
    ASSERT_TRUE(s->env->DeclareFunction("inPair", {"o"}, "[1, 2].exists(q, o == q)", &diags));
    ASSERT_TRUE(s->env->DeclareFunction("isName", {"o"}, "o == x.name", &diags));
    // As the ISO pack writes them: guards before reads.
    ASSERT_TRUE(s->env->DeclareFunction("specOf", {"o"}, "has(o.spec) && o.spec != null ? o.spec : {}", &diags));
    ASSERT_TRUE(s->env->DeclareFunction(
        "strAt", {"m", "k"}, "m != null && k in m && m[k] != null ? string(m[k]) : ''", &diags));
  }
  // `expr` and `twin` (the same logic written so that it is not planned as a
  // null guard: `!= dyn(null)`, or the regrouped pair in parentheses) give the
  // same value or error, folded and unfolded, cost the same folded, and run
  // out of budget at the same cost limits.
  void SameAsTwin(const std::string& expr, const std::string& twin) {
    Value v = Same(expr);
    Value t = Eval(folded_, twin);
    EXPECT_EQ(v.DebugString(), t.DebugString()) << expr << " vs " << twin;
    int64_t cost = 0, twin_cost = 0;
    Eval(folded_, expr, &cost);
    Eval(folded_, twin, &twin_cost);
    EXPECT_EQ(cost, twin_cost) << expr << " vs " << twin;
    for (int64_t limit = 1; limit <= cost; ++limit) {
      Limits limits;
      limits.cost_limit = limit;
      Side tight;
      MakeSide(limits, &tight);
      EXPECT_EQ(Eval(tight, expr).DebugString(), Eval(tight, twin).DebugString()) << expr << ", limit " << limit;
    }
  }
  Value Eval(Side& s, const std::string& expr, int64_t* cost = nullptr) {
    CompileResult r = s.env->Compile(expr);
    if (!r.ok()) return Value::Error("compile: " + r.diagnostics.at(0).message);
    Activation act(*s.env);
    act.Set(s.x, Value::Json(object_));
    act.Set(s.p, Value::Json(*params_));
    EvalState state;
    Value v = r.program->Evaluate(act, &state);
    if (cost) *cost = Program::LastCost(state);
    return v;
  }
  // Same value (or same error message) folded and unfolded; returns the folded one.
  Value Same(const std::string& expr) {
    Value f = Eval(folded_, expr), u = Eval(plain_, expr);
    EXPECT_EQ(f.IsError(), u.IsError()) << expr << ": " << f.DebugString() << " vs " << u.DebugString();
    if (f.IsError() && u.IsError()) {
      EXPECT_EQ(f.ErrorMessage(), u.ErrorMessage()) << expr;
    } else {
      EXPECT_TRUE(StrictEqual(f, u)) << expr << ": " << f.DebugString() << " vs " << u.DebugString();
    }
    return f;
  }

  std::shared_ptr<aimsgate::JsonDocument> params_;
  aimsgate::JsonDocument object_;
  Side folded_, plain_;
};

TEST_F(FoldTest, ParameterReadsAndConcatenation) {
  EXPECT_EQ(Same("p.prefix + 'owner'").StringValue(), "aimsgate.io/owner");
  EXPECT_EQ(Same("x.labels[p.prefix + 'owner']").StringValue(), "team-a");
  EXPECT_EQ(Same("label(x, 'owner') + label(x, 'owner')").StringValue(), "team-ateam-a");
  EXPECT_EQ(Same("[p.prefix, 'b'].map(s, s + '!')").ListSize(), 2u);
  EXPECT_TRUE(Same("has(p.prefix) && !has(p.nothing)").BoolValue());
  EXPECT_EQ(Same("p.n * 2 + size(p.list)").IntValue(), 9);
}

TEST_F(FoldTest, RunTimeErrorsStayRunTimeErrors) {
  // Each of these fails on constants only; folded, it must still compile and fail when evaluated.
  for (const char* e : {"p.missing", "p.prefix + 1", "p.n / 0", "p.list[7]", "x.image.matches(p.bad[0])",
                        "p.flag ? x.missing : p.missing", "int(p.prefix)", "p.list.all(s, s > 1)",
                        "label(x, 1)", "label(x, 'nothing')", "twice(x.missing, 'owner')", "isVllm(x.num)"}) {
    Value v = Same(e);
    ASSERT_TRUE(v.IsError()) << e;
    EXPECT_NE(v.ErrorMessage().rfind("compile: ", 0), 0u) << e << ": " << v.ErrorMessage();
  }
}

TEST_F(FoldTest, AConstantKeyFailsAsTheIndexOperatorDoes) {
  // at(m, 'k') specialized reads m['k'] as a path; a list or a missing key must
  // still give the `_[_]` operator's errors, as the generic body's m[k] does.
  for (const char* e : {"at(x.items, 'a')", "at(x.map, 'missing')", "at(x.name, 'a')", "at(at(x, 'spec'), 'nothing')",
                        "at(x.spec.containers, 'image')", "x.items['a']", "x.map['missing'].y", "x['spec'].model.uri"}) {
    Same(e);
  }
  EXPECT_EQ(Same("at(x.map, 'missing')").ErrorMessage(), "no such key: \"missing\"");
  EXPECT_EQ(Same("at(x.items, 'a')").ErrorMessage(), "found no matching overload for '_[_]' applied to (list, string)");
}

TEST_F(FoldTest, HelpersSpecializedForTheirArguments) {
  EXPECT_EQ(Same("twice(x, 'owner')").StringValue(), "team-a/team-a");
  EXPECT_TRUE(Same("capture(x.num)").BoolValue());
  EXPECT_EQ(Same("shadow(x.num)").IntValue(), 6);
  EXPECT_EQ(Same("[x].map(o, label(o, 'owner'))[0]").StringValue(), "team-a");  // a local argument: generic
  EXPECT_EQ(Same("label(x, 'own' + 'er')").StringValue(), "team-a");
}

TEST_F(FoldTest, HelpersInlinedOnALoopsVariable) {
  EXPECT_EQ(Same("[x.image, 'b'].map(i, isVllm(i))").DebugString(), "[true, false]");
  EXPECT_EQ(Same("[x.image, 'b'].exists(i, isVllm(i))").DebugString(), "true");
  EXPECT_TRUE(Same("[1, x.image].map(i, isVllm(i))").IsError());
  EXPECT_EQ(Same("[2, 5].map(i, inPair(i))").DebugString(), "[true, false]");
  EXPECT_EQ(Same("['a', 'b'].map(i, isName(i))").DebugString(), "[false, true]");
  EXPECT_EQ(Same("x.labels.map(k, at(x.labels, k))").DebugString(), R"(["team-a", "x"])");
  // Names that would clash keep the call: the body binds the argument's name
  // (q, x), or the caller's local hides a name the body reads (x).
  EXPECT_EQ(Same("[2, 5].map(q, inPair(q))").DebugString(), "[true, false]");
  EXPECT_EQ(Same("[1, 3].map(x, capture(x))").DebugString(), "[true, false]");
  EXPECT_EQ(Same("['b', 'c'].map(x, isName(x))").DebugString(), "[true, false]");
  // Inlined, the call costs what its body written in place costs.
  int64_t call = 0, in_place = 0;
  Eval(folded_, "[x.image, 'b'].map(i, isVllm(i))", &call);
  Eval(folded_, "[x.image, 'b'].map(i, p.patterns.exists(q, i.matches(q)))", &in_place);
  EXPECT_EQ(call, in_place);
  Eval(folded_, "[2, 5].map(q, inPair(q))", &call);
  Eval(folded_, "[2, 5].map(q, [1, 2].exists(r, q == r))", &in_place);
  EXPECT_GT(call, in_place);  // not inlined: the call's own unit
  // A large body keeps the call: copied into every call site, it would grow
  // the plan as their product.
  std::string sum = "o", sum_in_place = "i";
  for (int i = 0; i < 40; ++i) {
    sum += " + o";
    sum_in_place += " + i";
  }
  for (Side* s : {&folded_, &plain_}) {
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(s->env->DeclareFunction("large", {"o"}, sum, &diags));
  }
  EXPECT_EQ(Same("[1, 2].map(i, large(i))").DebugString(), "[41, 82]");
  EXPECT_EQ(Same("[1, 2].map(i, " + sum_in_place + ")").DebugString(), "[41, 82]");
  Eval(folded_, "[1, 2].map(i, large(i))", &call);
  Eval(folded_, "[1, 2].map(i, " + sum_in_place + ")", &in_place);
  EXPECT_GT(call, in_place);
}

// A hostile pack: sixteen helpers, each calling the next four times, on a
// loop's variable.  Calls plan each body once; inlined, the plan would hold
// 4^16 copies of the last one.  It must compile at once and run out of its
// budget at run time, folded as unfolded.
TEST(FoldInliningTest, AChainOfHelpersIsNotInlinedIntoAnExplosion) {
  for (bool fold : {true, false}) {
    Limits limits;
    limits.fold = fold;
    Env env(limits);
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(env.DeclareFunction("h0", {"x"}, "[1, 2].exists(q, x == q)", &diags));
    for (int i = 1; i <= 16; ++i) {
      const std::string prev = "h" + std::to_string(i - 1) + "(x)";
      ASSERT_TRUE(env.DeclareFunction("h" + std::to_string(i), {"x"},
                                      prev + " || " + prev + " || " + prev + " || " + prev, &diags));
    }
    CompileResult r = env.Compile("[3].exists(v, h16(v))");
    ASSERT_TRUE(r.ok());
    Activation act(env);
    EvalState state;
    const Value v = r.program->Evaluate(act, &state);
    ASSERT_TRUE(v.IsError()) << v.DebugString();
    EXPECT_NE(v.ErrorMessage().find("exceeded"), std::string::npos) << v.ErrorMessage();
  }
}

// A helper call seen before reuses its specialization without planning its
// arguments again (planner.cc): its value, and the compile errors of its
// arguments, are those of the first time, in every later program.
TEST_F(FoldTest, RepeatedHelperCallsKeepTheirValuesAndErrors) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Same("label(x, 'owner')").StringValue(), "team-a");
    EXPECT_EQ(Same("twice(x, 'owner') + label(x, 'owner')").StringValue(), "team-a/team-ateam-a");
  }
  for (Side* s : {&folded_, &plain_}) {
    std::vector<Diagnostic> diags;
    ASSERT_TRUE(s->env->DeclareFunction("ignores", {"o"}, "1", &diags));
    for (int i = 0; i < 2; ++i) {
      // The argument is never evaluated, but its invalid pattern is a compile error each time.
      CompileResult r = s->env->Compile("ignores('a'.matches('('))");
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.diagnostics.at(0).message.find("invalid regular expression"), std::string::npos);
      // A type error on constants only is reported by a checked compile...
      r = s->env->Compile("ignores(1 + 'a')");
      EXPECT_FALSE(r.ok());
      EXPECT_TRUE(s->env->Compile("ignores(1)").ok());
    }
  }
}

TEST_F(FoldTest, InOverConstantLists) {
  EXPECT_TRUE(Same("x.name in p.list").BoolValue());
  EXPECT_FALSE(Same("'z' in p.list").BoolValue());
  EXPECT_TRUE(Same("'s10' in p.many").BoolValue());  // the hash-set form
  EXPECT_FALSE(Same("x.name in p.many").BoolValue());
  EXPECT_TRUE(Same("x.num in p.mixed").BoolValue());  // 2 == 2.0: through the builtin
  EXPECT_TRUE(Same("null in p.mixed").BoolValue());
  EXPECT_TRUE(Same("'a' in p.mixed").BoolValue());
  EXPECT_TRUE(Same("x.missing in p.list").IsError());
  EXPECT_FALSE(Same("x.items in p.list").BoolValue());
  EXPECT_TRUE(Same("x.name in ['a', 'b']").BoolValue());
}

TEST_F(FoldTest, ComparisonsWithAConstant) {
  EXPECT_TRUE(Same("x.name == 'b'").BoolValue());
  EXPECT_FALSE(Same("x.name != 'b'").BoolValue());
  EXPECT_FALSE(Same("x.num == 'b'").BoolValue());  // other types are unequal, not errors
  EXPECT_TRUE(Same("x.num != 'b'").BoolValue());
  EXPECT_TRUE(Same("x.num == 2.0").BoolValue());  // heterogeneous numbers, through Equal
  EXPECT_TRUE(Same("x.num == 2u").BoolValue());
  EXPECT_FALSE(Same("x.labels == null").BoolValue());
  EXPECT_TRUE(Same("x.labels != null").BoolValue());
  EXPECT_TRUE(Same("x.labels == {'aimsgate.io/owner': 'team-a', 'a': 'x'}").BoolValue());
  EXPECT_TRUE(Same("x.items == [1, 2, 3]").BoolValue());
  EXPECT_TRUE(Same("(x.num > 1) == true").BoolValue());
  EXPECT_FALSE(Same("x.name == true").BoolValue());
  EXPECT_EQ(Same("x.missing == 'b'").ErrorMessage(), "no such key: 'missing'");
  EXPECT_TRUE(Same("x.name == p.prefix + 'x'").IsBool());
  EXPECT_TRUE(Same("b'b' != 'b'").BoolValue());  // bytes are not strings
}

TEST_F(FoldTest, ConstantKeysInMapsAndIndexes) {
  EXPECT_TRUE(Same("p.prefix + 'owner' in x.labels").BoolValue());
  EXPECT_FALSE(Same("p.prefix + 'other' in x.labels").BoolValue());
  EXPECT_EQ(Same("x.labels[p.prefix + 'owner']").StringValue(), "team-a");
  EXPECT_EQ(Same("x.labels[p.prefix + 'other']").ErrorMessage(), "no such key: \"aimsgate.io/other\"");
  EXPECT_TRUE(Same("'a' in x.mixed").BoolValue());  // a list: through the builtin
  EXPECT_FALSE(Same("'k3' in {'k1': 1}").BoolValue());
  EXPECT_EQ(Same("{'k1': 1}[p.prefix]").ErrorMessage(), "no such key: \"aimsgate.io/\"");
  EXPECT_EQ(Same("x.map['k2']").IntValue(), 2);
  EXPECT_TRUE(Same("'k' in x.name").IsError());  // no overload, same message
  EXPECT_TRUE(Same("x.name['k']").IsError());
  EXPECT_TRUE(Same("x.missing['k']").IsError());
  EXPECT_TRUE(Same("'k' in x.missing").IsError());
  EXPECT_EQ(Same("optional.of(x.labels)['a']").DebugString(), Same("optional.of('x')").DebugString());
  EXPECT_FALSE(Same("optional.of(x.labels)['zz'].hasValue()").BoolValue());
}

TEST_F(FoldTest, PatternListsAsOneSet) {
  EXPECT_TRUE(Same("p.patterns.exists(q, x.image.matches(q))").BoolValue());
  EXPECT_FALSE(Same("p.patterns.all(q, x.image.matches(q))").BoolValue());
  EXPECT_TRUE(Same("p.digits.all(q, x.digits.matches(q))").BoolValue());
  EXPECT_TRUE(Same("p.digits.all(q, matches(x.digits, q))").BoolValue());
  EXPECT_FALSE(Same("p.patterns.exists(q, 'plain'.matches(q))").BoolValue());
  EXPECT_TRUE(Same("isVllm(x.image)").BoolValue());
  EXPECT_FALSE(Same("p.empty.exists(q, x.image.matches(q))").BoolValue());
  EXPECT_TRUE(Same("p.empty.all(q, x.missing.matches(q))").BoolValue());
  // Not a string, a missing field, an invalid pattern: the loop's own errors.
  EXPECT_TRUE(Same("p.patterns.exists(q, x.num.matches(q))").IsError());
  EXPECT_TRUE(Same("p.patterns.all(q, x.missing.matches(q))").IsError());
  EXPECT_TRUE(Same("p.bad.exists(q, x.digits.matches(q))").IsError());
  EXPECT_TRUE(Same("p.bad.exists(q, 'b'.matches(q))").IsError());
  EXPECT_TRUE(Same("p.bad.exists(q, 'a'.matches(q))").BoolValue());  // true absorbs the error of '('
  EXPECT_FALSE(Same("p.digits.exists(q, x.image.matches(q))").BoolValue());
}

TEST_F(FoldTest, QuantifiersAsLoopsKeepTheMacroSemantics) {
  EXPECT_TRUE(Same("x.items.all(i, i > 0)").BoolValue());
  EXPECT_TRUE(Same("x.items.exists(i, i == 3)").BoolValue());
  EXPECT_FALSE(Same("x.mixed.all(i, i > 0)").BoolValue());  // false wins over the error of 'a' > 0
  EXPECT_TRUE(Same("x.mixed.exists(i, i == 0)").BoolValue());
  EXPECT_TRUE(Same("x.mixed.exists(i, i > 5)").IsError());
  EXPECT_TRUE(Same("x.mixed.all(i, i)").IsError());        // no overload for _&&_ (bool, int)
  EXPECT_TRUE(Same("x.items.exists(i, i)").IsError());
  EXPECT_TRUE(Same("x.items.exists(i, 1 / (i - 1) > 5)").IsError());
  EXPECT_TRUE(Same("x.map.all(k, v, v > 0 && k.startsWith('k'))").BoolValue());
  EXPECT_TRUE(Same("x.items.all(i, v, v > i)").BoolValue());
  EXPECT_TRUE(Same("x.map.exists(k, k == 'k2')").BoolValue());
  EXPECT_TRUE(Same("x.num.all(i, true)").IsError());
  EXPECT_TRUE(Same("x.items.all(i, x.items.exists(j, j > i)) == false").BoolValue());
}

TEST_F(FoldTest, LogicOverConstants) {
  EXPECT_TRUE(Same("!p.flag || x.missing").BoolValue());
  EXPECT_FALSE(Same("p.flag && x.missing").BoolValue());
  EXPECT_TRUE(Same("p.flag || x.missing").IsError());
  EXPECT_EQ(Same("p.flag ? x.missing : x.name").StringValue(), "b");
}

TEST_F(FoldTest, FoldedPlansCostLess) {
  for (const char* e : {"x.labels[p.prefix + 'owner'] == 'team-a'", "x.name in p.many",
                        "p.patterns.exists(q, x.image.matches(q))", "x.items.all(i, i > 0)"}) {
    int64_t folded = 0, plain = 0;
    Eval(folded_, e, &folded);
    Eval(plain_, e, &plain);
    EXPECT_LT(folded, plain) << e;
  }
}

// `has(p.f) && p.f != null` is one node (NotNullGuardNode), and the pair is
// regrouped out of `has(p.f) && p.f != null && rest`.
TEST_F(FoldTest, PresenceGuardsAnswerAndCostAsTheirNodes) {
  const char* kPairs[][2] = {
      {"has(x.labels) && x.labels != null", "has(x.labels) && x.labels != dyn(null)"},
      {"has(x.spec.nil) && x.spec.nil != null", "has(x.spec.nil) && x.spec.nil != dyn(null)"},
      {"has(x.spec.absent) && x.spec.absent != null", "has(x.spec.absent) && x.spec.absent != dyn(null)"},
      {"has(x.spec.model.none) && x.spec.model.none != null",
       "has(x.spec.model.none) && x.spec.model.none != dyn(null)"},
      {"has(x.name.f) && x.name.f != null", "has(x.name.f) && x.name.f != dyn(null)"},          // not an object
      {"has(x.missing.f) && x.missing.f != null", "has(x.missing.f) && x.missing.f != dyn(null)"},  // no such key
      {"has(x.items.f) && x.items.f != null", "has(x.items.f) && x.items.f != dyn(null)"},
      {"x.num > 1 && has(x.labels) && x.labels != null", "x.num > 1 && has(x.labels) && x.labels != dyn(null)"},
      {"has(x.spec.containers) && x.spec.containers != null && size(x.spec.containers) == 1",
       "(has(x.spec.containers) && x.spec.containers != dyn(null)) && size(x.spec.containers) == 1"},
      {"has(x.spec.absent) && x.spec.absent != null && x.missing",
       "(has(x.spec.absent) && x.spec.absent != dyn(null)) && x.missing"},
      {"has(x.spec.nil) && x.spec.nil != null && 1", "(has(x.spec.nil) && x.spec.nil != dyn(null)) && 1"},
      {"has(x.labels) && x.labels != null && 1", "(has(x.labels) && x.labels != dyn(null)) && 1"},
      {"[x.spec, x.spec.model].map(s, has(s.containers) && s.containers != null)",
       "[x.spec, x.spec.model].map(s, has(s.containers) && s.containers != dyn(null))"},
      {"[{'a': null}, {'a': 1}, {}].map(s, has(s.a) && s.a != null)",  // CEL maps: the plain path
       "[{'a': null}, {'a': 1}, {}].map(s, has(s.a) && s.a != dyn(null))"},
      {"[1].exists(s, has(s.a) && s.a != null)", "[1].exists(s, has(s.a) && s.a != dyn(null))"},
      {"has(specOf(x).model) && specOf(x).model != null", "has(specOf(x).model) && specOf(x).model != dyn(null)"},
      {"has(specOf(x).nil) && specOf(x).nil != null", "has(specOf(x).nil) && specOf(x).nil != dyn(null)"},
      {"has(x.labels) && x.spec != null", "has(x.labels) && x.spec != dyn(null)"},  // two fields: not a pair
  };
  for (const auto& pair : kPairs) SameAsTwin(pair[0], pair[1]);
  EXPECT_EQ(Same("specOf(x).model.uri").StringValue(), "s3://m");
}

// `'k' in m && m['k'] != null` (or m.k) is one node too.
TEST_F(FoldTest, KeyGuardsAnswerAndCostAsTheirNodes) {
  const char* kPairs[][2] = {
      {"'model' in x.spec && x.spec['model'] != null", "'model' in x.spec && x.spec['model'] != dyn(null)"},
      {"'model' in x.spec && x.spec.model != null", "'model' in x.spec && x.spec.model != dyn(null)"},
      {"'nil' in x.spec && x.spec.nil != null", "'nil' in x.spec && x.spec.nil != dyn(null)"},
      {"'absent' in x.spec && x.spec.absent != null", "'absent' in x.spec && x.spec.absent != dyn(null)"},
      {"p.prefix + 'owner' in x.labels && x.labels[p.prefix + 'owner'] != null",
       "p.prefix + 'owner' in x.labels && x.labels[p.prefix + 'owner'] != dyn(null)"},
      {"'k' in x.name && x.name['k'] != null", "'k' in x.name && x.name['k'] != dyn(null)"},
      {"'k' in x.missing && x.missing['k'] != null", "'k' in x.missing && x.missing['k'] != dyn(null)"},
      {"'a' in x.mixed && x.mixed['a'] != null", "'a' in x.mixed && x.mixed['a'] != dyn(null)"},
      {"'k1' in {'k1': null} && {'k1': null}['k1'] != null", "'k1' in {'k1': null} && {'k1': null}['k1'] != dyn(null)"},
      {"[x.spec, x.spec.model, {'uri': 1}].map(m, 'uri' in m && m.uri != null)",
       "[x.spec, x.spec.model, {'uri': 1}].map(m, 'uri' in m && m.uri != dyn(null))"},
      {"[x.spec.model].exists(m, 'none' in m && m['none'] != null)",
       "[x.spec.model].exists(m, 'none' in m && m['none'] != dyn(null))"},
      {"'containers' in specOf(x) && specOf(x).containers != null",
       "'containers' in specOf(x) && specOf(x).containers != dyn(null)"},
      {"'uri' in x.spec.model && x.spec.model.uri != null", "'uri' in x.spec.model && x.spec.model.uri != dyn(null)"},
      {"'model' in x.spec && x.spec.model != null && x.spec.model.uri == 's3://m'",
       "('model' in x.spec && x.spec.model != dyn(null)) && x.spec.model.uri == 's3://m'"},
      {"'model' in x.spec && x.labels['model'] != null", "'model' in x.spec && x.labels['model'] != dyn(null)"},
  };
  for (const auto& pair : kPairs) SameAsTwin(pair[0], pair[1]);
  EXPECT_EQ(Same("strAt(x.spec.model, 'uri') + strAt(x.spec.model, 'none') + strAt(x.spec, 'absent')").StringValue(),
            "s3://m");
  EXPECT_TRUE(Same("strAt(x.name, 'uri')").IsError());
}

TEST_F(FoldTest, HelperCallsOnTheActivationShareOneSlot) {
  aimsgate::JsonDocument other;
  other.Parse(R"({"labels": {"aimsgate.io/owner": "team-b"}})");
  CompileResult r = folded_.env->Compile("label(x, 'owner')");
  ASSERT_TRUE(r.ok());
  Activation act(*folded_.env);
  act.Set(folded_.x, Value::Json(object_));
  EvalState state;
  EXPECT_EQ(r.program->Evaluate(act, &state).StringValue(), "team-a");
  const int64_t first = Program::LastCost(state);
  EXPECT_EQ(r.program->Evaluate(act, &state).StringValue(), "team-a");
  EXPECT_LT(Program::LastCost(state), first);  // answered from the memo
  act.Set(folded_.x, Value::Json(other));      // a new object: recomputed
  EXPECT_EQ(r.program->Evaluate(act, &state).StringValue(), "team-b");
}

}  // namespace
}  // namespace aimsgate::cel
