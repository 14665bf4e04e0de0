// The public face of aimsgate's CEL implementation: declare an environment,
// compile expressions once, evaluate them many times on parsed JSON documents.
//
//   cel::Env env;
//   int object_slot = env.DeclareVariable("object");
//   std::vector<cel::Diagnostic> diags;
//   env.DeclareFunction("isAISystem", {"o"}, "has(o.metadata.annotations)", &diags);  // helper
//   cel::CompileResult c = env.Compile("object.metadata.name.startsWith('ml-')");
//   if (!c.ok()) { ... c.diagnostics ... }
//
//   rapidjson::Document doc = ...;            // the manifest, never copied
//   cel::Activation act(env);
//   act.Set(object_slot, cel::Value::Json(doc));
//   cel::EvalState state;                      // reusable scratch, one per thread
//   cel::Value v = c.program->Evaluate(act, &state);
//   if (v.IsError()) ... v.ErrorMessage() ...; else if (v.IsBool()) ... v.BoolValue() ...
//
// Thread-safety: Env is not thread-safe while being built; once built, Compile
// and Evaluate may be called from many threads.  A Program is immutable and may
// be evaluated concurrently with one EvalState per thread.  A Program keeps the
// Env's declarations it needs alive (shared ownership), so an Env may be
// destroyed before its programs.
//
// Compile-time errors (syntax, undeclared identifiers and functions, wrong
// arity, constant operands of the wrong types, invalid constant regexes) come
// back as Diagnostics with offset, line and column; render them with
// FormatDiagnostic (ast.h).  Everything else is dynamic: a rule that meets an
// unexpected manifest shape evaluates to an error Value.
//
// Cost: every evaluation is bounded by Limits::cost_limit (roughly one unit per
// node visited and per element iterated, plus bytes scanned / 100), by
// Limits::max_comprehension_iterations, and by the list and string sizes it may
// build; going over any of them is an error Value (never absorbed by && or ||),
// never a hang or a crash.  Evaluation on a caller-provided EvalState does not
// allocate for field selection on JSON documents, and remembers the answers of
// constant-pattern matches per subject across evaluations (match_memo.h: 64 KiB
// at most, the same results and costs, fewer RE2 calls).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/value.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {

// Every budget in one place, with defaults taken from cel-cpp and Kubernetes.
struct Limits {
  int32_t max_expression_bytes = 100000;
  int32_t max_recursion_depth = 250;
  int64_t cost_limit = 1000000;              // per evaluation
  int64_t max_comprehension_iterations = 100000;  // per evaluation, all loops
  int64_t max_list_size = 1000000;           // elements in a list built during evaluation
  int64_t max_string_bytes = 16 << 20;       // bytes of a string built during evaluation
  int64_t regex_max_mem = 8 << 20;           // re2 max_mem per compiled regex
  int32_t regex_max_program_size = 10000;    // re2 ProgramSize() cap
  // Not a budget: plan-time folding of constants (bound variables, constant
  // subexpressions, `in` over constant lists, RE2::Set for pattern lists) and
  // the per-Activation memo of helper calls (planner.h).  false plans the plain
  // tree, for differential tests; results are the same either way.
  bool fold = true;
};

class Program;
class EnvImpl;
namespace internal {
struct EvalContext;
}

// What a native helper (Env::SetNative) may use of the evaluation calling it.
class NativeContext {
 public:
  explicit NativeContext(internal::EvalContext& ctx) : ctx_(ctx) {}
  // The first member named `key` of `obj` (kernel::Member's answer), or null
  // (none, or `obj` is not an object): cached as the evaluator's own field
  // selections are, while the activation's bindings stay the same (the
  // k8s.workloadAnnotation calls of a pack's rules all start at
  // object.metadata).  The cache knows `key` by its address: a string that
  // lives as long as the program, such as a static one.
  const aimsgate::JsonValue* Member(const aimsgate::JsonValue& obj, const std::string& key) const;

 private:
  internal::EvalContext& ctx_;
};

// Per-compilation switches.
struct CompileOptions {
  // Run the checker (undeclared identifiers, unknown functions, arity).  When
  // false, such references compile to nodes that evaluate to error values
  // (the conformance suite's `disableCheck`).
  bool check = true;
};

struct CompileResult {
  std::shared_ptr<const Program> program;  // null on error
  std::vector<Diagnostic> diagnostics;     // offsets into the compiled source
  bool ok() const { return program != nullptr; }
};

// Whether the trim() builtin returns `s` unchanged, judged from its ends alone:
// empty, or an ASCII, non-space first and last byte.  False means "decode it
// to know" (a Unicode space may be there).
inline bool NothingToTrim(std::string_view s) {
  auto plain = [](unsigned char c) { return c < 0x80 && c != ' ' && (c < '\t' || c > '\r'); };
  return s.empty() || (plain(static_cast<unsigned char>(s.front())) && plain(static_cast<unsigned char>(s.back())));
}

class Env {
 public:
  explicit Env(Limits limits = {});
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // Declares a variable visible to expressions and returns its slot in an
  // Activation.  Declaring the same name twice returns the same slot.
  int DeclareVariable(const std::string& name);

