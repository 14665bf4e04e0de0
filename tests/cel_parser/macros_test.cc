// Macro expansion: the exact comprehension shapes the evaluator relies on,
// and the errors for malformed macro calls.
#include <gtest/gtest.h>

#include <string>

#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

struct Case {
  const char* source;
  const char* want;
};

class MacroTest : public ::testing::TestWithParam<Case> {};

TEST_P(MacroTest, Expands) {
  const Case& c = GetParam();
  EXPECT_EQ(Dump(c.source), c.want) << "source: " << c.source;
}

// (fold iter_var[,iter_var2] range accu init cond step result)
const Case kMacros[] = {
    {"has(a.b)", "(has a b)"},
    {"has(a.b.c)", "(has (. a b) c)"},
    {"has(m.`content-type`)", "(has m content-type)"},
    {"has({}.?x.y)", "(has (_?._ {} \"x\") y)"},
    {"l.all(x, x > 0)",
     "(fold x l @result true (@not_strictly_false @result) (_&&_ @result (_>_ x 0)) @result)"},
    {"l.exists(x, x > 0)",
     "(fold x l @result false (@not_strictly_false (!_ @result)) (_||_ @result (_>_ x 0)) "
     "@result)"},
    {"l.exists_one(x, x > 0)",
     "(fold x l @result 0 true (_?_:_ (_>_ x 0) (_+_ @result 1) @result) (_==_ @result 1))"},
    {"l.map(x, x * 2)", "(fold x l @result [] true (_+_ @result [(_*_ x 2)]) @result)"},
    {"l.map(x, x > 1, x * 2)",
     "(fold x l @result [] true (_?_:_ (_>_ x 1) (_+_ @result [(_*_ x 2)]) @result) @result)"},
    {"l.filter(x, x > 1)",
     "(fold x l @result [] true (_?_:_ (_>_ x 1) (_+_ @result [x]) @result) @result)"},
    {"m.all(k, v, v > k)",
     "(fold k,v m @result true (@not_strictly_false @result) (_&&_ @result (_>_ v k)) "
     "@result)"},
    {"m.exists(k, v, v > k)",
     "(fold k,v m @result false (@not_strictly_false (!_ @result)) (_||_ @result (_>_ v k)) "
     "@result)"},
    {"m.existsOne(k, v, v)",
     "(fold k,v m @result 0 true (_?_:_ v (_+_ @result 1) @result) (_==_ @result 1))"},
    {"m.exists_one(k, v, v)",
     "(fold k,v m @result 0 true (_?_:_ v (_+_ @result 1) @result) (_==_ @result 1))"},
    {"l.transformList(i, v, v * i)",
     "(fold i,v l @result [] true (_+_ @result [(_*_ v i)]) @result)"},
    {"l.transformList(i, v, i > 0, v)",
     "(fold i,v l @result [] true (_?_:_ (_>_ i 0) (_+_ @result [v]) @result) @result)"},
    {"m.transformMap(k, v, v + 1)",
     "(fold k,v m @result {} true (cel.@mapInsert @result k (_+_ v 1)) @result)"},
    {"m.transformMap(k, v, v > 0, v)",
     "(fold k,v m @result {} true (_?_:_ (_>_ v 0) (cel.@mapInsert @result k v) @result) "
     "@result)"},
    {"m.transformMapEntry(k, v, {v: k})",
     "(fold k,v m @result {} true (cel.@mapInsert @result {v: k}) @result)"},
    {"cel.bind(x, 1 + 1, x * x)", "(fold #unused [] x (_+_ 1 1) false x (_*_ x x))"},
    {"o.optMap(v, v + 1)",
     "(_?_:_ (.hasValue o) (.of optional (fold #unused [] v (.value o) false v (_+_ v 1))) "
     "(.none optional))"},
    {"o.optFlatMap(v, v.?x)",
     "(_?_:_ (.hasValue o) (fold #unused [] v (.value o) false v (_?._ v \"x\")) "
     "(.none optional))"},
    // Nested macros and macros on expressions.
    {"[1, 2].all(x, [3].exists(y, x < y))",
     "(fold x [1, 2] @result true (@not_strictly_false @result) (_&&_ @result (fold y [3] "
     "@result false (@not_strictly_false (!_ @result)) (_||_ @result (_<_ x y)) @result)) "
     "@result)"},
    // Not macros: wrong arity, wrong receiver, or a global form.
    {"has(a.b, c)", "(has (. a b) c)"},
    {"a.has(b.c)", "(.has a (. b c))"},
    {"all(l, x, p)", "(all l x p)"},
    {"l.all(x)", "(.all l x)"},
    {"l.map(x)", "(.map l x)"},
    {"l.filter(x, y, z)", "(.filter l x y z)"},
    {"foo.bind(x, 1, x)", "(.bind foo x 1 x)"},
    {"l.transformList(i, v)", "(.transformList l i v)"},
    {"x.existsOne(v, p)", "(fold v x @result 0 true (_?_:_ p (_+_ @result 1) @result) (_==_ @result 1))"},
    {"x.existsOne(v)", "(.existsOne x v)"},
};
INSTANTIATE_TEST_SUITE_P(Shapes, MacroTest, ::testing::ValuesIn(kMacros));

