// The constant patterns of an Env (regex_cache.h, PatternTable): one compiled
// RE2 and one match-memo id per distinct pattern or pattern list, shared by
// every node that matches it, with the limits and errors of a pattern compiled
// on its own.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/cel/regex_cache.h"

namespace aimsgate::cel {
namespace {

TEST(PatternTableTest, OneCompiledRegexPerDistinctPattern) {
  PatternTable table(8 << 20, 10000);
  PatternTable::Regex a = table.Get("@sha256:[0-9a-f]{64}$"), b = table.Get("@sha256:[0-9a-f]{64}$");
  PatternTable::Regex c = table.Get(":latest$");
  ASSERT_TRUE(a.re && c.re);
  EXPECT_EQ(a.re.get(), b.re.get());
  EXPECT_EQ(a.memo_id, b.memo_id);
  EXPECT_NE(a.re.get(), c.re.get());
  EXPECT_NE(a.memo_id, c.memo_id);
  EXPECT_TRUE(a.error.empty());
  // Another table (another pack, or the same pack reloaded) compiles its own,
  // under ids never used before: the memo of a worker cannot mix them up.
  PatternTable other(8 << 20, 10000);
  PatternTable::Regex d = other.Get("@sha256:[0-9a-f]{64}$");
  EXPECT_NE(d.re.get(), a.re.get());
  EXPECT_NE(d.memo_id, a.memo_id);
}

TEST(PatternTableTest, InvalidAndOversizedPatternsKeepTheirErrors) {
  PatternTable table(8 << 20, 50);
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the table
    PatternTable::Regex bad = table.Get("a(b");
    EXPECT_EQ(bad.re, nullptr);
    EXPECT_NE(bad.error.find("invalid regular expression 'a(b'"), std::string::npos) << bad.error;
    PatternTable::Regex big = table.Get("(abc|def){20}");
    EXPECT_EQ(big.re, nullptr);
    EXPECT_NE(big.error.find("too complex"), std::string::npos) << big.error;
  }
}

TEST(PatternTableTest, OneSetPerDistinctListInOrder) {
  PatternTable table(8 << 20, 10000);
  const std::vector<std::string_view> ab = {"^a", "^b"}, ba = {"^b", "^a"};
  PatternTable::Set s1 = table.GetSet(ab), s2 = table.GetSet(ab), s3 = table.GetSet(ba);
  ASSERT_TRUE(s1.set && s3.set);
  EXPECT_EQ(s1.set.get(), s2.set.get());
  EXPECT_EQ(s1.memo_id_exists, s2.memo_id_exists);
  EXPECT_NE(s1.set.get(), s3.set.get());
  EXPECT_NE(s1.memo_id_exists, s1.memo_id_all);
  // A list is not confused with one pattern that spells the same bytes.
  EXPECT_NE(table.GetSet({"^a^b"}).set.get(), s1.set.get());
  EXPECT_EQ(table.GetSet({"^a", "a(b"}).set, nullptr);
  EXPECT_EQ(table.GetSet({}).set, nullptr);
}

// Nodes of one Env that match the same pattern share the memo's answers, and
// exists() and all() over the same list keep theirs apart: evaluated in both
// orders on one state, each still gives RE2's answer.
TEST(PatternTableTest, NodesOfOnePatternShareAnswersAndQuantifiersKeepTheirOwn) {
  Env env;
  const int s = env.DeclareVariable("s");
  auto compile = [&](const std::string& expr) {
    CompileResult r = env.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    return r.program;
  };
  auto one = compile("s.matches('^ghcr')");
  auto same = compile("s.matches('^ghcr') && true");
  auto any = compile("['^ghcr', 'vllm'].exists(p, s.matches(p))");
  auto every = compile("['^ghcr', 'vllm'].all(p, s.matches(p))");
  EvalState state;
  auto eval = [&](const Program& p, const std::string& subject) {
    Activation act(env);
    act.Set(s, Value::String(subject));
    return p.Evaluate(act, &state);
  };
  for (int round = 0; round < 2; ++round) {
    for (const std::string subject : {"ghcr.io/org/app", "docker.io/vllm/vllm-openai", "ghcr.io/vllm/vllm"}) {
      const bool ghcr = subject.rfind("ghcr", 0) == 0, vllm = subject.find("vllm") != std::string::npos;
      if (round == 0) {
        EXPECT_EQ(eval(*any, subject).BoolValue(), ghcr || vllm) << subject;
        EXPECT_EQ(eval(*every, subject).BoolValue(), ghcr && vllm) << subject;
      } else {
        EXPECT_EQ(eval(*every, subject).BoolValue(), ghcr && vllm) << subject;
        EXPECT_EQ(eval(*any, subject).BoolValue(), ghcr || vllm) << subject;
      }
      EXPECT_EQ(eval(*one, subject).BoolValue(), ghcr) << subject;
      EXPECT_EQ(eval(*same, subject).BoolValue(), ghcr) << subject;
    }
  }
}

// An invalid constant pattern is still a compile error at its own position,
// in every rule that repeats it.
TEST(PatternTableTest, ARepeatedInvalidPatternIsAnErrorEachTime) {
  Env env;
  env.DeclareVariable("s");
  for (int i = 0; i < 2; ++i) {
    CompileResult r = env.Compile("s.matches('a(b')");
    EXPECT_FALSE(r.ok());
    ASSERT_FALSE(r.diagnostics.empty());
    EXPECT_NE(r.diagnostics[0].message.find("invalid regular expression"), std::string::npos);
  }
}

}  // namespace
}  // namespace aimsgate::cel
