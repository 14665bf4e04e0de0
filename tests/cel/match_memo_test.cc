// The memo of constant-pattern matches (match_memo.h): answers are remembered
// per (matching node, subject) on one EvalState, never given for another node or
// another subject, forgotten when a slot is reused, and change neither results
// nor costs.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/cel/match_memo.h"

namespace aimsgate::cel {
namespace {

using internal::MatchMemo;

TEST(MatchMemoTest, AnswersOnlyForTheSameMatcherAndSubject) {
  MatchMemo memo;
  const uint64_t a = MatchMemo::NewMatcherId(), b = MatchMemo::NewMatcherId();
  EXPECT_NE(a, b);
  EXPECT_EQ(memo.Find(a, "img"), -1);  // nothing stored, nothing allocated
  memo.Store(a, "img", true);
  EXPECT_EQ(memo.Find(a, "img"), 1);
  EXPECT_EQ(memo.Find(b, "img"), -1);
  EXPECT_EQ(memo.Find(a, "imh"), -1);
  EXPECT_EQ(memo.Find(a, "im"), -1);
  EXPECT_EQ(memo.Find(a, ""), -1);
  memo.Store(a, "img", false);
  EXPECT_EQ(memo.Find(a, "img"), 0);
  memo.Store(a, "", true);
  EXPECT_EQ(memo.Find(a, ""), 1);
  memo.Store(b, std::string_view(), false);  // an empty view with no data pointer
  EXPECT_EQ(memo.Find(b, std::string_view()), 0);
  EXPECT_EQ(memo.Find(b, ""), 0);
}

TEST(MatchMemoTest, LongSubjectsAreNotKept) {
  MatchMemo memo;
  const uint64_t id = MatchMemo::NewMatcherId();
  const std::string longest(MatchMemo::kMaxSubject, 'x'), over(MatchMemo::kMaxSubject + 1, 'x');
  memo.Store(id, longest, true);
  memo.Store(id, over, true);
  EXPECT_EQ(memo.Find(id, longest), 1);
  EXPECT_EQ(memo.Find(id, over), -1);
}

// Subjects that share their first and last bytes (a registry prefix, a digest
// suffix) and differ in the middle: a reused slot forgets its old subject and
// never answers for it.
TEST(MatchMemoTest, AReusedSlotForgetsItsSubject) {
  MatchMemo memo;
  const uint64_t id = MatchMemo::NewMatcherId();
  auto subject = [](int i) { return "registry.example.com/ml/app-" + std::to_string(i) + ":1.0@sha256:0123456789abcdef"; };
  memo.Store(id, subject(0), true);
  int i = 1;
  for (; i < 100000 && memo.Find(id, subject(0)) == 1; ++i) memo.Store(id, subject(i), i % 2 == 0);
  ASSERT_LT(i, 100000) << "no slot was ever reused";
  EXPECT_EQ(memo.Find(id, subject(0)), -1);
  EXPECT_EQ(memo.Find(id, subject(i - 1)), (i - 1) % 2 == 0 ? 1 : 0);
  // Of kSlots such subjects stored in a fresh memo, most are still there: the
  // index spreads them (random slots would keep about 63%).
  MatchMemo fresh;
  const int n = static_cast<int>(MatchMemo::kSlots);
  for (int j = 0; j < n; ++j) fresh.Store(id, subject(j), j % 2 == 0);
  int kept = 0;
  for (int j = 0; j < n; ++j) {
    const int found = fresh.Find(id, subject(j));
    if (found >= 0) {
      EXPECT_EQ(found, j % 2 == 0 ? 1 : 0) << j;
      ++kept;
    }
  }
  EXPECT_GT(kept, static_cast<int>(MatchMemo::kSlots) / 2);
}

// A matcher or a subject that lands in the slot of another (found by storing
// until the first is evicted) gets no answer from it: the slot is compared
// whole, matcher, length and bytes, not only indexed.
TEST(MatchMemoTest, ACollidingMatcherOrSubjectGetsNoAnswer) {
  MatchMemo memo;
  const std::string subject = "ghcr.io/org/app:1.2";
  const uint64_t a = MatchMemo::NewMatcherId();
  uint64_t b = 0;
  for (int i = 0; i < 100000 && b == 0; ++i) {
    memo.Store(a, subject, true);
    const uint64_t candidate = MatchMemo::NewMatcherId();
    memo.Store(candidate, subject, false);
    if (memo.Find(a, subject) == -1) b = candidate;  // same slot
  }
  ASSERT_NE(b, 0u);
  memo.Store(a, subject, true);
  EXPECT_EQ(memo.Find(b, subject), -1);
  EXPECT_EQ(memo.Find(a, subject), 1);

  // A longer subject that begins with `subject` and shares its slot.
  std::string longer;
  for (int i = 0; i < 100000 && longer.empty(); ++i) {
    memo.Store(a, subject, true);
    const std::string candidate = subject + "-" + std::to_string(i);
    memo.Store(a, candidate, false);
    if (memo.Find(a, subject) == -1) longer = candidate;
  }
  ASSERT_FALSE(longer.empty());
  EXPECT_EQ(memo.Find(a, longer), 0);
  EXPECT_EQ(memo.Find(a, subject), -1);  // its bytes begin the slot's, its length does not match
}

class MatchMemoEvalTest : public ::testing::Test {
 protected:
  void SetUp() override { s_ = env_.DeclareVariable("s"); }
  std::shared_ptr<const Program> Compile(const std::string& expr) {
    CompileResult r = env_.Compile(expr);
    EXPECT_TRUE(r.ok()) << expr;
    return r.program;
  }
  // Evaluates `program` on `subject` with `state`; *cost: the units it took.
  Value Eval(const Program& program, const std::string& subject, EvalState* state, int64_t* cost) {
    Activation act(env_);
    act.Set(s_, Value::String(subject));
    Value v = program.Evaluate(act, state);
    *cost = Program::LastCost(*state);
    return v;
  }

