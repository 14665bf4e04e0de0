// Plan-time folding changes how a rule is evaluated, never what it decides:
// every rule of every shipped pack (rules/, the embedded built-in packs, the
// examples and the benchmark packs) gives the same outcome and the same
// message folded (cel::Limits::fold, the default) and unfolded, on the
// benchmark corpus, the examples and the packs' own test resources, with and
// without an inventory and model metadata.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "bench/corpus/corpus.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"
#include "tests/bench_equivalence/shipped_packs.h"

namespace aimsgate {
namespace {

namespace fs = std::filesystem;
const std::string kRoot = AIMSGATE_SOURCE_DIR;

struct Inputs {
  std::vector<manifest::Resource> resources;
  std::vector<std::shared_ptr<aimsgate::JsonDocument>> corpus;
  std::vector<const aimsgate::JsonValue*> objects;
};

void AddYamlFiles(const fs::path& dir, bool recursive, Inputs* in) {
  if (!fs::exists(dir)) return;
  std::vector<fs::path> files;
  auto add = [&](const fs::directory_entry& e) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) add(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) add(e);
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream s(f, std::ios::binary);
    std::stringstream text;
    text << s.rdbuf();
    manifest::LoadResult r = manifest::LoadBytes(text.str(), f.string());
    for (auto& res : r.resources) in->resources.push_back(std::move(res));
  }
}

Inputs LoadInputs() {
  Inputs in;
  bench::CorpusOptions options;
  for (int i = 0; i < 400; ++i) {
    auto doc = std::make_shared<aimsgate::JsonDocument>();
    bench::GenerateObject(options, static_cast<uint64_t>(i), doc.get());
    in.corpus.push_back(doc);
    in.objects.push_back(doc.get());
  }
  AddYamlFiles(kRoot + "/examples", true, &in);
  AddYamlFiles(kRoot + "/rules", true, &in);
  for (const auto& r : in.resources) in.objects.push_back(r.object);
  return in;
}

TEST(FoldDifferential, EveryShippedRuleDecidesAndSaysTheSameFoldedAndUnfolded) {
  const Inputs in = LoadInputs();
  ASSERT_GT(in.objects.size(), 450u);
  const auto packs = ShippedPacks();
  ASSERT_GE(packs.size(), 8u);
  size_t compared = 0, failing = 0, errors = 0;
  for (const auto& pack : packs) {
    for (bool with_inputs : {false, true}) {
      std::vector<Diagnostic> diags;
      auto folded = LoadShippedPack(pack, true, with_inputs, &diags);
      auto plain = LoadShippedPack(pack, false, with_inputs, &diags);
      for (const auto& d : diags) ADD_FAILURE() << pack << ": " << d.ToString();
      ASSERT_TRUE(folded && plain) << pack;
      cel::EvalState scratch;
      EvalRequest req;
      req.now_unix = 1764633600;  // 2025-12-02: fixed, so `now` agrees
      for (size_t i = 0; i < in.objects.size(); ++i) {
        ResourceEvaluation f = folded->Evaluate(*in.objects[i], req, &scratch);
        ResourceEvaluation u = plain->Evaluate(*in.objects[i], req, &scratch);
        ASSERT_EQ(f.results.size(), u.results.size()) << pack << " object " << i;
        for (size_t r = 0; r < f.results.size(); ++r) {
          const RuleResult& a = f.results[r];
          const RuleResult& b = u.results[r];
          ASSERT_EQ(a.rule(), b.rule());
          EXPECT_EQ(static_cast<int>(a.result), static_cast<int>(b.result))
              << pack << " object " << i << " rule " << a.rule() << ": " << a.message << " | " << b.message;
          EXPECT_EQ(a.message, b.message) << pack << " object " << i << " rule " << a.rule();
          ++compared;
          failing += a.result == Outcome::kFail;
          errors += a.result == Outcome::kError;
        }
        EXPECT_EQ(ToString(f.verdict), ToString(u.verdict)) << pack << " object " << i;
        EXPECT_EQ(f.has_warnings, u.has_warnings) << pack << " object " << i;
        EXPECT_EQ(f.audit_annotations, u.audit_annotations) << pack << " object " << i;
      }
    }
  }
  // The inputs exercise the rules: many results, failures among them.
  EXPECT_GT(compared, 20000u);
  EXPECT_GT(failing, 1000u);
  RecordProperty("compared", static_cast<int>(compared));
  RecordProperty("errors", static_cast<int>(errors));
}

}  // namespace
}  // namespace aimsgate
