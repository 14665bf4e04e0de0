// The evaluable form of a compiled CEL expression: an immutable tree of plan
// nodes (closures), built by the planner (planner.cc) and walked by
// Program::Evaluate.  Each node costs one budget unit per evaluation; loops
// and scanning functions charge more.
//
// Thread-safety: nodes are immutable; all mutable state is in EvalContext.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "evaluator/cel/env_impl.h"
#include "evaluator/cel/runtime.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel::internal {

class ConstNode : public Node {
 public:
  ConstNode(int32_t offset, Value v) : Node(offset), value_(std::move(v)) {}
  const Value* ConstantValue() const override { return &value_; }

 protected:
  Value DoEval(EvalContext&) const override { return value_; }

 private:
  Value value_;
};

class VariableNode : public Node {
 public:
  VariableNode(int32_t offset, int slot, std::string name) : Node(offset), slot_(slot), name_(std::move(name)) {}
  int slot() const { return slot_; }

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int slot_;
  std::string name_;
};

class LocalNode : public Node {
 public:
  LocalNode(int32_t offset, int index) : Node(offset), index_(index) {}
  int index() const { return index_; }

 protected:
  Value DoEval(EvalContext& ctx) const override { return ctx.Local(index_); }

 private:
  int index_;
};

// operand.f1.f2['k']...: a precomputed path of string keys from one operand.
// With test_only, the last step is a presence test (has()).
class PathNode : public Node {
 public:
  // `ids`: each key interned in the Env (EnvImpl::InternField), so that JSON
  // member lookups are cached per evaluation across nodes (EvalContext::FindMember).
  // `index_steps`: true for a key written m['k'] (empty: none), whose errors
  // are the `_[_]` operator's, not field selection's (a list, a missing key):
  // a helper's m[k] specialized with a constant k must fail as it did unspecialized.
  PathNode(int32_t offset, NodePtr operand, std::vector<std::string> keys, bool test_only,
           std::vector<const std::string*> ids = {}, std::vector<bool> index_steps = {});

  // What DoEval does, charging the same, up to the last key: where every step
  // before it is a JSON object, sets *member to the last key's member (null
  // when absent) and returns true; otherwise returns false with *result set
  // to DoEval's answer.
  bool FindLast(EvalContext& ctx, const aimsgate::JsonValue** member, Value* result) const;
  const Node& operand() const { return *operand_; }
  const std::vector<std::string>& keys() const { return keys_; }
  bool test_only() const { return test_only_; }
  // The root is a local or a variable read where it is (one unit, no node of its own).
  bool reads_in_place() const { return root_local_ >= 0 || root_slot_ >= 0; }
  // Both read the same local or variable in place.
  bool SameRoot(const PathNode& o) const {
    return reads_in_place() && root_local_ == o.root_local_ && root_slot_ == o.root_slot_;
  }

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  bool FindLastFrom(const Value& root, EvalContext& ctx, const aimsgate::JsonValue** member, Value* result) const;
  // The keys from `root`: through JSON objects on pointers, else Select.
  [[gnu::always_inline]] inline Value Walk(const Value& root, EvalContext& ctx) const;
  // From key `i` on, `v` being the value reached so far (any kind of value).
  [[gnu::noinline]] Value Select(Value v, size_t i, EvalContext& ctx) const;
  [[gnu::noinline, gnu::cold]] Value NoSuchKey(size_t i) const;
  bool IsIndex(size_t i) const { return i < index_steps_.size() && index_steps_[i]; }

  NodePtr operand_;
  std::vector<std::string> keys_;
  std::vector<const std::string*> ids_;  // empty, or one per key
  std::vector<bool> index_steps_;        // empty, or one per key
  bool test_only_;
  int root_local_ = -1;  // the operand is this local, or
  int root_slot_ = -1;   // this variable: read in place
};

