// A rule pack compiled once into an immutable, evaluable form: one CEL
// environment per pack (its parameters and helper functions), every
// expression planned, kinds indexed so that an object only visits the rules
// that can match it.
//
// Thread-safety: immutable after CompilePack; evaluated from many threads.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

struct CompiledRule {
  const RuleSpec* spec = nullptr;
  std::string full_id;
  std::shared_ptr<const cel::Program> when;    // null = always
  std::shared_ptr<const cel::Program> assert_program;
  // message: literal text pieces interleaved with {{expr}} programs.
  struct MessagePart {
    std::string text;
    std::shared_ptr<const cel::Program> program;
  };
  std::vector<MessagePart> message;
  std::shared_ptr<const cel::Program> message_expression;
  // Rule-scoped parameters: the slot this rule's expressions read as `params`
  // (-1 = the pack's) and its value, the pack's parameters with the rule's over them.
  int params_slot = -1;
  std::shared_ptr<rapidjson::Document> params;
  // Rules with equal match.kinds share a class, so the engine matches the
  // kind/group/version globs once per object and class, not once per rule.
  int kinds_class = -1;
};

// Variable slots every pack environment declares, in this order.
struct PackSlots {
  int object, old_object, request, params, inventory, inventory_all, model, model_ref, now, namespace_object;
};

class CompiledPack {
 public:
  CompiledPack(PackSpec spec, const cel::Limits& limits);
  const PackSpec& spec() const { return spec_; }
  const cel::Env& env() const { return env_; }
  const PackSlots& slots() const { return slots_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // Indices of the rules whose kinds can match `kind`, in pack order.
  const std::vector<size_t>& RulesForKind(const std::string& kind) const;
  // Number of distinct match.kinds lists (CompiledRule::kinds_class < this).
  size_t kinds_classes() const { return kinds_classes_; }
  // Rules with their own parameters (CompiledRule::params_slot >= 0), whose
  // slots every activation of this pack must fill.
  const std::vector<size_t>& rules_with_params() const { return rules_with_params_; }
  // annotationPrefix parameter (default "aimsgate.io/"), for the inventory lookup.
  const std::string& annotation_prefix() const { return annotation_prefix_; }

 private:
  friend std::shared_ptr<const CompiledPack> CompilePack(PackSpec, const cel::Limits&, std::vector<Diagnostic>*);
  PackSpec spec_;
  cel::Env env_;
  PackSlots slots_{};
  std::vector<CompiledRule> rules_;
  std::unordered_map<std::string, std::vector<size_t>> by_kind_;
  std::vector<size_t> any_kind_;
  std::vector<size_t> rules_with_params_;  // rules matching kinds not named explicitly
  size_t kinds_classes_ = 0;
  std::string annotation_prefix_ = "aimsgate.io/";
};

}  // namespace aimsgate
