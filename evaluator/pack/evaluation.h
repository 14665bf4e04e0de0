// One evaluation of one object against an engine's packs: the per-evaluation
// state (the resource's identity, the match view, the synthetic VAP request,
// the model binding, one activation per pack) that Engine::Evaluate used to
// keep in lambdas, in stages:
//
//   ResourceEvaluation decision;
//   Evaluation ev(engine_inputs, object, request, scratch, &decision);  // identify the resource
//   ev.FindCandidates(packs);                                           // the rules each pack may apply
//   for (each pack i, its enforcement mode) ev.RunPack(i, pack, mode);  // match, bind, evaluate
//   ev.Finish();                                                        // settle the verdict
//
// Thread-safety: one Evaluation per thread; it reads the engine's immutable
// packs, inventory, waivers and models. Cost: one activation bound per pack
// that has a matching rule (the scratch state's, reused from object to object);
// the synthetic VAP request is built at most once.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/decision/decision.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/compiled_pack.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/matcher.h"
#include "evaluator/pack/model_binding.h"

namespace aimsgate {

class Evaluation {
 public:
  // Fills *out, which must outlive the Evaluation.
  Evaluation(const EngineInputs& engine, const aimsgate::JsonValue& object, const EvalRequest& request,
             cel::EvalState* scratch, ResourceEvaluation* out);
  Evaluation(const Evaluation&) = delete;
  Evaluation& operator=(const Evaluation&) = delete;

  // Finds the candidate rules of each of `packs` (through their matchers' index)
  // and makes room for their results.
  void FindCandidates(const std::vector<std::shared_ptr<const CompiledPack>>& packs);
  // Evaluates every rule of `pack` (packs[index] of FindCandidates) that matches the object.
  void RunPack(size_t index, const CompiledPack& pack, EnforcementMode mode);
  // Settles the verdict and adds the object digest when asked for.
  void Finish();

 private:
  void Identify();
  // The request a pack's expressions read: the admission request, or in CI the
  // engine's synthetic one, or for a VAP policy one describing this object.
  const aimsgate::JsonValue& RequestFor(const PackSpec& spec) {
    return request_.request || !spec.namespaces ? req_ : SyntheticVapRequest();
  }
  const aimsgate::JsonValue& SyntheticVapRequest();
  void Bind(const CompiledPack& pack, cel::Activation* act);
  // The less common paths of RunPack's loop, kept out of it.
  void RecordAuditAnnotation(const CompiledPack& pack, const CompiledRule& rule,
                             const cel::Activation& act);
  bool Applies(const CompiledRule& rule, const cel::Activation& act, RuleResult* r);
  void NotPassed(const CompiledRule& rule, const cel::Activation& act, const cel::Value& assert_value, RuleResult* r);

  const EngineInputs& engine_;
  const aimsgate::JsonValue& object_;
  const EvalRequest& request_;
  cel::EvalState* scratch_;
  ResourceEvaluation& out_;
  const aimsgate::JsonValue* annotations_ = nullptr;
  std::string_view own_system_id_;  // the system-id annotation of the object's own metadata
  const aimsgate::JsonValue& req_;  // the admission request, or the engine's synthetic one
  int64_t now_ = 0;
  size_t not_passed_ = 0;  // results other than pass (Finish settles only then)
  // The last match.when answered in this pack's run: rules sharing the program
  // (most of a pack share `isAISystem(object)`) take its answer.
  const cel::Program* last_when_ = nullptr;
  bool last_when_true_ = false;
  MatchObject match_;
  std::array<CandidateList, 4> candidates_;  // of the first packs; later ones are looked up again
  std::optional<aimsgate::JsonDocument> vap_request_;
  ModelBinding model_binding_;  // outlives each pack's activation, which points into it
};

}  // namespace aimsgate
