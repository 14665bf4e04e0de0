// The embedding API of the evaluator: load rule packs and the organisation's
// inputs once, then evaluate Kubernetes objects against them from any number
// of threads.  cli/ and webhook/ use only this header (and evaluator/decision/decision.h).
//
//   EngineOptions opts;
//   opts.rule_paths = {"rules/"};              // empty = the built-in iso42001 pack
//   opts.param_overrides = {"highRiskTiers=[high, limited]"};
//   std::vector<Diagnostic> diags;
//   std::shared_ptr<const Engine> engine = Engine::Load(opts, &diags);
//   if (!engine) { print diags; exit 2; }
//
//   EvalRequest req;                            // CI: synthetic CREATE
//   cel::EvalState scratch;                     // one per thread, reused
//   Decision d = engine->Evaluate(object, req, &scratch);   // d.verdict, d.results
//
// Thread-safety: an Engine is immutable after Load; Evaluate may run
// concurrently (one cel::EvalState per thread).  Reload = Load a new Engine and
// swap a std::shared_ptr<const Engine>.
// Cost: rules are indexed by kind, so an object only runs the rules that can
// match it; every expression evaluation is bounded by the CEL cost budget.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/inputs.h"
#include "evaluator/pack/pack_spec.h"
#include "evaluator/decision/decision.h"
#include "evaluator/kernel/diagnostic.h"

namespace aimsgate {

// Where a parameter override was written (a test suite's `params` entry), so
// its errors point there; an empty position reads "--param KEY".
struct ParamOrigin {
  std::string path;
  SourcePos pos;
};

struct EngineOptions {
  std::vector<std::string> rule_paths;       // files, directories, "builtin:iso42001"
  // Files or directories of objects ValidatingAdmissionPolicies read (params of a
  // paramKind, Namespaces for namespaceSelector/namespaceObject; vap.h); they need not
  // hold a pack.  `check --context`, `serve --context`.
  std::vector<std::string> context_paths;
  std::vector<std::string> param_overrides;  // "key=value" or "pack.key=value"; value is YAML
  std::vector<std::string> params_files;     // YAML mappings of key: value
  std::vector<ParamOrigin> param_override_origins;  // per param_overrides entry; missing = --param
  std::string inventory_path;
  std::vector<std::string> waiver_paths;
  std::string model_card_path;
  std::string bom_path;
  // `--models DIR`: the model catalogue (evaluator/model/model_catalogue.h); a workload
  // naming a model (annotation <prefix>model or its inventory entry's `model`) gets that
  // model as `model`, and `modelRef` says what it named and whether it was found.
  std::string models_path;
  // Keeps only the rules mapped to this framework (framework_catalog.h); empty = all.
  std::string framework;
  // `check --model-dir DIR --model-signature FILE (--pubkey | --ca [--cert-chain])`: the model is
  // verified once at load (evaluator/model/model_signature.h) into `model.signature`.
  struct ModelSignatureInputs {
    std::string dir, signature, public_key, cert_chain, ca;
    int64_t now_unix = 0;
  } model_signature;
  // Maps deny rules to warn or audit, for all packs or per pack (shadow rollout;
  // `check --enforcement/--audit-only`, `serve --enforcement`, a test suite's `enforcement`).
  Enforcement enforcement;
  // Keeps only this rule ("PACK/ID"); empty = all.  `rules bench` evaluates one rule at a time.
  std::string only_rule;
  cel::Limits limits;
};

// What an evaluation knows beyond the object itself.
struct EvalRequest {
  const aimsgate::JsonValue* old_object = nullptr;  // admission UPDATE/DELETE
  const aimsgate::JsonValue* request = nullptr;     // AdmissionReview request; null = synthetic CREATE
  int64_t now_unix = 0;                          // 0 = the current time
  std::string source;                            // file in CI
  int line = 0;
  int document_index = 0;
  int item_index = -1;
  bool digest_object = false;  // fill ResourceEvaluation::object_sha256 (evidence needs it)
};

class CompiledPack;
namespace model {
class ModelCatalogue;
}

// What an evaluation reads of its engine besides the packs.
struct EngineInputs {
  const Inventory* inventory = nullptr;
  const WaiverSet* waivers = nullptr;
  const aimsgate::JsonValue* model = nullptr;  // model metadata (null-valued when none)
  const model::ModelCatalogue* models = nullptr;
  const aimsgate::JsonValue* synthetic_request = nullptr;  // the CREATE request used in CI
  // The first pack's vocabulary keys (prefix + "system-id", "owner", "risk-tier"),
  // required: the resource's system id, owner and tier are read with them.
  std::array<std::string_view, 3> identity_keys;  // system id, owner, risk tier (views of the engine)
};

class Engine {
 public:
  // Null with the reasons in *diagnostics when the packs (or the inventory, the
  // waivers, the model metadata) do not load; an allocation that fails on the
  // way is such a reason ("out of memory"), not an exception: `serve` reloads
  // on its watch thread and keeps the packs it has.
  static std::shared_ptr<const Engine> Load(const EngineOptions& options, std::vector<Diagnostic>* diagnostics);
  ~Engine();

