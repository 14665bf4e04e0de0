// libFuzzer target: manifest bytes (YAML or JSON, through the manifest loader)
// evaluated by every shipped pack (tests/bench_equivalence/shipped_packs.h),
// each compiled folded (the default) and unfolded (cel::Limits::fold = false).
// The fast paths of the folded plan (constants, specialized and memoized
// helpers, memos on nodes of the object, RE2 sets, native all/exists) must
// decide exactly like the plain plan: a different outcome, message, verdict,
// warning or audit annotation traps.  Every third resource is also evaluated
// as an admission UPDATE of the one before it.
// (tests/bench_equivalence/mutation_differential_test.cc runs the same
// comparison on structured mutations in the unit suite.)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"
#include "fuzz/fuzz_util.h"
#include "tests/bench_equivalence/shipped_packs.h"

namespace {

using aimsgate::Engine;

struct Pair {
  std::string pack;
  std::shared_ptr<const Engine> folded, plain;
};

const std::vector<Pair>& Engines() {
  static const std::vector<Pair>* engines = [] {
    auto* out = new std::vector<Pair>;
    for (const std::string& pack : aimsgate::ShippedPacks()) {
      std::vector<aimsgate::Diagnostic> diags;
      Pair p{pack, aimsgate::LoadShippedPack(pack, true, true, &diags),
             aimsgate::LoadShippedPack(pack, false, true, &diags)};
      if (!p.folded || !p.plain || !diags.empty()) {
        for (const auto& d : diags) fprintf(stderr, "%s: %s\n", pack.c_str(), d.ToString().c_str());
        abort();
      }
      out->push_back(std::move(p));
    }
    return out;
  }();
  return *engines;
}

[[noreturn]] void Diverged(const Pair& p, const std::string& what, const std::string& folded, const std::string& plain) {
  fprintf(stderr, "%s: %s differs folded / unfolded:\n  %s\n  %s\n", p.pack.c_str(), what.c_str(), folded.c_str(),
          plain.c_str());
  __builtin_trap();
}

void Compare(const Pair& p, const aimsgate::ResourceEvaluation& f, const aimsgate::ResourceEvaluation& u) {
  if (f.results.size() != u.results.size()) {
    Diverged(p, "result count", std::to_string(f.results.size()), std::to_string(u.results.size()));
  }
  for (size_t i = 0; i < f.results.size(); ++i) {
    const auto& a = f.results[i];
    const auto& b = u.results[i];
    const std::string rule(a.rule());
    if (a.rule() != b.rule()) Diverged(p, "rule order", rule, std::string(b.rule()));
    if (a.result != b.result || a.message != b.message) {
      Diverged(p, rule, std::string(aimsgate::ToString(a.result)) + ": " + a.message,
               std::string(aimsgate::ToString(b.result)) + ": " + b.message);
    }
  }
  if (f.verdict != u.verdict) Diverged(p, "verdict", aimsgate::ToString(f.verdict), aimsgate::ToString(u.verdict));
  if (f.has_warnings != u.has_warnings) Diverged(p, "warnings", "", "");
  if (f.audit_annotations != u.audit_annotations) Diverged(p, "audit annotations", "", "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (16 << 10)) return 0;
  const auto& engines = Engines();
  static aimsgate::cel::EvalState* scratch = new aimsgate::cel::EvalState();
  aimsgate::manifest::LoadResult loaded = aimsgate::manifest::LoadBytes(aimsgate::fuzz::AsView(data, size), "fuzz.yaml");
  static aimsgate::JsonDocument* update = [] {
    auto* d = new aimsgate::JsonDocument;
    d->Parse(R"({"uid":"7f1c","operation":"UPDATE","namespace":"default",
                 "userInfo":{"username":"alice","groups":["dev"]},
                 "resource":{"group":"apps","version":"v1","resource":"deployments"}})");
    return d;
  }();
  const size_t n = std::min<size_t>(loaded.resources.size(), 8);
  for (size_t i = 0; i < n; ++i) {
    aimsgate::EvalRequest req;
    req.now_unix = 1767225600;  // deterministic
    if (i % 3 == 2) {
      req.old_object = loaded.resources[i - 1].object;
      req.request = update;
    }
    for (const Pair& p : engines) {
      Compare(p, p.folded->Evaluate(*loaded.resources[i].object, req, scratch),
              p.plain->Evaluate(*loaded.resources[i].object, req, scratch));
    }
  }
  return 0;
}