// A strict builtin call: arguments are evaluated left to right and the first
// error among them is the result.
class CallNode : public Node {
 public:
  CallNode(int32_t offset, const FunctionDecl* fn, std::vector<NodePtr> args)
      : Node(offset), fn_(fn), args_(std::move(args)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  const FunctionDecl* fn_;
  std::vector<NodePtr> args_;
};

// `s.matches(re)` / `matches(s, re)` with a constant pattern compiled at plan time;
// answers are remembered per subject on the evaluation state (match_memo.h).
class RegexMatchNode : public Node {
 public:
  // `memo_id` is the pattern's (PatternTable): nodes of the same pattern share answers.
  RegexMatchNode(int32_t offset, NodePtr subject, std::shared_ptr<const RE2> re, uint64_t memo_id)
      : Node(offset), subject_(std::move(subject)), re_(std::move(re)), memo_id_(memo_id) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr subject_;
  std::shared_ptr<const RE2> re_;
  const uint64_t memo_id_;
};

// `x in c` where c is a constant list (folded at plan time): a string x is
// looked up among c's strings (a hash set for larger lists); anything else
// goes through the builtin, exactly as before folding.
class InConstListNode : public Node {
 public:
  InConstListNode(int32_t offset, NodePtr x, Value list, const FunctionDecl* in_fn);

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr x_;
  Value list_;  // owns (or borrows from a kept-alive document) the bytes viewed below
  const FunctionDecl* in_fn_;
  std::vector<std::string_view> small_;  // up to kSmall strings: a linear scan
  std::unordered_set<std::string_view> set_;
  static constexpr size_t kSmall = 8;
};

// `patterns.exists(p, s.matches(p))` / `.all(...)` over a constant list of
// patterns: one RE2::Set pass over s instead of one regex per pattern.  A
// subject that is not a string (or a set that runs out of memory) falls back
// to the comprehension, so errors stay exactly as they were.  The set's answers
// are remembered like RegexMatchNode's (match_memo.h).
class RegexSetNode : public Node {
 public:
  // `memo_id` is the pattern list's for this quantifier (PatternTable::Set).
  RegexSetNode(int32_t offset, NodePtr subject, std::shared_ptr<const RE2::Set> set, size_t count, bool all,
               NodePtr fallback, uint64_t memo_id)
      : Node(offset), subject_(std::move(subject)), set_(std::move(set)), count_(count), all_(all),
        fallback_(std::move(fallback)), memo_id_(memo_id) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr subject_;
  std::shared_ptr<const RE2::Set> set_;
  size_t count_;
  bool all_;
  NodePtr fallback_;
  const uint64_t memo_id_;
};

// `x == c` / `x != c` with c a constant: strings, booleans and null are
// compared inline, anything else through Equal (heterogeneous numbers, lists,
// maps).  The constant's unit of cost is still charged.
class EqualsConstNode : public Node {
 public:
  EqualsConstNode(int32_t offset, NodePtr x, Value c, bool negate)
      : Node(offset), x_(std::move(x)), c_(std::move(c)), negate_(negate) {}
  // `x != null`: x, else null.
  const Node* NotNullOperand() const { return negate_ && c_.IsNull() ? x_.get() : nullptr; }

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr x_;
  Value c_;
  bool negate_;
};

// `x < c`, `x <= c`, `x > c`, `x >= c` (or `c < x` ...) with c a constant:
// two ints are compared inline, anything else through the builtin, with the
// arguments in their written order.  The constant's unit is still charged.
class CompareConstNode : public Node {
 public:
  enum Op : uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual };  // the builtin's order
  CompareConstNode(int32_t offset, NodePtr x, Value c, bool const_left, Op op, const FunctionDecl* fn)
      : Node(offset), x_(std::move(x)), c_(std::move(c)), const_left_(const_left), op_(op), fn_(fn) {}

 protected:
  Value DoEval(EvalContext& ctx) const override { return ValueOf(DoEvalTruth(ctx), ctx); }
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr x_;
  Value c_;
  bool const_left_;
  Op op_;
  const FunctionDecl* fn_;
};