  ResourceEvaluation Evaluate(const aimsgate::JsonValue& object, const EvalRequest& request,
                              cel::EvalState* scratch) const;

  std::vector<PackRef> packs() const;
  // Every rule of every pack, in load order (for SARIF drivers, `rules list`).
  struct RuleListing {
    const PackSpec* pack;
    const RuleSpec* rule;
    std::string full_id;
  };
  std::vector<RuleListing> rules() const;
  const Inventory* inventory() const { return inventory_.get(); }
  const WaiverSet* waivers() const { return waivers_.get(); }
  // The --models catalogue, or null.
  const model::ModelCatalogue* models() const { return models_.get(); }
  // CEL expressions and helpers compiled at load, over all packs (packs sharing
  // programs count once).
  size_t compiled_expressions() const;
  // `model.signature` ({verified, signer, mode, rootDigest, files, errors}) or null.
  const aimsgate::JsonValue* model_signature() const;

 private:
  Engine() = default;
  static std::shared_ptr<const Engine> LoadOrThrow(const EngineOptions& options, std::vector<Diagnostic>* diagnostics);
  std::vector<std::shared_ptr<const CompiledPack>> packs_;
  std::shared_ptr<const Inventory> inventory_;
  std::shared_ptr<const WaiverSet> waivers_;
  std::shared_ptr<aimsgate::JsonDocument> model_;  // null-valued when no model metadata
  std::shared_ptr<const model::ModelCatalogue> models_;
  std::shared_ptr<aimsgate::JsonDocument> synthetic_request_;
  // The first pack's "<prefix>system-id", "owner" and "risk-tier" keys, built once.
  std::string system_id_key_, owner_key_, risk_tier_key_;
  std::vector<EnforcementMode> pack_modes_;  // per packs_ entry
  // What a decision's results point into (the packs' rules, the waivers), kept
  // alive by every decision (Decision::owner) without locking the engine's own
  // reference count per evaluation.
  std::shared_ptr<const void> results_keep_alive_;
  EngineInputs inputs_;  // Evaluate's view of the members above, built once
};

// Compiles one pack (used by Engine::Load and `aimsgate lint`).  Diagnostics
// point into the pack's file.  With `programs` (a pack of the same non-empty
// PackSpec::program_key, e.g. one ValidatingAdmissionPolicy binding's params
// objects), its environment and programs are reused when the expressions are the
// same, so the policy is compiled once and the params are only activation values.
std::shared_ptr<const CompiledPack> CompilePack(PackSpec spec, const cel::Limits& limits,
                                                std::vector<Diagnostic>* diagnostics,
                                                const CompiledPack* programs = nullptr);

// Resolves --rules arguments to pack specs (files, directories, builtin:NAME).
std::vector<PackSpec> LoadPackPaths(const std::vector<std::string>& paths, std::vector<Diagnostic>* diagnostics,
                                    const std::vector<std::string>& context_paths = {});

// Applies --param/--params overrides to the packs' parameters: each value must
// have its declared default's type (a list where the default is a list...; a
// null default takes anything); maps deep-merge into the default, lists and
// scalars replace it.
bool ApplyParamOverrides(const std::vector<std::string>& overrides, const std::vector<std::string>& files,
                         std::vector<PackSpec>* packs, std::vector<Diagnostic>* diagnostics,
                         const std::vector<ParamOrigin>& origins = {});

}  // namespace aimsgate
