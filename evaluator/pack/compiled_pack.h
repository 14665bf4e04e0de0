// A rule pack compiled once into an immutable, evaluable form: one CEL
// environment per pack (its parameters and helper functions), every
// expression planned, match blocks compiled into a Matcher whose group/kind
// index makes an object visit only the rules that can match it.
//
// Thread-safety: immutable after CompilePack; evaluated from many threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/matcher.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

struct CompiledRule {
  const RuleSpec* spec = nullptr;
  // What every result of this rule points at (RuleResult::info): id "<pack>/<id>",
  // title, controls, severity, remediation, pack, failure policy.
  RuleInfo info;
  std::shared_ptr<const cel::Program> when;    // null = always
  std::shared_ptr<const cel::Program> assert_program;
  // message: literal text pieces interleaved with {{expr}} programs.
  struct MessagePart {
    std::string text;
    std::shared_ptr<const cel::Program> program;
  };
  std::vector<MessagePart> message;
  size_t message_literal_size = 0;  // the literal parts' total length (room reserved when rendering)
  std::shared_ptr<const cel::Program> message_expression;
  // Rule-scoped parameters: the slot this rule's expressions read as `params`
  // (-1 = the pack's) and its value, the pack's parameters with the rule's over them.
  int params_slot = -1;
  std::shared_ptr<aimsgate::JsonDocument> params;
  // No auditAnnotation, match.when or appliesFrom: evaluating it is its assert alone.
  bool plain = false;
};

// Variable slots every pack environment declares, in this order.
struct PackSlots {
  int object, old_object, request, params, inventory, inventory_all, model, model_ref, now, namespace_object;
  // The slots whose values are the same for every object of a run (the pack's
  // parameters, the inventory, the request in CI, the time): a reused activation
  // keeps them, and the evaluation re-binds them only when they differ.
  uint64_t kept_across_objects;
};

class CompiledPack {
 public:
  CompiledPack(PackSpec spec, const cel::Limits& limits);
  // A pack whose expressions are `programs`'s (PackSpec::program_key): it shares
  // that pack's environment and programs; only its parameters, names and match differ.
  CompiledPack(PackSpec spec, const CompiledPack& programs);
  const PackSpec& spec() const { return spec_; }
  const cel::Env& env() const { return *env_; }
  const PackSlots& slots() const { return slots_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // The rules' match blocks, compiled (matcher.h): candidates by group/kind.
  const Matcher& matcher() const { return matcher_; }
  // Rules with their own parameters (CompiledRule::params_slot >= 0), whose
  // slots every activation of this pack must fill.
  const std::vector<size_t>& rules_with_params() const { return rules_with_params_; }
  // annotationPrefix parameter (default "aimsgate.io/"), for the inventory lookup.
  const std::string& annotation_prefix() const { return annotation_prefix_; }
  // CEL expressions and helper functions compiled for this pack (0 when it shares
  // another pack's programs).
  size_t compiled_expressions() const { return compiled_expressions_; }

 private:
  friend std::shared_ptr<const CompiledPack> CompilePack(PackSpec, const cel::Limits&, std::vector<Diagnostic>*,
                                                         const CompiledPack*);
  void ReadParameters();
  PackSpec spec_;
  std::shared_ptr<cel::Env> env_;  // shared by packs of one program_key
  PackSlots slots_{};
  std::vector<CompiledRule> rules_;
  Matcher matcher_;
  std::vector<size_t> rules_with_params_;
  std::string annotation_prefix_ = "aimsgate.io/";
  size_t compiled_expressions_ = 0;
};

}  // namespace aimsgate