// `'key' in m` and `m['key']` with a constant string key (params.prefix +
// 'owner' folds to one): a JSON object m is searched through the lookup cache
// (EvalContext::FindMember); any other m, and a missing key of `m['key']`,
// go through the builtin, so results and errors stay those of the call.
class ConstKeyNode : public Node {
 public:
  ConstKeyNode(int32_t offset, NodePtr map, Value key, const std::string* id, bool index, const FunctionDecl* fn)
      : Node(offset), map_(std::move(map)), key_(std::move(key)), id_(id), index_(index), fn_(fn) {}

  // As PathNode::FindLast: for a JSON object m, sets *member and returns true.
  bool FindKey(EvalContext& ctx, const aimsgate::JsonValue** member, Value* result) const;
  const Node& map() const { return *map_; }
  const std::string* id() const { return id_; }
  bool index() const { return index_; }

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  // The answer for an m that is not a JSON object, or a missing m['key'].
  [[gnu::noinline]] Value ThroughBuiltin(const Value& m, EvalContext& ctx) const;

  NodePtr map_;
  Value key_;
  const std::string* id_;  // the key interned in the Env
  bool index_;             // m['key'], else 'key' in m
  const FunctionDecl* fn_;
};

class AndNode : public Node {
 public:
  AndNode(int32_t offset, NodePtr l, NodePtr r, bool is_or)
      : Node(offset), l_(std::move(l)), r_(std::move(r)), is_or_(is_or) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;
  // The rest, once `l` is evaluated to l (inlined: it is most of DoEvalTruth).
  [[gnu::always_inline]] inline Truth Finish(Truth l, EvalContext& ctx) const;
  // Finish's rarer cases: l not a boolean (it is in ctx.other), or r not one.
  [[gnu::noinline]] Truth FinishAfterOther(EvalContext& ctx) const;
  [[gnu::noinline]] Value NotBooleans(Value l, Value r) const;

  NodePtr l_, r_;
  bool is_or_;
};

// `has(p.f) && p.f != null` and `'k' in m && m['k'] != null` (m['k'] or m.k):
// the guard's walk finds the member, and the comparison reads it, without a
// second walk.  Charged what the two sides would be charged: the guard as it
// is, the comparison its fixed cost on a hit (`hit_cost`, from the planner).
// Anything off the JSON-object path (an error, a map value, a missing step)
// finishes as the AndNode it replaces.
class NotNullGuardNode : public AndNode {
 public:
  // `guard` is l (a has() PathNode or an `in` ConstKeyNode); r is `x != null`.
  // With `needs_activation`, the comparison rereads a memoized helper call:
  // it costs hit_cost only when answered from the Activation's memo.
  NotNullGuardNode(int32_t offset, NodePtr l, NodePtr r, int64_t hit_cost, bool needs_activation)
      : AndNode(offset, std::move(l), std::move(r), false), has_(dynamic_cast<const PathNode*>(l_.get())),
        in_(dynamic_cast<const ConstKeyNode*>(l_.get())), hit_cost_(hit_cost), needs_activation_(needs_activation) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  const PathNode* has_;
  const ConstKeyNode* in_;
  int64_t hit_cost_;
  bool needs_activation_;
};