  Env env_;
  int s_ = -1;
};

// Subjects of every length around the memo's bound, distinct and repeated, more
// than it has slots: every answer is RE2's, and a remembered answer costs what
// the match did.
TEST_F(MatchMemoEvalTest, SameAnswersAndCostsAsRe2) {
  std::vector<std::string> subjects;
  const std::string digest = "@sha256:" + std::string(64, 'a');
  for (int i = 0; i < 600; ++i) {
    std::string s = "r.example.com/team-" + std::to_string(i % 300) + "/app";
    if (i % 3 == 0) s += digest;
    if (i % 7 == 0) s += ":latest";
    s.resize(static_cast<size_t>(i % 150) + (i % 5 == 0 ? s.size() : 0), 'b');
    subjects.push_back(s);
  }
  const std::vector<std::string> patterns = {"@sha256:[0-9a-f]{64}$", ":latest$", "^r\\.example"};
  const RE2 digest_re(patterns[0]);
  RE2::Set set(RE2::Options(), RE2::UNANCHORED);
  for (const auto& p : patterns) ASSERT_GE(set.Add(p, nullptr), 0);
  ASSERT_TRUE(set.Compile());
  auto one = Compile("s.matches('" + std::string("@sha256:[0-9a-f]{64}$") + "')");
  auto any = Compile("['@sha256:[0-9a-f]{64}$', ':latest$', '^r\\\\.example'].exists(p, s.matches(p))");
  auto every = Compile("['@sha256:[0-9a-f]{64}$', ':latest$', '^r\\\\.example'].all(p, s.matches(p))");
  EvalState state;
  std::vector<int64_t> first_costs;
  for (int pass = 0; pass < 2; ++pass) {
    size_t k = 0;
    for (const std::string& subject : subjects) {
      std::vector<int> hits;
      set.Match(subject, &hits);
      const bool want_one = RE2::PartialMatch(subject, digest_re);
      int64_t c1 = 0, c2 = 0, c3 = 0;
      EXPECT_EQ(Eval(*one, subject, &state, &c1).BoolValue(), want_one) << subject;
      EXPECT_EQ(Eval(*any, subject, &state, &c2).BoolValue(), !hits.empty()) << subject;
      EXPECT_EQ(Eval(*every, subject, &state, &c3).BoolValue(), hits.size() == patterns.size()) << subject;
      for (int64_t c : {c1, c2, c3}) {
        if (pass == 0) {
          first_costs.push_back(c);
        } else {
          EXPECT_EQ(c, first_costs[k]) << subject;
        }
        ++k;
      }
    }
  }
}

// Two programs on one state, as two packs (or a pack before and after a reload)
// on one worker: each node keeps its own answers.
TEST_F(MatchMemoEvalTest, EachNodeKeepsItsOwnAnswers) {
  EvalState state;
  int64_t cost = 0;
  const std::string subject = "nvcr.io/nvidia/tritonserver:24.08";
  for (int round = 0; round < 3; ++round) {
    auto yes = Compile("s.matches('triton')");
    auto no = Compile("s.matches('vllm')");
    EXPECT_TRUE(Eval(*yes, subject, &state, &cost).BoolValue());
    EXPECT_FALSE(Eval(*no, subject, &state, &cost).BoolValue());
    EXPECT_TRUE(Eval(*yes, subject, &state, &cost).BoolValue());
    EXPECT_FALSE(Eval(*no, subject, &state, &cost).BoolValue());
  }
}

}  // namespace
}  // namespace aimsgate::cel
