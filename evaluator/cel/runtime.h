// Internals shared by the CEL planner and the function library: the
// per-evaluation context (budgets, local variables) and the plan node
// interface.  Not part of the public API; use cel.h.
//
// Thread-safety: an EvalContext belongs to one evaluation on one thread; plan
// nodes are immutable and shared between threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/cel/match_memo.h"
#include "evaluator/cel/value.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"

namespace aimsgate::cel {

class RegexCache;

namespace internal {

// How much stack below Program::Evaluate's frame nested helper calls may use.
// A tree's own height is bounded by the parser (kMaxRecursionCap); helpers
// calling helpers are not, so HelperCallNode checks this (a chain of 1,500
// helpers is an error, not a stack overflow).
inline constexpr uintptr_t kMaxEvalStackBytes = 256 * 1024;

struct EvalContext {
  const Limits* limits = nullptr;
  const Activation* activation = nullptr;
  RegexCache* regex_cache = nullptr;
  int64_t cost = 0;
  // limits->cost_limit while within budget; INT64_MIN once exhausted, so that
  // Node::Eval's one comparison catches both (cost >= cost_cap).
  int64_t cost_cap = 0;
  int64_t iterations = 0;
  // The value of the last Node::EvalTruth that answered kOther (read at once).
  Value other;
  // Helper calls nest no deeper than this address (HelperCallNode): a chain of
  // helpers is the one way an evaluation can recurse past the parser's bound
  // on a tree's height.
  uintptr_t stack_floor = 0;
  bool exhausted = false;
  Value budget_error;
  // The frames of local variables: [0, locals_top) is in use, every slot past
  // it is null.  The vector only grows (a resize up and down per helper call
  // was 1.8% of the ISO pack's instructions in the growing resize alone).
  std::vector<Value> locals;
  size_t locals_top = 0;
  size_t frame_base = 0;
  // Kept across evaluations (Reset leaves it): see match_memo.h.
  MatchMemo match_memo;

  void Reset(const Limits* l, const Activation* a, RegexCache* rc, size_t num_locals) {
    limits = l;
    activation = a;
    regex_cache = rc;
    cost = 0;
    cost_cap = l->cost_limit;
    iterations = 0;
    const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    stack_floor = here > kMaxEvalStackBytes ? here - kMaxEvalStackBytes : 0;
    if (exhausted) budget_error = Value();
    exhausted = false;
    PopLocals(0);
    PushLocals(num_locals);
    frame_base = 0;
    // Member lookups stay cached from program to program (a pack's rules on
    // one object) while the same bindings are evaluated; without an
    // activation (folding constants), never.
    if (a == nullptr || a->bindings_id() != lookups_bindings_id ||
        a->bindings_generation() != lookups_bindings_generation) {
      NewLookupGeneration();
      lookups_bindings_id = a ? a->bindings_id() : 0;
      lookups_bindings_generation = a ? a->bindings_generation() : 0;
    }
  }
  // Marks the evaluation as over budget; every node then returns this error.
  Value Exhaust(std::string message) {
    if (!exhausted) {
      exhausted = true;
      cost_cap = INT64_MIN;
      budget_error = Value::Error(std::move(message));
    }
    return budget_error;
  }
  // Adds `c` units; returns false (and exhausts) when over the cost limit.
  // Inline fast path: every node evaluation pays it (callgrind: 2% of a pack's
  // evaluation while the message formatting kept it out of line).
  bool AddCost(int64_t c) {
    cost += c;
    if (__builtin_expect(cost > cost_cap, 0)) return OverCost();
    return true;
  }
  [[gnu::noinline, gnu::cold]] bool OverCost() {
    Exhaust("cost budget exceeded: evaluation cost over " + std::to_string(limits->cost_limit));
    return false;
  }
  // Node::Eval's slow path: charges the unit and returns the budget error.
  [[gnu::noinline, gnu::cold]] Value OverBudget() {
    ++cost;
    if (!exhausted) OverCost();
    return budget_error;
  }
  // False (and exhausted) when a helper call would nest past stack_floor.
  bool HelperDepthOk() {
    if (__builtin_expect(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) >= stack_floor, 1)) return true;
    Exhaust("evaluation nested too deeply (helper call chain too long)");
    return false;
  }
  Value& Local(int index) { return locals[frame_base + static_cast<size_t>(index)]; }
  // Opens `n` null slots at the top; returns where they start.  May move the
  // slots: hold indices across it, not references.
  size_t PushLocals(size_t n) {
    const size_t base = locals_top;
    locals_top += n;
    if (__builtin_expect(locals_top > locals.size(), 0)) GrowLocals();
    return base;
  }
  // Releases the slots from `base` up (their values, and the frame).
  void PopLocals(size_t base) {
    for (size_t i = base; i < locals_top; ++i) {
      if (!locals[i].IsNull()) locals[i].Clear();
    }
    locals_top = base;
  }
  [[gnu::noinline]] void GrowLocals() { locals.resize(std::max(locals_top, 2 * locals.size())); }

