// Finding AI systems with a rule pack's own helpers (`aimsgate inventory discover`):
// the built-in pack's isAISystem (serving images, accelerators, AI CRDs, aimsgate
// marks), annotation(), riskTier() and images() are compiled once and evaluated on
// each object, so discovery and the rules always agree on what an AI system is.
//
//   std::vector<Diagnostic> diags;
//   EngineOptions o;                       // rule_paths empty = builtin:iso42001; --param honoured
//   auto finder = AiSystemFinder::Load(o, &diags);   // null on error
//   cel::EvalState scratch;
//   AiSystemFacts f;
//   if (finder->Probe(object, &scratch, &f, &error) && f.ai) { f.system_id, f.images, ... }
//
// The pack must define the helpers isAISystem, annotation, riskTier, images, isAIKind,
// usesAccelerator, servesModel, markedAI, metaOf, templateOf and kserveModel (the built-in
// iso42001 pack does); a pack without them is a load error naming the missing helper.
//
// Thread-safety: immutable after Load; Probe may run concurrently with one EvalState per
// thread.  Cost: a few helper evaluations per object, each under the pack's CEL budget.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate {

struct AiSystemFacts {
  bool ai = false;
  // The <prefix>* annotations as the pack reads them (own metadata, else the pod template's).
  std::string system_id, owner, risk_tier, intended_purpose, model_card, model, model_source, supplier,
      data_provenance;
  std::string storage_uri, model_format;  // KServe predictor model
  std::vector<std::string> images;        // every container image, init containers included
  // Why the pack calls it an AI system: "AI kind", "aimsgate mark", "accelerator", "serving image".
  std::vector<std::string> reasons;
};

class AiSystemFinder {
 public:
  static std::shared_ptr<const AiSystemFinder> Load(const EngineOptions& options, std::vector<Diagnostic>* diagnostics);
  ~AiSystemFinder();
  // false with *error when a helper cannot be evaluated on this object.
  bool Probe(const aimsgate::JsonValue& object, cel::EvalState* scratch, AiSystemFacts* out, std::string* error) const;
  const std::string& annotation_prefix() const;

 private:
  AiSystemFinder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace aimsgate