  // Declares a helper function written in CEL, e.g. isAISystem(o) with body
  // "o.kind in ['InferenceService']".  The body may use declared variables,
  // other helpers declared before it, and its parameters.  A dotted name
  // (k8s.podSpec) is called like a namespaced function: k8s.podSpec(object).
  // Returns false and fills diagnostics (offsets into `body`) when the body
  // does not compile.
  bool DeclareFunction(const std::string& name, const std::vector<std::string>& params,
                       const std::string& body, std::vector<Diagnostic>* diagnostics);

  // A native implementation of a declared helper, tried before its CEL body
  // wherever the planner folds (Limits::fold; the unfolded plan runs the body
  // only, so the fold differential test compares the two).  It sets *out and
  // *cost (units charged to the budget) and returns true, or returns false to
  // leave the input to the body: a native answers only the shapes it covers,
  // and must answer them exactly as the body would (value, never an error).
  // `ctx` is what it may use of the evaluation calling it (NativeContext).
  using NativeHelper = bool (*)(const Value* args, size_t n, Value* out, int64_t* cost, const NativeContext& ctx);
  // Attaches `fn` to the helper `name` (declared before, same parameters):
  // calls planned afterwards use it.  False when there is no such helper.
  bool SetNative(const std::string& name, NativeHelper fn);

  // Binds declared variable `slot` to a constant: expressions compiled (and
  // helpers declared) afterwards read `value` folded into their plan
  // (`params.prefix + 'owner'` becomes one string), so the Activation's value
  // for the slot must be the same (callers still set it: Limits::fold = false
  // reads it).  `keep_alive` owns what `value` borrows (a JSON document).
  void BindConstant(int slot, Value value, std::shared_ptr<const void> keep_alive = nullptr);

  // Parses, checks (unknown identifiers and functions, wrong arity) and plans.
  CompileResult Compile(const std::string& source) const;
  CompileResult Compile(const std::string& source, const CompileOptions& options) const;

  // Names of the declared variables, in slot order.
  const std::vector<std::string>& variables() const;

  const Limits& limits() const;

 private:
  std::shared_ptr<EnvImpl> impl_;
  friend class Activation;
};

// Values of the declared variables for one evaluation.  Cheap to build; holds
// Values that may borrow from JSON documents, which must outlive it and must
// not change while bound (after changing one, Set its slot again: what was
// memoized or looked up in it is forgotten then).
// A helper call whose arguments read only variables and constants
// (isAISystem(object), hasAnnotation(object, 'owner')) depends only on the
// activation, so its successful results are memoized here, in a slot the
// planner assigned to that call text, and shared by every program evaluated
// with this Activation (a pack's rules on one object): use an Activation from
// one thread at a time.  Set() forgets the memo.
class Activation {
 public:
  explicit Activation(const Env& env);
  // Forgets every value and memo and sizes the activation for `env`, keeping
  // its storage: an activation reused from object to object on one thread
  // (EvalState::ReusableActivation) allocates nothing once warm.
  // Slots in `keep` (bit i: slot i < 64) keep their value through the reset, for a
  // caller that re-binds them with Set*UnlessSame (values constant across objects).
  void Reset(const Env& env, uint64_t keep = 0);
  void Set(int slot, Value value) {
    if (slot < 0) return;
    const size_t i = static_cast<size_t>(slot);
    if (i >= values_.size()) values_.resize(i + 1);
    values_[i] = std::move(value);
    if (i < 64) {
      bound_ |= uint64_t{1} << i;
    } else {
      bound_beyond_64_ = true;
    }
    if (++generation_ == 0) ForgetMemo();
  }
  // Set(slot, Value::Json(node)), in place.
  void SetJson(int slot, const aimsgate::JsonValue& node) {
    if (slot < 0 || static_cast<size_t>(slot) >= values_.size() || slot >= 64) return Set(slot, Value::Json(node));
    values_[static_cast<size_t>(slot)].AssignJson(node);
    bound_ |= uint64_t{1} << slot;
    if (++generation_ == 0) ForgetMemo();
  }
  // Binds `slot` to the JSON `node` (null: null) or to the instant `seconds`,
  // unless it holds exactly that already: re-binding the same parameters,
  // request or time to a slot kept through Reset costs a comparison.
  void SetJsonUnlessSame(int slot, const aimsgate::JsonValue* node) {
    if (slot >= 0 && static_cast<size_t>(slot) < values_.size()) {
      const Value& held = values_[static_cast<size_t>(slot)];
      if (node == nullptr ? held.IsNull() : held.BorrowedJson() == node) return;
    }
    SetJsonOrNull(slot, node);
  }
  void SetTimestampUnlessSame(int slot, int64_t seconds) {
    if (slot >= 0 && static_cast<size_t>(slot) < values_.size()) {
      const Value& held = values_[static_cast<size_t>(slot)];
      if (held.IsTimestamp() && held.Seconds() == seconds && held.Nanos() == 0) return;
    }
    Set(slot, Value::Timestamp(seconds, 0));
  }
  // Inline: every variable read of every node goes through it.
  const Value& Get(int slot) const {
    if (slot < 0 || static_cast<size_t>(slot) >= values_.size()) return NullValue();
    return values_[static_cast<size_t>(slot)];
  }
  size_t size() const { return values_.size(); }
  // The activation for `now` etc. is set like any other variable.