  // The member `*key` of a JSON object, or null; `key` is interned per Env, so
  // the pair (object, key) identifies a lookup.  Rules repeat paths
  // (has(c.x) && has(c.x.y) && c.x.y == 1), and rules repeat them
  // (object.metadata.labels): answers are cached while the activation's
  // bindings stay the same (Reset), which is when its memo is valid too (the
  // documents cannot change or be freed while they are bound).
  // (Scanning objects of up to 3 or 8 members without the cache was measured
  // too: no better on typical10, where the cache answers 18% of lookups, and
  // worse at 8.)
  [[gnu::always_inline]] const aimsgate::JsonValue* FindMember(const aimsgate::JsonValue& obj, const std::string* key) {
    const uintptr_t h = (reinterpret_cast<uintptr_t>(&obj) >> 4) ^ (reinterpret_cast<uintptr_t>(key) >> 3);
    LookupEntry& e = lookups[(h ^ (h >> 7)) & (kLookupSlots - 1)];
    if (e.generation == generation && e.object == &obj && e.key == key) return e.member;
    const aimsgate::JsonValue* found = ScanMembers(obj, *key);
    e = {&obj, key, found, generation};
    return found;
  }
  // Keys compared inline, by words (a memcmp call per candidate cost more
  // than the comparison on these short keys).
  [[gnu::always_inline]] static const aimsgate::JsonValue* ScanMembers(const aimsgate::JsonValue& obj, const std::string& key) {
    const size_t n = key.size();
    const char* k = key.data();
    for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
      if (m->name.GetStringLength() == n && kernel::BytesEqual(m->name.GetString(), k, n)) return &m->value;
    }
    return nullptr;
  }
  // Starts a new evaluation: every cached lookup becomes stale.
  void NewLookupGeneration() {
    if (++generation == 0) {
      for (auto& e : lookups) e = LookupEntry();
      generation = 1;
    }
  }

 private:
  struct LookupEntry {
    const aimsgate::JsonValue* object = nullptr;
    const std::string* key = nullptr;
    const aimsgate::JsonValue* member = nullptr;
    uint32_t generation = 0;
  };
  static constexpr size_t kLookupSlots = 64;
  LookupEntry lookups[kLookupSlots];
  uint32_t generation = 1;
  // The bindings the current generation's lookups were made under
  // (Activation::bindings_id, an id no activation has at first).
  uint64_t lookups_bindings_id = 0;
  uint32_t lookups_bindings_generation = 0;
};


// What a node evaluated where a boolean is wanted (a condition, an operand of
// && or ||, a quantifier's predicate) came to: a boolean, or another value.
enum class Truth : uint8_t { kFalse, kTrue, kOther };

class Node {
 public:
  explicit Node(int32_t offset) : offset_(offset) {}
  virtual ~Node() = default;
  // Evaluates with one unit of cost; over budget, returns the budget error.
  // Every node evaluation pays this, so it is one comparison and a tail call
  // (callgrind: the wrapper with an exhausted flag and a depth counter was 18%
  // of the ISO pack's evaluation).
  Value Eval(EvalContext& ctx) const {
    if (__builtin_expect(ctx.cost >= ctx.cost_cap, 0)) return ctx.OverBudget();
    ++ctx.cost;
    return DoEval(ctx);
  }
  // Eval where a boolean is wanted: the same value and cost, but a boolean
  // comes back as kTrue/kFalse without a Value built and destroyed for it;
  // anything else is kOther, with the value in ctx.other (take it before the
  // next evaluation).
  Truth EvalTruth(EvalContext& ctx) const {
    if (__builtin_expect(ctx.cost >= ctx.cost_cap, 0)) {
      ctx.other = ctx.OverBudget();
      return Truth::kOther;
    }
    ++ctx.cost;
    return DoEvalTruth(ctx);
  }
  int32_t offset() const { return offset_; }
  // The constant this node always yields, or null (for folding).
  virtual const Value* ConstantValue() const { return nullptr; }

 protected:
  virtual Value DoEval(EvalContext& ctx) const = 0;
  // Nodes that yield booleans override it (and DoEval with ValueOf).
  virtual Truth DoEvalTruth(EvalContext& ctx) const { return TruthOf(DoEval(ctx), ctx); }
  static Truth TruthOf(Value v, EvalContext& ctx) {
    if (v.IsBool()) return v.BoolValue() ? Truth::kTrue : Truth::kFalse;
    ctx.other = std::move(v);
    return Truth::kOther;
  }
  static Truth TruthOf(bool b) { return b ? Truth::kTrue : Truth::kFalse; }
  static Value ValueOf(Truth t, EvalContext& ctx) {
    return t == Truth::kOther ? std::move(ctx.other) : Value::Bool(t == Truth::kTrue);
  }
  // ctx.other's truth, leaving a non-boolean in place.
  static Truth OtherTruth(EvalContext& ctx) {
    if (!ctx.other.IsBool()) return Truth::kOther;
    return ctx.other.BoolValue() ? Truth::kTrue : Truth::kFalse;
  }
  static Truth Other(Value v, EvalContext& ctx) {
    ctx.other = std::move(v);
    return Truth::kOther;
  }
  static Truth BudgetTruth(EvalContext& ctx) { return Other(ctx.budget_error, ctx); }

 private:
  int32_t offset_;
};
using NodePtr = std::unique_ptr<Node>;

// A builtin function: `args` holds the receiver (if any) first, then the
// arguments; none of them is an error (errors propagate before the call).
using FunctionImpl = Value (*)(const Value* args, size_t nargs, EvalContext& ctx);

struct FunctionDecl {
  const char* name;
  uint32_t global_arities;    // bit n: callable as name(a1..an)
  uint32_t receiver_arities;  // bit n: callable as x.name(a1..an)
  FunctionImpl impl;
};

// Looks up a builtin by name (operators use their spec names, "_+_").
const FunctionDecl* FindFunction(std::string_view name);

// "found no matching overload for 'f' applied to (int, string)".
Value NoOverload(std::string_view function, const Value* args, size_t nargs);

}  // namespace internal
}  // namespace aimsgate::cel
