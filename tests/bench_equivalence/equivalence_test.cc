// bench/micro/native_rules.cc (hand-written C++) and bench/micro/typical10.yaml
// (CEL) give the same verdict for every rule on every manifest of the benchmark
// corpus, and the corpus exercises both verdicts of every rule.  The corpus is
// also checked to be what bench/ claims: 2-6 KB, about a third violating.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "bench/corpus/corpus.h"
#include "bench/micro/native_rules.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::bench {
namespace {

constexpr int kManifests = 600;

std::shared_ptr<const Engine> Typical10() {
  EngineOptions o;
  o.rule_paths = {std::string(AIMSGATE_SOURCE_DIR) + "/bench/micro/typical10.yaml"};
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o, &diags);
  for (const auto& d : diags) ADD_FAILURE() << d.ToString();
  return engine;
}

TEST(BenchEquivalence, NativeRulesDecideLikeTheCelPack) {
  auto engine = Typical10();
  ASSERT_TRUE(engine);
  CorpusOptions options;
  cel::EvalState scratch;
  std::map<std::string, std::pair<int, int>> verdicts;  // rule -> (passes, failures)
  for (int i = 0; i < kManifests; ++i) {
    aimsgate::JsonDocument doc;
    GenerateObject(options, static_cast<uint64_t>(i), &doc);
    std::vector<NativeResult> native;
    EvaluateTypical10(doc, &native);
    ResourceEvaluation cel = engine->Evaluate(doc, EvalRequest(), &scratch);
    ASSERT_EQ(native.size(), cel.results.size()) << "manifest " << i;
    for (size_t r = 0; r < native.size(); ++r) {
      ASSERT_EQ("typical10/" + std::string(native[r].rule), cel.results[r].rule()) << "manifest " << i;
      ASSERT_TRUE(cel.results[r].result == Outcome::kPass || cel.results[r].result == Outcome::kFail)
          << "manifest " << i << " " << cel.results[r].rule() << ": " << cel.results[r].message;
      EXPECT_EQ(native[r].pass, cel.results[r].result == Outcome::kPass)
          << "manifest " << i << " " << cel.results[r].rule() << ": " << cel.results[r].message;
      auto& v = verdicts[native[r].rule];
      (native[r].pass ? v.first : v.second)++;
    }
  }
  ASSERT_EQ(verdicts.size(), 10u);
  for (const auto& [rule, v] : verdicts) {
    EXPECT_GT(v.first, 0) << rule << " never passes on the corpus";
    EXPECT_GT(v.second, 0) << rule << " never fails on the corpus";
  }
}

TEST(BenchEquivalence, CorpusIsWhatBenchClaims) {
  CorpusOptions options;
  int violating = 0, small = 0, large = 0;
  std::map<std::string, int> kinds;
  for (int i = 0; i < kManifests; ++i) {
    const std::string yaml = GenerateManifest(options, static_cast<uint64_t>(i), Format::kYaml);
    const std::string json = GenerateManifest(options, static_cast<uint64_t>(i), Format::kJson);
    if (yaml.size() < 2000) ++small;
    if (yaml.size() > 6500) ++large;
    manifest::LoadResult y = manifest::LoadYaml(yaml, "corpus.yaml");
    manifest::LoadResult j = manifest::LoadJson(json, "corpus.json");
    ASSERT_TRUE(y.errors.empty()) << i << ": " << y.errors[0].ToString() << "\n" << yaml;
    ASSERT_EQ(y.resources.size(), 1u);
    ASSERT_EQ(j.resources.size(), 1u);
    EXPECT_TRUE(*y.resources[0].object == *j.resources[0].object) << "YAML and JSON differ for " << i;
    aimsgate::JsonDocument doc;
    GenerateObject(options, static_cast<uint64_t>(i), &doc);
    ++kinds[doc["kind"].GetString()];
    std::vector<NativeResult> native;
    EvaluateTypical10(doc, &native);
    bool fails = false;
    for (const auto& r : native) fails |= !r.pass;
    const auto& ann = doc["metadata"]["annotations"];
    fails |= !ann.HasMember("aimsgate.io/owner") || !ann.HasMember("aimsgate.io/risk-tier") ||
             !ann.HasMember("aimsgate.io/model-card");
    violating += fails;
  }
  EXPECT_EQ(kinds.size(), 4u);
  EXPECT_LT(small, kManifests / 20) << "manifests under 2 KB";
  EXPECT_LT(large, kManifests / 20) << "manifests over 6.5 KB";
  EXPECT_GT(violating, kManifests / 4);
  EXPECT_LT(violating, kManifests / 2);
}

}  // namespace
}  // namespace aimsgate::bench