class ConditionalNode : public Node {
 public:
  ConditionalNode(int32_t offset, NodePtr c, NodePtr t, NodePtr f)
      : Node(offset), c_(std::move(c)), t_(std::move(t)), f_(std::move(f)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr c_, t_, f_;
};

class NotStrictlyFalseNode : public Node {
 public:
  NotStrictlyFalseNode(int32_t offset, NodePtr a) : Node(offset), a_(std::move(a)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr a_;
};

// `!a`: the builtin's answers and cost, with a boolean operand read as a truth.
class NotNode : public Node {
 public:
  NotNode(int32_t offset, NodePtr a) : Node(offset), a_(std::move(a)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override { return ValueOf(DoEvalTruth(ctx), ctx); }
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr a_;
};

// opt.or(alt) and opt.orValue(alt): `alt` is evaluated only when needed.
class OptionalOrNode : public Node {
 public:
  OptionalOrNode(int32_t offset, NodePtr opt, NodePtr alt, bool or_value)
      : Node(offset), opt_(std::move(opt)), alt_(std::move(alt)), or_value_(or_value) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr opt_, alt_;
  bool or_value_;
};

class ListNode : public Node {
 public:
  ListNode(int32_t offset, std::vector<NodePtr> elems, std::vector<bool> optional)
      : Node(offset), elems_(std::move(elems)), optional_(std::move(optional)) {}
  // Evaluates the elements; returns false and sets *error on failure.
  bool EvalItems(EvalContext& ctx, std::vector<Value>* out, Value* error) const;
  // The one element of `[e]` (not optional), or null.
  const Node* SingleElement() const {
    return elems_.size() == 1 && !optional_[0] ? elems_[0].get() : nullptr;
  }

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  std::vector<NodePtr> elems_;
  std::vector<bool> optional_;
};

class MapNode : public Node {
 public:
  MapNode(int32_t offset, std::vector<NodePtr> keys, std::vector<NodePtr> values, std::vector<bool> optional)
      : Node(offset), keys_(std::move(keys)), values_(std::move(values)), optional_(std::move(optional)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  std::vector<NodePtr> keys_, values_;
  std::vector<bool> optional_;
};

// accu + [elem] inside a comprehension: appends in place when the accumulator
// list is not shared, so map() and filter() are linear, not quadratic.
class AppendNode : public Node {
 public:
  AppendNode(int32_t offset, int accu, std::unique_ptr<ListNode> elems)
      : Node(offset), accu_(accu), elems_(std::move(elems)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int accu_;
  std::unique_ptr<ListNode> elems_;
};

// The all() and exists() macros as a native loop: one predicate evaluation
// per element, charged one unit per step (the generic comprehension walks
// condition, step and accumulator nodes for each).  Same results as the
// macro expansion: the first decisive boolean wins, else the first error
// (or the no-overload error of a non-boolean predicate), else all/!exists.
class QuantifierNode : public Node {
 public:
  QuantifierNode(int32_t offset, NodePtr range, NodePtr pred, int iter, int iter2, bool all)
      : Node(offset), range_(std::move(range)), pred_(std::move(pred)), iter_(iter), iter2_(iter2), all_(all) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  NodePtr range_, pred_;
  int iter_, iter2_;
  bool all_;
};

// map() and filter() (`[].map(x, f)`, `.filter(x, p)`, `.map(x, p, f)`) as a
// native loop building its list directly.  Charged what the macro expansion's
// ComprehensionNode is charged, unit for unit: the `[]` init and the `true`
// condition, per step the append (and for a filter the conditional, plus the
// accumulator read when the element is left out), and the final read of the
// accumulator.  Errors as there: an error element or condition becomes the
// accumulator, later steps still run (and cost), the last error wins.
class MapLoopNode : public Node {
 public:
  // `filter`: null for map(); `elem`: the element appended.
  MapLoopNode(int32_t offset, NodePtr range, NodePtr filter, NodePtr elem, int iter, int iter2)
      : Node(offset), range_(std::move(range)), filter_(std::move(filter)), elem_(std::move(elem)), iter_(iter),
        iter2_(iter2) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  NodePtr range_, filter_, elem_;
  int iter_, iter2_;
  static constexpr size_t kMaxReserved = 1024;
};

class ComprehensionNode : public Node {
 public:
  struct Parts {
    NodePtr range, init, cond, step, result;
    int iter = -1, iter2 = -1, accu = -1;
  };
  ComprehensionNode(int32_t offset, Parts p) : Node(offset), p_(std::move(p)) {
    const Value* c = p_.cond->ConstantValue();
    cond_always_true_ = c != nullptr && c->IsBool() && c->BoolValue();
    const Value* i = p_.init->ConstantValue();
    builds_list_ = cond_always_true_ && i != nullptr && i->IsList() && i->ListSize() == 0;
  }

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  Parts p_;
  bool cond_always_true_ = false;  // map() and filter(): the condition is the constant true
  // map() and filter(): the accumulator starts as [] and grows by one element a step,
  // so it starts as a list of its own with room for the range (no regrowth, and
  // the first step appends in place instead of copying the shared constant).
  bool builds_list_ = false;
  static constexpr size_t kMaxReserved = 1024;
};

// cel.bind(name, init, body).
class BindNode : public Node {
 public:
  BindNode(int32_t offset, int local, NodePtr init, NodePtr body)
      : Node(offset), local_(local), init_(std::move(init)), body_(std::move(body)) {}

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  int local_;
  NodePtr init_, body_;
};

// A call of a helper declared with Env::DeclareFunction: arguments are bound
// to the helper's parameters in a new frame of locals (errors are passed as
// values, exactly as if the body had been written inline).  A call whose
// arguments depend on the activation only (isAISystem(object),
// hasAnnotation(object, 'owner')) is memoized in the Activation, shared by
// every program evaluated on it: memo_slot is its slot (EnvImpl::MemoSlot),
// -1 otherwise.  With `memo_on_json`, a call whose arguments turn out to be
// nodes of the activation's JSON documents (a container of `object`) is
// memoized in the Activation under those nodes (Activation::FindJsonMemo).
class HelperCallNode : public Node {
 public:
  // With `specialized` (its body not null), the call runs that body instead:
  // the arguments are already in it.
  HelperCallNode(int32_t offset, const HelperDef* helper, std::vector<NodePtr> args, int memo_slot = -1,
                 const SpecializedHelper* specialized = nullptr, bool memo_on_json = false)
      : Node(offset), helper_(helper), args_(std::move(args)), memo_slot_(memo_slot),
        specialized_(specialized && specialized->body ? specialized : nullptr),
        memo_on_json_(memo_on_json && memo_slot < 0 && !specialized_ && !args_.empty() &&
                      args_.size() <= Activation::kMaxJsonMemoArgs) {}
  // The Activation memo slot of a call on the activation only, or -1.
  int memo_slot() const { return memo_slot_; }

