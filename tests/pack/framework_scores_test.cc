// FrameworkScores: AddDistinct (check's path, which finds a result's controls by
// its RuleInfo) counts what Add counts with a fresh resource key per decision.
#include "evaluator/pack/framework_scores.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace aimsgate {
namespace {

using RuleMap = std::unordered_map<std::string, std::map<std::string, std::vector<std::string>>>;

RuleMap Rules() {
  return {
      {"p/a", {{"iso42001", {"A.3.2"}}}},
      {"p/b", {{"iso42001", {"A.3.2", "A.4.2"}}, {"nist-ai-rmf", {"GOVERN 1.6"}}}},
      {"p/c", {{"eu-ai-act", {"Art. 12"}}}},
      {"p/unmapped", {}},
  };
}

RuleResult Result(const RuleInfo& info, Outcome o) {
  RuleResult r;
  r.info = &info;
  r.result = o;
  return r;
}

// framework id → control id → (passed, failed)
std::map<std::string, std::map<std::string, std::pair<size_t, size_t>>> Counts(const FrameworkScores& scores) {
  std::map<std::string, std::map<std::string, std::pair<size_t, size_t>>> out;
  for (const auto& f : scores.Scores()) {
    for (const auto& c : f.controls) out[f.id][c.id] = {c.passed, c.failed};
  }
  return out;
}

TEST(FrameworkScoresTest, AddDistinctCountsAsAddWithFreshKeys) {
  RuleInfo a{"p/a", "", {}, Severity::kMedium, "", "p", true};
  RuleInfo b{"p/b", "", {}, Severity::kMedium, "", "p", true};
  RuleInfo c{"p/c", "", {}, Severity::kMedium, "", "p", true};
  RuleInfo other{"q/other", "", {}, Severity::kMedium, "", "q", true};
  const std::vector<std::vector<RuleResult>> decisions = {
      {Result(a, Outcome::kPass), Result(b, Outcome::kFail), Result(c, Outcome::kSkip)},
      {Result(a, Outcome::kPass), Result(b, Outcome::kPass), Result(c, Outcome::kError)},
      {Result(a, Outcome::kWaived), Result(other, Outcome::kFail)},
      {Result(b, Outcome::kSkip), Result(c, Outcome::kPass)},
      {},
      {Result(a, Outcome::kFail), Result(b, Outcome::kPass), Result(c, Outcome::kPass)},
  };
  FrameworkScores distinct(Rules()), keyed(Rules());
  for (size_t i = 0; i < decisions.size(); ++i) {
    distinct.AddDistinct(decisions[i]);
    keyed.Add("resource-" + std::to_string(i), decisions[i]);
  }
  const auto counts = Counts(distinct);
  EXPECT_EQ(counts, Counts(keyed));
  // A.3.2 (rules a and b; a resource passes a control only when every rule on it does):
  // decisions 0 fail, 1 pass, 2 pass (waived), 3 -, 5 fail.
  EXPECT_EQ(counts.at("iso42001").at("A.3.2"), std::make_pair(size_t{2}, size_t{2}));
  EXPECT_EQ(counts.at("iso42001").at("A.4.2"), std::make_pair(size_t{2}, size_t{1}));
  EXPECT_EQ(counts.at("eu-ai-act").at("Art. 12"), std::make_pair(size_t{2}, size_t{1}));
}

TEST(FrameworkScoresTest, AddDistinctFollowsTheRuleIdBehindAnAddress) {
  // A RuleInfo freed and another allocated at its address: the same object
  // carrying another id here.  Its results count for the new id's controls.
  RuleInfo info{"p/a", "", {}, Severity::kMedium, "", "p", true};
  FrameworkScores scores(Rules());
  scores.AddDistinct({Result(info, Outcome::kFail)});
  info.id = "p/c";
  scores.AddDistinct({Result(info, Outcome::kFail)});
  info.id = "p/unmapped";
  scores.AddDistinct({Result(info, Outcome::kFail)});
  const auto counts = Counts(scores);
  EXPECT_EQ(counts.at("iso42001").at("A.3.2"), std::make_pair(size_t{0}, size_t{1}));
  EXPECT_EQ(counts.at("eu-ai-act").at("Art. 12"), std::make_pair(size_t{0}, size_t{1}));
  EXPECT_EQ(counts.at("iso42001").at("A.4.2"), std::make_pair(size_t{0}, size_t{0}));
}

}  // namespace
}  // namespace aimsgate
