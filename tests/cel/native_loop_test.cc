// The folded plan's native shapes (nodes.h: MapLoopNode for map() and
// filter(), the truth path of booleans, NotNode) against the generic plan of
// the same expression (Limits::fold off: the macro expansion walked node by
// node): the same value or error message, the same cost, the same outcome at
// every cost limit up to that cost, and the same list-size and iteration
// limit errors.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {
namespace {

// No constant lists: their folding alone would make the folded plan cheaper.
constexpr const char* kObject = R"({
  "items": [1, 2, 3, 4], "mixed": [1, "a", 0, 2.5, null], "none": [],
  "flags": [true, false, true], "names": ["a", "bb", "ccc"],
  "map": {"k1": 1, "k2": 2, "k3": 3}, "num": 2,
  "nested": [[1, 2], [], [3]],
  "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b"}, {"name": "c", "image": "y"}]}})";

struct Outcome {
  std::string shown;  // DebugString, or the error message
  int64_t cost = 0;
};

class NativeLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    object_.Parse(kObject);
    ASSERT_FALSE(object_.HasParseError());
  }
  Outcome Run(const std::string& expr, Limits limits) {
    Env env(limits);
    const int x = env.DeclareVariable("x");
    CompileResult r = env.Compile(expr);
    if (!r.ok()) return {"compile: " + r.diagnostics.at(0).message, -1};
    Activation act(env);
    act.Set(x, Value::Json(object_));
    EvalState state;
    Value v = r.program->Evaluate(act, &state);
    return {v.IsError() ? "error: " + v.ErrorMessage() : v.DebugString(), Program::LastCost(state)};
  }
  // Folded and generic agree on the value; with `same_cost`, on the cost too,
  // and on the outcome at every cost limit below it.
  void SameAsGeneric(const std::string& expr, Limits limits = Limits(), bool same_cost = true) {
    limits.fold = true;
    const Outcome folded = Run(expr, limits);
    limits.fold = false;
    const Outcome generic = Run(expr, limits);
    EXPECT_EQ(folded.shown, generic.shown) << expr;
    if (!same_cost) return;
    EXPECT_EQ(folded.cost, generic.cost) << expr;
    for (int64_t limit = 1; limit <= generic.cost; ++limit) {
      limits.cost_limit = limit;
      limits.fold = true;
      const std::string f = Run(expr, limits).shown;
      limits.fold = false;
      EXPECT_EQ(f, Run(expr, limits).shown) << expr << " at cost limit " << limit;
    }
  }
  // The folded plan's cost is exact: its value within that budget, the budget
  // error one unit below it.
  void BudgetIsExact(const std::string& expr) {
    const Outcome full = Run(expr, Limits());
    Limits limits;
    limits.cost_limit = full.cost;
    EXPECT_EQ(Run(expr, limits).shown, full.shown) << expr;
    limits.cost_limit = full.cost - 1;
    EXPECT_EQ(Run(expr, limits).shown.rfind("error: cost budget exceeded", 0), 0u) << expr;
  }

  aimsgate::JsonDocument object_;
};

TEST_F(NativeLoopTest, MapAndFilterCostWhatTheirExpansionCosts) {
  for (const char* e : {
           "x.items.map(i, i * 2)",
           "x.items.filter(i, i > 2)",
           "x.items.map(i, i % 2 == 0, i * 10)",
           "x.none.map(i, i)",
           "x.none.filter(i, i > 0)",
           "x.map.map(k, k + '!')",
           "x.map.filter(k, x.map[k] >= 2)",
           "x.names.map(s, size(s))",
           "x.flags.filter(f, f)",
           "x.spec.containers.filter(c, has(c.image)).map(c, c.image)",
           "x.spec.containers.map(c, c.name).filter(n, n != 'b')",
           "x.nested.map(l, l.map(i, i + 1))",
           "x.items.map(i, x.items.filter(j, j < i))",
           "size(x.items.filter(i, i > 1)) == 3",
           "x.items.transformList(i, v, i + v)",
       }) {
    SameAsGeneric(e);
  }
}