  // What is bound, as a pair that changes whenever a value is set or the
  // activation is reset, and that no other activation (nor a copy) ever
  // has: while it stays the same, so do the documents the values borrow, and
  // an evaluation's cache of their members (EvalContext) stays valid.
  uint64_t bindings_id() const { return id_.value; }
  uint32_t bindings_generation() const { return generation_; }

  // The memoized result in `memo_slot` (EnvImpl::MemoSlot), or null.
  const Value* FindMemo(int memo_slot) const {
    const size_t i = static_cast<size_t>(memo_slot);
    return i < memo_.size() && memo_[i].generation == generation_ ? &memo_[i].value : nullptr;
  }
  void StoreMemo(int memo_slot, const Value& value) const;

  // Helper calls whose arguments are nodes of the activation's JSON documents
  // (containerUsesAccelerator(c) for each container c of `object`) are
  // memoized too, keyed by the helper and the nodes' addresses: every rule that
  // asks about the same container gets the first answer.  `helper` identifies
  // the helper; `args` are the nodes (kMaxJsonMemoArgs at most).
  static constexpr size_t kMaxJsonMemoArgs = 2;
  // Entries per activation generation beyond which results are no longer kept
  // (memory follows one object, bounded).
  static constexpr size_t kMaxJsonMemoEntries = 4096;
  const Value* FindJsonMemo(const void* helper, const aimsgate::JsonValue* const* args, size_t n) const;
  void StoreJsonMemo(const void* helper, const aimsgate::JsonValue* const* args, size_t n, const Value& value) const;

 private:
  struct Memo {
    uint32_t generation = 0;
    Value value;
  };
  struct JsonMemo {
    uint32_t generation = 0;
    const void* helper = nullptr;
    const aimsgate::JsonValue* args[kMaxJsonMemoArgs] = {};
    Value value;
  };
  // The slot of (helper, args) in json_memo_: its entry, or the empty one to fill.
  size_t JsonMemoSlot(const void* helper, const aimsgate::JsonValue* const* args, size_t n) const;
  void ForgetMemo();
  static const Value& NullValue();
  void SetJsonOrNull(int slot, const aimsgate::JsonValue* node);  // Set, out of the Unless-Same fast path

  std::vector<Value> values_;
  mutable std::vector<Memo> memo_;
  // Open addressing, a power of two in size, at most half full; entries of
  // older generations are empty.
  mutable std::vector<JsonMemo> json_memo_;
  mutable size_t json_memo_used_ = 0;
  mutable uint32_t json_memo_used_generation_ = 0;  // the generation json_memo_used_ counts
  uint32_t generation_ = 1;  // memo entries of older generations are stale
  // Unique per activation and per copy, never reused (bindings_id); renewed
  // when generation_ wraps.
  struct Id {
    Id() : value(Next()) {}
    Id(const Id&) : value(Next()) {}
    Id& operator=(const Id&) {
      value = Next();
      return *this;
    }
    static uint64_t Next();
    uint64_t value;
  };
  Id id_;
  // The slots Set since construction or Reset, which Reset clears one by one.
  uint64_t bound_ = 0;
  bool bound_beyond_64_ = false;
};

// Reusable per-thread scratch (comprehension stacks, counters, activations).
class EvalState {
 public:
  EvalState();
  ~EvalState();
  // The activation the caller keeps at `index` (one per pack of an engine),
  // Reset for `env` (every variable null but those in `keep`, see
  // Activation::Reset).  Valid until the next call with the same index; its
  // values borrow what the caller binds, as any Activation.
  Activation& ReusableActivation(size_t index, const Env& env, uint64_t keep = 0);
  struct Impl;
  Impl* impl() { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// What Program::EvaluateCondition came to.
enum class Condition : uint8_t { kFalse, kTrue, kOther };

class Program {
 public:
  virtual ~Program() = default;
  virtual Value Evaluate(const Activation& activation, EvalState* state) const = 0;
  // Evaluate where the caller wants a boolean (a rule's match.when or assert):
  // kTrue or kFalse with no Value built for it, or kOther with the value
  // Evaluate would have returned (an error, or not a bool) in *other.  The
  // same answers and cost as Evaluate.
  virtual Condition EvaluateCondition(const Activation& activation, EvalState* state, Value* other) const = 0;
  // Cost consumed by the last Evaluate on `state` (for metrics and benchmarks).
  static int64_t LastCost(const EvalState& state);
  // Cost consumed by every Evaluate on `state` since it was made (`rules bench`:
  // the units one rule spends, when, assert and message together).
  static int64_t TotalCost(const EvalState& state);
  const std::string& source() const { return source_; }

 protected:
  std::string source_;
};

}  // namespace aimsgate::cel