 protected:
  Value DoEval(EvalContext& ctx) const override;
  // A memoized boolean is read where it is kept, without a copy.
  Truth DoEvalTruth(EvalContext& ctx) const override;

 private:
  Value Call(EvalContext& ctx) const;
  // Evaluates the arguments into a new frame at the top of ctx.locals; false
  // (frame released) when the budget ran out on the way.
  bool PushArguments(EvalContext& ctx, size_t new_base) const;
  Value RunBody(EvalContext& ctx, size_t new_base) const;
  Value CallMemoizedOnJson(EvalContext& ctx) const;

  const HelperDef* helper_;
  std::vector<NodePtr> args_;
  int memo_slot_;
  const SpecializedHelper* specialized_;
  bool memo_on_json_;
};

// A call of a helper with a native implementation (Env::SetNative): the
// arguments are evaluated and handed to it; where it declines (a shape it
// does not cover, an argument that is an error), `body_call` (the
// HelperCallNode the call would otherwise be) runs instead.  A call on the
// activation only shares `memo_slot` with that node.
class NativeCallNode : public Node {
 public:
  static constexpr size_t kMaxArgs = 4;
  static constexpr int64_t kMaxCost = 1024;
  static constexpr int64_t kBodyIterationsPerUnit = 4;
  static constexpr int64_t kBodyCostPerUnit = 32;
  NativeCallNode(int32_t offset, Env::NativeHelper native, std::vector<NodePtr> args, int memo_slot,
                 NodePtr body_call)
      : Node(offset), native_(native), args_(std::move(args)), memo_slot_(memo_slot), body_call_(std::move(body_call)) {}
  int memo_slot() const { return memo_slot_; }

 protected:
  Value DoEval(EvalContext& ctx) const override;

 private:
  Env::NativeHelper native_;
  std::vector<NodePtr> args_;
  int memo_slot_;
  NodePtr body_call_;
};

// A reference the checker would have rejected, when compiled without checks.
class ErrorNode : public Node {
 public:
  ErrorNode(int32_t offset, std::string message) : Node(offset), message_(std::move(message)) {}

 protected:
  Value DoEval(EvalContext&) const override { return Value::Error(message_); }

 private:
  std::string message_;
};

}  // namespace aimsgate::cel::internal