TEST_F(NativeLoopTest, ErrorsBecomeTheAccumulatorAndTheLastOneWins) {
  for (const char* e : {
           "x.mixed.map(i, i + 1)",                         // int + string fails, later steps still run
           "x.mixed.map(i, 10 / i)",                        // division by zero, after a no-overload
           "x.mixed.filter(i, i > 0)",                      // the condition fails
           "x.mixed.filter(i, i)",                          // a non-boolean condition: no overload for _?_:_
           "x.items.map(i, i == 2 ? x.missing : i)",        // one error in the middle
           "x.items.map(i, i > 1, x.items[i])",             // index out of range at the end
           "x.items.filter(i, i > 3 ? x.missing : true)",   // the condition's error after kept elements
           "x.missing.map(i, i)",                           // the range fails
           "x.num.map(i, i)",                               // not a range
           "x.num.filter(i, true)",
           "x.mixed.map(i, i + 1).size() > 0 || true",      // an error under ||
       }) {
    SameAsGeneric(e);
  }
}

TEST_F(NativeLoopTest, LimitsOnListsAndIterationsHoldTheSame) {
  Limits small_lists;
  small_lists.max_list_size = 3;
  // Past a limit the evaluation is over: the cost spent is not compared.
  SameAsGeneric("x.items.map(i, i)", small_lists, false);
  SameAsGeneric("x.items.filter(i, i > 1)", small_lists);
  SameAsGeneric("x.items.filter(i, i > 0)", small_lists, false);
  EXPECT_EQ(Run("x.items.map(i, i)", small_lists).shown, "error: list size limit exceeded: 4 elements");
  // Once the accumulator is an error, nothing is appended: no list to outgrow the limit.
  Limits two_elements;
  two_elements.max_list_size = 2;
  SameAsGeneric("x.mixed.map(i, i + 1)", two_elements);
  EXPECT_EQ(Run("x.mixed.map(i, i + 1)", two_elements).shown,
            "error: found no matching overload for '_+_' applied to (null_type, int)");  // the last error

  Limits few_iterations;
  few_iterations.max_comprehension_iterations = 6;
  SameAsGeneric("x.items.map(i, i)", few_iterations);
  SameAsGeneric("x.items.map(i, x.names.filter(s, size(s) > 1))", few_iterations, false);
  EXPECT_EQ(Run("x.items.map(i, x.names.map(s, s))", few_iterations).shown,
            "error: comprehension iteration limit exceeded: more than 6 iterations");
}

TEST_F(NativeLoopTest, BooleansThroughTheTruthPath) {
  for (const char* e : {
           "!(x.num > 1) || has(x.spec.containers)",
           "!x.num",                                   // no overload for !_
           "!x.missing",                               // the error passes through
           "x.flags.all(f, f) || x.flags.exists(f, !f)",
           "x.mixed.all(i, i > 0)",                    // errors and no-overloads inside all()
           "x.mixed.exists(i, i)",
           "x.num > 1 && x.missing",                   // error on the right
           "x.missing && false",                       // error on the left, decisive right
           "x.num && x.names",                         // neither is a boolean
           "has(x.num.a) || true",                     // has() on a number fails, || absorbs it
           "has(x.num.a)",
           "has(x.spec.containers) ? x.num : x.missing",
           "x.num ? 1 : 2",                            // a non-boolean condition
           "x.spec.containers.exists(c, has(c.image) && c.image == 'y')",
           "!has(x.spec.nothing) && 'k1' in x.map && !('k9' in x.map)",
           // Comparisons with a constant: ints inline, the rest through the builtin.
           "x.num > 1 && x.num >= 2 && !(x.num < 2) && x.num <= 2",
           "1 < x.num && 2 <= x.num && !(3 > x.num == false) && 2 >= x.num",
           "x.num < 2.5 && x.num > 1u && 2.5 > x.num",  // int against double and uint
           "x.names[0] < 'b' && 'bb' <= x.names[1]",
           "x.num > 'a'",                                 // no overload
           "x.missing > 1",                               // the error passes through
           "x.items.filter(i, i >= 2).map(i, 10 > i)",
       }) {
    // all() and exists() are native loops folded, charged less than their expansion.
    const bool quantifier = std::string(e).find(".all(") != std::string::npos ||
                            std::string(e).find(".exists(") != std::string::npos;
    SameAsGeneric(e, Limits(), !quantifier);
    BudgetIsExact(e);
  }
}

}  // namespace
}  // namespace aimsgate::cel
