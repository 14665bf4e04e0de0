// Grammar: precedence, associativity, member and primary forms, optional
// syntax, message construction, reserved words, syntax errors and offsets.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "evaluator/cel/parser/expr_factory.h"
#include "tests/cel_parser/parse_util.h"

namespace aimsgate::cel::testing {
namespace {

struct Case {
  const char* source;
  const char* want;  // DebugString, or "error@<offset>: <message>"
};

class GrammarTest : public ::testing::TestWithParam<Case> {};

TEST_P(GrammarTest, Parses) {
  const Case& c = GetParam();
  EXPECT_EQ(Dump(c.source), c.want) << "source: " << c.source;
}

const Case kPrecedence[] = {
    {"a.b + 1 > 2 && x in ['y']", "(_&&_ (_>_ (_+_ (. a b) 1) 2) (@in x [\"y\"]))"},
    {"a || b && c", "(_||_ a (_&&_ b c))"},
    {"a && b || c", "(_||_ (_&&_ a b) c)"},
    {"a == b && c != d", "(_&&_ (_==_ a b) (_!=_ c d))"},
    {"a < b == c", "(_==_ (_<_ a b) c)"},
    {"a + b < c * d", "(_<_ (_+_ a b) (_*_ c d))"},
    {"a + b * c", "(_+_ a (_*_ b c))"},
    {"(a + b) * c", "(_*_ (_+_ a b) c)"},
    {"a * b + c % d - e / f", "(_-_ (_+_ (_*_ a b) (_%_ c d)) (_/_ e f))"},
    {"!a && b", "(_&&_ (!_ a) b)"},
    {"!a.b", "(!_ (. a b))"},
    {"-a.b()", "(-_ (.b a))"},
    {"-a * b", "(_*_ (-_ a) b)"},
    {"!!a", "(!_ (!_ a))"},
    {"a ? b : c", "(_?_:_ a b c)"},
    {"a || b ? c && d : e", "(_?_:_ (_||_ a b) (_&&_ c d) e)"},
    {"x in [1] == true", "(_==_ (@in x [1]) true)"},
    {"a <= b >= c", "(_>=_ (_<=_ a b) c)"},
};
INSTANTIATE_TEST_SUITE_P(Precedence, GrammarTest, ::testing::ValuesIn(kPrecedence));

const Case kAssociativity[] = {
    {"a - b - c", "(_-_ (_-_ a b) c)"},
    {"a / b / c", "(_/_ (_/_ a b) c)"},
    {"a < b < c", "(_<_ (_<_ a b) c)"},
    {"a ? b : c ? d : e", "(_?_:_ a b (_?_:_ c d e))"},
    // The middle operand is a ConditionalOr in the grammar: nest with parentheses.
    {"a ? b ? c : d : e", "error@6: Syntax error: mismatched input '?' expecting ':'"},
    {"a ? (b ? c : d) : e", "(_?_:_ a (_?_:_ b c d) e)"},
    // && and || chains are balanced like cel-go (same truth table, log height).
    {"a && b && c", "(_&&_ a (_&&_ b c))"},
    {"a && b && c && d", "(_&&_ (_&&_ a b) (_&&_ c d))"},
    {"a || b || c || d || e", "(_||_ (_||_ a b) (_||_ c (_||_ d e)))"},
    {"a.b.c", "(. (. a b) c)"},
    {"a[0][1]", "(_[_] (_[_] a 0) 1)"},
    {"a.f().g(1)", "(.g (.f a) 1)"},
};
INSTANTIATE_TEST_SUITE_P(Associativity, GrammarTest, ::testing::ValuesIn(kAssociativity));

const Case kPrimary[] = {
    {"a", "a"},
    {"_a1", "_a1"},
    {".a", ".a"},
    {".a.b", "(. .a b)"},
    {"f()", "(f)"},
    {"f(1, 2)", "(f 1 2)"},
    {".f(1)", "(global .f 1)"},
    {"a.f()", "(.f a)"},
    {"math.ceil(1.5)", "(.ceil math 1.5)"},
    {"(a)", "a"},
    {"((((a))))", "a"},
    {"[]", "[]"},
    {"[1, 2, 3]", "[1, 2, 3]"},
    {"[1, 2,]", "[1, 2]"},
    {"[[1], []]", "[[1], []]"},
    {"{}", "{}"},
    {"{'a': 1, 2: b}", "{\"a\": 1, 2: b}"},
    {"{'a': 1,}", "{\"a\": 1}"},
    {"{a: {b: c}}", "{a: {b: c}}"},
    {"Msg{}", "(new Msg {})"},
    {"pkg.Msg{f: 1, g: 'x'}", "(new pkg.Msg {f: 1, g: \"x\"})"},
    {"pkg.Msg{f: 1,}", "(new pkg.Msg {f: 1})"},
    {".pkg.Msg{f: 1}", "(new .pkg.Msg {f: 1})"},
    {"Msg{`a-b`: 1}", "(new Msg {a-b: 1})"},
    {"Msg{f: 1}.f", "(. (new Msg {f: 1}) f)"},
    {"a[1 + 2]", "(_[_] a (_+_ 1 2))"},
    {"{'a': 1}.`a`", "(. {\"a\": 1} a)"},
    {"m.`content-type`", "(. m content-type)"},
    {"m.`foo.txt`", "(. m foo.txt)"},
    {"m.`a b/c`", "(. m a b/c)"},
    {"[1,2][0]", "(_[_] [1, 2] 0)"},
    {"'abc'.size()", "(.size \"abc\")"},
    {"size('abc')", "(size \"abc\")"},
    {"type(1) == int", "(_==_ (type 1) int)"},
};
INSTANTIATE_TEST_SUITE_P(Primary, GrammarTest, ::testing::ValuesIn(kPrimary));

const Case kOptional[] = {
    {"a.?b", "(_?._ a \"b\")"},
    {"a.?b.c", "(. (_?._ a \"b\") c)"},
    {"a[?0]", "(_[?_] a 0)"},
    {"a.?`b-c`", "(_?._ a \"b-c\")"},
    {"[?a, b]", "[?a, b]"},
    {"[a, ?b, ?c]", "[a, ?b, ?c]"},
    {"{?'k': v, 'j': w}", "{?\"k\": v, \"j\": w}"},
    {"Msg{?f: v}", "(new Msg {?f: v})"},
    {"a.? b", "(_?._ a \"b\")"},
    {"a.?b()", "error@4: Syntax error: mismatched input '(' expecting <EOF>"},
};
INSTANTIATE_TEST_SUITE_P(Optional, GrammarTest, ::testing::ValuesIn(kOptional));

const Case kReserved[] = {
    {"as", "error@0: reserved identifier: as"},
    {"if(x)", "error@0: reserved identifier: if"},
    {"a + while", "error@4: reserved identifier: while"},
    {".import", "error@1: reserved identifier: import"},
    {"[namespace]", "error@1: reserved identifier: namespace"},
    // After a dot, reserved words are field and function names.
    {"a.if", "(. a if)"},
    {"a.return()", "(.return a)"},
    {"{'var': 1}.var", "(. {\"var\": 1} var)"},
    // true, false, null and in are keywords everywhere.
    {"a.true", "error@2: Syntax error: mismatched input 'true' expecting IDENTIFIER"},
    {"in", "error@0: Syntax error: mismatched input 'in' expecting {'[', '{', '(', '.', '-', "
           "'!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, "
           "IDENTIFIER}"},
    {"null(1)", "error@4: Syntax error: mismatched input '(' expecting <EOF>"},
    // Identifiers that only contain a reserved word are fine.
    {"iff + as_ + for2", "(_+_ (_+_ iff as_) for2)"},
};
INSTANTIATE_TEST_SUITE_P(Reserved, GrammarTest, ::testing::ValuesIn(kReserved));

constexpr char kExpecting[] =
    "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
    "STRING, BYTES, IDENTIFIER}";

TEST(SyntaxErrorTest, MismatchedInputNamesTokenAndOffset) {
  EXPECT_EQ(Dump("a + + b"),
            std::string("error@4: Syntax error: mismatched input '+' expecting ") + kExpecting);
  EXPECT_EQ(Dump("a b"), "error@2: Syntax error: mismatched input 'b' expecting <EOF>");
  EXPECT_EQ(Dump("(a"), "error@2: Syntax error: mismatched input '<EOF>' expecting ')'");
  EXPECT_EQ(Dump("f(a b)"), "error@4: Syntax error: mismatched input 'b' expecting {')', ','}");
  EXPECT_EQ(Dump("f(a,)"),
            std::string("error@4: Syntax error: mismatched input ')' expecting ") + kExpecting);
  EXPECT_EQ(Dump("[1 2]"), "error@3: Syntax error: mismatched input '2' expecting {']', ','}");
  EXPECT_EQ(Dump("[,]"),
            std::string("error@1: Syntax error: mismatched input ',' expecting ") + kExpecting);
  EXPECT_EQ(Dump("{1 2}"), "error@3: Syntax error: mismatched input '2' expecting ':'");
  EXPECT_EQ(Dump("{1: 2 3: 4}"),
            "error@6: Syntax error: mismatched input '3' expecting {'}', ','}");
  EXPECT_EQ(Dump("a ? b"), "error@5: Syntax error: mismatched input '<EOF>' expecting ':'");
  EXPECT_EQ(Dump("a[1"), "error@3: Syntax error: mismatched input '<EOF>' expecting ']'");
  EXPECT_EQ(Dump("a."), "error@2: Syntax error: mismatched input '<EOF>' expecting IDENTIFIER");
  EXPECT_EQ(Dump("a.1"), "error@1: Syntax error: mismatched input '.1' expecting <EOF>");
  EXPECT_EQ(Dump("Msg{1: 2}"), "error@4: Syntax error: mismatched input '1' expecting IDENTIFIER");
  EXPECT_EQ(Dump("Msg{f 2}"), "error@6: Syntax error: mismatched input '2' expecting ':'");
  EXPECT_EQ(Dump("a.`b`()"), "error@5: Syntax error: mismatched input '(' expecting <EOF>");
  EXPECT_EQ(Dump("!-a"),
            std::string("error@1: Syntax error: mismatched input '-' expecting ") + kExpecting);
  EXPECT_EQ(Dump("f(a)(b)"), "error@4: Syntax error: mismatched input '(' expecting <EOF>");
  EXPECT_EQ(Dump("(a)(b)"), "error@3: Syntax error: mismatched input '(' expecting <EOF>");
  EXPECT_EQ(Dump("a.b{c: 1}"), "(new a.b {c: 1})");
  EXPECT_EQ(Dump("a[0]{c: 1}"), "error@4: Syntax error: mismatched input '{' expecting <EOF>");
  EXPECT_EQ(Dump("`a`"), std::string("error@0: Syntax error: mismatched input '`a`' expecting ") +
                             kExpecting);
  EXPECT_EQ(Dump("a.`b"),
            "error@2: Syntax error: unterminated or invalid quoted identifier (allowed: letters, "
            "digits, '_', '.', '-', '/', ' ')");
  EXPECT_EQ(Dump("a.``"), "error@2: Syntax error: empty quoted identifier");
}

TEST(SyntaxErrorTest, LongTokensAreShortenedInMessages) {
  const std::string s = "a '" + std::string(100, 'x') + "'";
  EXPECT_EQ(Dump(s), "error@2: Syntax error: mismatched input '" + std::string("'") +
                         std::string(39, 'x') + "...' expecting <EOF>");
}

TEST(OptionalSyntaxTest, DisabledOptionalSyntaxIsAnError) {
  ParseOptions opts;
  opts.enable_optional_syntax = false;
  EXPECT_EQ(Dump("a.?b", opts), "error@2: unsupported syntax '.?'");
  EXPECT_EQ(Dump("a[?b]", opts), "error@2: unsupported syntax '[?'");
  EXPECT_EQ(Dump("[?a]", opts), "error@1: unsupported syntax '?'");
  EXPECT_EQ(Dump("{?a: b}", opts), "error@1: unsupported syntax '?'");
  EXPECT_EQ(Dump("M{?a: b}", opts), "error@2: unsupported syntax '?'");
  EXPECT_EQ(Dump("a ? b : c", opts), "(_?_:_ a b c)");
}

TEST(AstTest, IdsAreUniqueAndIncreasingOffsetsPointAtFirstCharacter) {
  ParseResult r = Parse("a + b.c");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(DebugStringWithPositions(*r.expr), "(_+_#4@0 a#1@0 (.#3@4 b#2@4 c))");
}

TEST(AstTest, OpOffsetPointsAtOperators) {
  ParseResult r = Parse("a + b.c[0].f(x) && !y");
  ASSERT_TRUE(r.ok());
  const Expr& root = *r.expr;  // _&&_
  EXPECT_EQ(root.op_offset, 16);
  const Expr& plus = *root.call.args[0];
  EXPECT_EQ(plus.call.function, "_+_");
  EXPECT_EQ(plus.offset, 0);
  EXPECT_EQ(plus.op_offset, 2);
  const Expr& call_f = *plus.call.args[1];
  EXPECT_EQ(call_f.call.function, "f");
  EXPECT_EQ(call_f.offset, 4);
  EXPECT_EQ(call_f.op_offset, 12);  // '('
  const Expr& index = *call_f.call.target;
  EXPECT_EQ(index.op_offset, 7);  // '['
  const Expr& select = *index.call.args[0];
  EXPECT_EQ(select.op_offset, 5);  // '.'
  const Expr& not_y = *root.call.args[1];
  EXPECT_EQ(not_y.offset, 19);
  EXPECT_EQ(not_y.op_offset, 19);
  EXPECT_EQ(not_y.call.args[0]->op_offset, 20);  // leaves: same as offset
}

// Collects every id and checks that each is unique and that all offsets fall
// inside the source.
void CollectIds(const Expr& e, size_t source_size, std::set<int64_t>* ids) {
  EXPECT_TRUE(ids->insert(e.id).second) << "duplicate id " << e.id;
  EXPECT_GE(e.offset, 0);
  EXPECT_LE(static_cast<size_t>(e.offset), source_size);
  parser::ForEachChild(e, [&](const Expr& c) { CollectIds(c, source_size, ids); });
}

TEST(AstTest, MacroExpansionsKeepIdsUnique) {
  const std::string src =
      "[1, 2].map(x, x * 2).exists(y, y > 2) && has(a.b) && o.optMap(v, v + 1) != "
      "cel.bind(z, 3, z)";
  ParseResult r = Parse(src);
  ASSERT_TRUE(r.ok()) << r.diagnostics[0].message;
  std::set<int64_t> ids;
  CollectIds(*r.expr, src.size(), &ids);
  EXPECT_GT(ids.size(), 30u);
  EXPECT_EQ(*ids.begin(), 1);
}

}  // namespace
}  // namespace aimsgate::cel::testing
