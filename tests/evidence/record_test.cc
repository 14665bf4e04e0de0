// Issue 14 item 5, evidence sized for years: what a record lists (fail, error, waived, pass),
// what it only counts (skip), and the minimal record of a resource no rule applied to.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/log/writer.h"
#include "evaluator/kernel/json.h"
#include "tests/evidence/test_util.h"

namespace aimsgate::evidence {
namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1764316800));

aimsgate::JsonDocument Record(const ResourceEvaluation& ev, const std::vector<PackRef>& packs) {
  RecordInput in;
  in.evaluation = &ev;
  in.packs = &packs;
  aimsgate::JsonDocument d;
  d.Parse(JoinMembers(BuildRecordMembers(in, nullptr, kNow)).c_str());
  EXPECT_FALSE(d.HasParseError());
  return d;
}

// A result of the sample's owner rule with another outcome.
RuleResult With(const ResourceEvaluation& ev, Outcome outcome) {
  RuleResult r = ev.results[0];
  r.result = outcome;
  if (outcome == Outcome::kWaived) r.waiver = testing::TestWaiver("accepted", "pilot", "ciso@example.com", "2027-01-15T00:00:00Z");
  if (outcome == Outcome::kError) r.message = "no such key: 'x'";
  return r;
}

ResourceEvaluation AllSkipped(int skips) {
  ResourceEvaluation ev = testing::SampleEvaluation("ml", "settings", /*fail=*/false);
  ev.resource.set_kind("ConfigMap");
  const RuleResult first = ev.results[0];
  ev.results.clear();
  for (int i = 0; i < skips; ++i) {
    RuleResult r = first;
    r.result = Outcome::kSkip;
    ev.results.push_back(r);
  }
  Settle(&ev);
  return ev;
}

TEST(Record, ListsFailErrorWaivedAndPassAndCountsSkips) {
  ResourceEvaluation ev = testing::SampleEvaluation("ml", "chat", /*fail=*/true);  // pass, fail
  ev.results.push_back(With(ev, Outcome::kSkip));
  ev.results.push_back(With(ev, Outcome::kError));
  ev.results.push_back(With(ev, Outcome::kSkip));
  ev.results.push_back(With(ev, Outcome::kWaived));
  Settle(&ev);
  ASSERT_FALSE(Unmatched(ev));
  aimsgate::JsonDocument d = Record(ev, testing::SamplePacks());
  ASSERT_TRUE(d.HasMember("results"));
  std::vector<std::string> listed;
  for (const auto& r : d["results"].GetArray()) listed.push_back(r["result"].GetString());
  EXPECT_EQ(listed, (std::vector<std::string>{"pass", "fail", "error", "waived"}));
  EXPECT_STREQ(d["results"][2]["failurePolicy"].GetString(), "Fail");
  EXPECT_STREQ(d["results"][3]["waiver"]["name"].GetString(), "accepted");
  ASSERT_TRUE(d.HasMember("skipped"));
  EXPECT_EQ(d["skipped"].GetUint64(), 2u);
  ASSERT_TRUE(d.HasMember("packs"));
  EXPECT_STREQ(d["packs"][0]["name"].GetString(), "iso42001");
  EXPECT_STREQ(d["decision"].GetString(), "deny");
}

TEST(Record, NoSkipsNoCount) {
  aimsgate::JsonDocument d = Record(testing::SampleEvaluation("ml", "chat", false), testing::SamplePacks());
  EXPECT_FALSE(d.HasMember("skipped"));
  EXPECT_EQ(d["results"].Size(), 2u);
}

TEST(Record, ResourceNoRuleAppliedToGetsAMinimalRecord) {
  ResourceEvaluation ev = AllSkipped(3);
  ASSERT_TRUE(Unmatched(ev));
  aimsgate::JsonDocument d = Record(ev, testing::SamplePacks());
  EXPECT_FALSE(d.HasMember("results"));
  EXPECT_FALSE(d.HasMember("packs"));
  EXPECT_EQ(d["skipped"].GetUint64(), 3u);
  EXPECT_STREQ(d["decision"].GetString(), "allow");
  EXPECT_STREQ(d["resource"]["kind"].GetString(), "ConfigMap");
  EXPECT_EQ(std::string(d["objectSha256"].GetString()).size(), 64u);

  ResourceEvaluation none = AllSkipped(0);  // no rule selected it at all
  ASSERT_TRUE(Unmatched(none));
  d = Record(none, testing::SamplePacks());
  EXPECT_FALSE(d.HasMember("results"));
  EXPECT_FALSE(d.HasMember("skipped"));

  // A ValidatingAdmissionPolicy's auditAnnotation is something that applied.
  ev.audit_annotations.push_back({"policy/key", "value"});
  EXPECT_FALSE(Unmatched(ev));
  d = Record(ev, testing::SamplePacks());
  EXPECT_TRUE(d.HasMember("results"));
  EXPECT_EQ(d["results"].Size(), 0u);
  EXPECT_TRUE(d.HasMember("auditAnnotations"));
}

TEST(Writer, SkipUnmatchedWritesNoRecordForThem) {
  for (bool skip : {false, true}) {
    testing::TempDir dir;
    WriterOptions o;
    o.path = dir.File("e.jsonl");
    o.skip_unmatched = skip;
    EvidenceWriter w;
    ASSERT_TRUE(w.Open(o).ok());
    const auto packs = testing::SamplePacks();
    const ResourceEvaluation matched = testing::SampleEvaluation("ml", "chat", true);
    const ResourceEvaluation unmatched = AllSkipped(2);
    for (const ResourceEvaluation* ev : {&matched, &unmatched, &matched}) {
      RecordInput in;
      in.evaluation = ev;
      in.packs = &packs;
      ASSERT_TRUE(w.Append(in).ok());
    }
    ASSERT_TRUE(w.Close().ok());
    EXPECT_EQ(w.records_written(), skip ? 2u : 3u);
    size_t configmaps = 0;
    for (const std::string& line : testing::SplitLines(testing::ReadAll(o.path))) {
      configmaps += line.find("\"kind\":\"ConfigMap\"") != std::string::npos;
    }
    EXPECT_EQ(configmaps, skip ? 0u : 1u);
  }
}

}  // namespace
}  // namespace aimsgate::evidence