const Case kMacroErrors[] = {
    {"has(a)", "error@4: invalid argument to has() macro"},
    {"has(a[0])", "error@4: invalid argument to has() macro"},
    {"has(a.f())", "error@4: invalid argument to has() macro"},
    {"has(a.?b)", "error@4: invalid argument to has() macro"},
    {"has(1)", "error@4: invalid argument to has() macro"},
    {"has(has(a.b))", "error@4: invalid argument to has() macro"},
    {"l.all(x.y, true)", "error@6: argument must be a simple name"},
    {"l.exists(1, true)", "error@9: argument must be a simple name"},
    {"l.map(f(x), x)", "error@6: argument must be a simple name"},
    {"l.filter(.x, x)", "error@9: argument must be a simple name"},
    {"m.all(k, v.w, true)", "error@9: argument must be a simple name"},
    {"m.all(k, k, true)", "error@9: duplicate variable name in comprehension"},
    {"cel.bind(a.b, 1, 2)", "error@9: argument must be a simple name"},
    {"o.optMap('v', 1)", "error@9: argument must be a simple name"},
    {"x + l.all(1, true)", "error@10: argument must be a simple name"},
};
INSTANTIATE_TEST_SUITE_P(Errors, MacroTest, ::testing::ValuesIn(kMacroErrors));

TEST(MacroPositionsTest, ExpansionNodesPointAtTheCall) {
  ParseResult r = Parse("x && l.all(e, e > 0)");
  ASSERT_TRUE(r.ok());
  const Expr& fold = *r.expr->call.args[1];
  ASSERT_EQ(fold.kind, Expr::Kind::kComprehension);
  EXPECT_EQ(fold.offset, 5);
  EXPECT_EQ(fold.comprehension.iter_var, "e");
  EXPECT_TRUE(fold.comprehension.iter_var2.empty());
  EXPECT_EQ(fold.comprehension.accu_var, "@result");
  EXPECT_EQ(fold.comprehension.iter_range->offset, 5);
  // The predicate keeps its own position.
  const Expr& step = *fold.comprehension.loop_step;
  EXPECT_EQ(step.call.args[1]->offset, 14);
}

TEST(MacroPositionsTest, HasKeepsOperandAndField) {
  ParseResult r = Parse("has(object.metadata.labels)");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.expr->kind, Expr::Kind::kSelect);
  EXPECT_TRUE(r.expr->select.test_only);
  EXPECT_EQ(r.expr->select.field, "labels");
  EXPECT_EQ(r.expr->offset, 0);
  ASSERT_EQ(r.expr->select.operand->kind, Expr::Kind::kSelect);
  EXPECT_FALSE(r.expr->select.operand->select.test_only);
  EXPECT_EQ(DebugString(*r.expr->select.operand), "(. object metadata)");
}

}  // namespace
}  // namespace aimsgate::cel::testing
