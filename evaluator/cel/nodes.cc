#include "evaluator/cel/nodes.h"

#include <algorithm>
#include <atomic>
#include <new>

#include "evaluator/cel/builtins.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel::internal {

namespace {

// A comprehension's step i: its variable is the list's element or the map's
// key; with a second variable, the index and the element, or the key and the value.
[[gnu::always_inline]] inline void BindStep(EvalContext& ctx, const Value& range, bool is_list, size_t i, int iter,
                                            int iter2) {
  if (is_list) {
    if (iter2 >= 0) {
      ctx.Local(iter) = Value::Int(static_cast<int64_t>(i));
      ctx.Local(iter2) = range.ListAt(i);
    } else {
      ctx.Local(iter) = range.ListAt(i);
    }
  } else {
    Value k, v;
    range.MapEntryAt(i, &k, iter2 >= 0 ? &v : nullptr);
    ctx.Local(iter) = std::move(k);
    if (iter2 >= 0) ctx.Local(iter2) = std::move(v);
  }
}

// A native call's arguments: only as many Values as it has are built and
// destroyed (a default array of NativeCallNode::kMaxArgs cost the ISO pack
// about 2% of its instructions, callgrind).
class NativeArgs {
 public:
  NativeArgs() {}
  ~NativeArgs() {
    for (size_t i = 0; i < n_; ++i) v_[i].~Value();
  }
  NativeArgs(const NativeArgs&) = delete;
  NativeArgs& operator=(const NativeArgs&) = delete;
  const Value& Push(const Node& arg, EvalContext& ctx) {
    const Value* v = new (&v_[n_]) Value(arg.Eval(ctx));
    ++n_;
    return *v;
  }
  const Value* data() const { return v_; }
  size_t size() const { return n_; }

 private:
  union {
    Value v_[NativeCallNode::kMaxArgs];
  };
  size_t n_ = 0;
};

[[gnu::noinline, gnu::cold]] Value IterationLimit(EvalContext& ctx) {
  return ctx.Exhaust("comprehension iteration limit exceeded: more than " +
                     std::to_string(ctx.limits->max_comprehension_iterations) + " iterations");
}

[[gnu::noinline, gnu::cold]] Value NotARange(const Value& range) {
  return Value::Error("expression of type '" + std::string(range.TypeNameOf()) +
                      "' cannot be the range of a comprehension");
}

}  // namespace

Value VariableNode::DoEval(EvalContext& ctx) const {
  if (ctx.activation == nullptr || static_cast<size_t>(slot_) >= ctx.activation->size()) {
    return Value::Error("no value for variable '" + name_ + "'");
  }
  return ctx.activation->Get(slot_);
}

PathNode::PathNode(int32_t offset, NodePtr operand, std::vector<std::string> keys, bool test_only,
                   std::vector<const std::string*> ids, std::vector<bool> index_steps)
    : Node(offset), operand_(std::move(operand)), keys_(std::move(keys)), ids_(std::move(ids)),
      index_steps_(std::move(index_steps)), test_only_(test_only) {
  if (std::find(index_steps_.begin(), index_steps_.end(), true) == index_steps_.end()) index_steps_.clear();
  if (const auto* local = dynamic_cast<const LocalNode*>(operand_.get())) root_local_ = local->index();
  if (const auto* var = dynamic_cast<const VariableNode*>(operand_.get())) root_slot_ = var->slot();
}

Value PathNode::DoEval(EvalContext& ctx) const {
  // A local or a variable is read where it is, not copied out of a node
  // evaluation; the unit that node would cost is still charged.
  if (root_local_ >= 0) {
    if (!ctx.AddCost(1)) return ctx.budget_error;
    return Walk(ctx.Local(root_local_), ctx);
  }
  if (root_slot_ >= 0 && ctx.activation != nullptr && static_cast<size_t>(root_slot_) < ctx.activation->size()) {
    if (!ctx.AddCost(1)) return ctx.budget_error;
    return Walk(ctx.activation->Get(root_slot_), ctx);
  }
  const Value operand = operand_->Eval(ctx);
  return Walk(operand, ctx);
}

bool PathNode::FindLast(EvalContext& ctx, const aimsgate::JsonValue** member, Value* result) const {
  if (root_local_ >= 0) {
    if (!ctx.AddCost(1)) {
      *result = ctx.budget_error;
      return false;
    }
    return FindLastFrom(ctx.Local(root_local_), ctx, member, result);
  }
  if (root_slot_ >= 0 && ctx.activation != nullptr && static_cast<size_t>(root_slot_) < ctx.activation->size()) {
    if (!ctx.AddCost(1)) {
      *result = ctx.budget_error;
      return false;
    }
    return FindLastFrom(ctx.activation->Get(root_slot_), ctx, member, result);
  }
  const Value operand = operand_->Eval(ctx);
  return FindLastFrom(operand, ctx, member, result);
}

bool PathNode::FindLastFrom(const Value& root, EvalContext& ctx, const aimsgate::JsonValue** member,
                            Value* result) const {
  const aimsgate::JsonValue* obj = ids_.empty() ? nullptr : root.json();
  const size_t last = keys_.size() - 1;
  for (size_t i = 0; obj != nullptr && i < last; ++i) {
    obj = obj->IsObject() ? ctx.FindMember(*obj, ids_[i]) : nullptr;
  }
  if (obj == nullptr || !obj->IsObject()) {
    *result = Walk(root, ctx);  // the answers of the slow path (cached lookups: no second walk's cost)
    return false;
  }
  *member = ctx.FindMember(*obj, ids_[last]);
  return true;
}

Value PathNode::Walk(const Value& root, EvalContext& ctx) const {
  // Through JSON objects on rapidjson pointers alone (a Value is built once, at
  // the end): the same answers as Select, through the lookup cache.
  const aimsgate::JsonValue* obj = ids_.empty() ? nullptr : root.json();
  if (obj == nullptr) return Select(root, 0, ctx);
  const size_t n = keys_.size();
  for (size_t i = 0; i < n; ++i) {
    if (!obj->IsObject()) return i == 0 ? Select(root, 0, ctx) : Select(Value::Json(*obj), i, ctx);
    const aimsgate::JsonValue* member = ctx.FindMember(*obj, ids_[i]);
    if (test_only_ && i + 1 == n) return Value::Bool(member != nullptr);
    if (member == nullptr) return NoSuchKey(i);
    obj = member;
  }
  return Value::Json(*obj);
}

Value PathNode::Select(Value v, size_t i, EvalContext& ctx) const {
  for (; i < keys_.size(); ++i) {
    if (v.IsError()) return v;
    const bool test_only = test_only_ && i + 1 == keys_.size();
    const aimsgate::JsonValue* obj = ids_.empty() ? nullptr : v.json();
    if (obj == nullptr || !obj->IsObject()) {
      if (IsIndex(i)) {
        static const FunctionDecl* const kIndex = FindFunction("_[_]");
        const Value args[2] = {std::move(v), Value::String(keys_[i])};
        v = kIndex->impl(args, 2, ctx);
      } else {
        v = SelectField(v, keys_[i], test_only);
      }
      continue;
    }
    // A JSON object: the same answers as SelectField, through the lookup cache.
    const aimsgate::JsonValue* member = ctx.FindMember(*obj, ids_[i]);
    if (test_only) return Value::Bool(member != nullptr);
    if (member == nullptr) return NoSuchKey(i);
    v = Value::Json(*member);
  }
  return v;
}

Value PathNode::NoSuchKey(size_t i) const {
  // The messages of SelectField and of the `_[_]` builtin (Index).
  if (IsIndex(i)) return Value::Error("no such key: " + Value::String(keys_[i]).DebugString());
  return Value::Error("no such key: '" + keys_[i] + "'");
}

// has(): Walk's answers, the last step's as a truth.  The root is resolved as
// in DoEval and FindLast, written out again: one helper for the three cost
// typical10 0.8% (callgrind), the truth path itself is worth 3.2% there.
Truth PathNode::DoEvalTruth(EvalContext& ctx) const {
  const Value* root;
  if (!test_only_) {
    return TruthOf(DoEval(ctx), ctx);
  } else if (root_local_ >= 0) {
    if (!ctx.AddCost(1)) return BudgetTruth(ctx);
    root = &ctx.Local(root_local_);
  } else if (root_slot_ >= 0 && ctx.activation != nullptr &&
             static_cast<size_t>(root_slot_) < ctx.activation->size()) {
    if (!ctx.AddCost(1)) return BudgetTruth(ctx);
    root = &ctx.activation->Get(root_slot_);
  } else {
    return TruthOf(DoEval(ctx), ctx);
  }
  const aimsgate::JsonValue* obj = ids_.empty() ? nullptr : root->json();
  if (obj == nullptr) return TruthOf(Select(*root, 0, ctx), ctx);
  const size_t last = keys_.size() - 1;
  for (size_t i = 0; i <= last; ++i) {
    if (!obj->IsObject()) return TruthOf(i == 0 ? Select(*root, 0, ctx) : Select(Value::Json(*obj), i, ctx), ctx);
    const aimsgate::JsonValue* member = ctx.FindMember(*obj, ids_[i]);
    if (i == last) return TruthOf(member != nullptr);
    if (member == nullptr) return Other(NoSuchKey(i), ctx);
    obj = member;
  }
  return Truth::kFalse;  // not reached: keys_ is never empty
}

Value CallNode::DoEval(EvalContext& ctx) const {
  // Most calls take one or two arguments: only as many Values as needed are
  // built (each is 48 bytes with a shared_ptr to construct and destroy).
  const size_t n = args_.size();
  if (n == 1) {
    Value a = args_[0]->Eval(ctx);
    if (a.IsError()) return a;
    return fn_->impl(&a, 1, ctx);
  }
  if (n == 2) {
    Value a[2] = {args_[0]->Eval(ctx), Value()};
    if (a[0].IsError()) return std::move(a[0]);
    a[1] = args_[1]->Eval(ctx);
    if (a[1].IsError()) return std::move(a[1]);
    return fn_->impl(a, 2, ctx);
  }
  Value args[4];
  std::vector<Value> many;
  Value* a = args;
  if (n > 4) {
    many.resize(n);
    a = many.data();
  }
  for (size_t i = 0; i < n; ++i) {
    a[i] = args_[i]->Eval(ctx);
    if (a[i].IsError()) return a[i];
  }
  return fn_->impl(a, n, ctx);
}

uint64_t MatchMemo::NewMatcherId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Value RegexMatchNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth RegexMatchNode::DoEvalTruth(EvalContext& ctx) const {
  Value s = subject_->Eval(ctx);
  if (s.IsError()) return Other(std::move(s), ctx);
  if (!s.IsString()) return Other(NoOverload("matches", &s, 1), ctx);
  std::string_view sv = s.StringValue();
  if (!ctx.AddCost(static_cast<int64_t>(sv.size()) / 100)) return BudgetTruth(ctx);
  size_t slot = 0;
  const int known = ctx.match_memo.Find(memo_id_, sv, &slot);
  if (known >= 0) return TruthOf(known != 0);
  // RE2::Match directly: PartialMatch's argument plumbing (PartialMatchN,
  // DoMatch) cost a third of the match on typical10's short subjects.
  const bool matched = re_->Match(re2::StringPiece(sv.data(), sv.size()), 0, sv.size(), RE2::UNANCHORED, nullptr, 0);
  ctx.match_memo.Store(slot, memo_id_, sv, matched);
  return TruthOf(matched);
}

InConstListNode::InConstListNode(int32_t offset, NodePtr x, Value list, const FunctionDecl* in_fn)
    : Node(offset), x_(std::move(x)), list_(std::move(list)), in_fn_(in_fn) {
  std::vector<std::string_view> strings;
  for (size_t i = 0; i < list_.ListSize(); ++i) {
    Value v = list_.ListAt(i);
    // Views stay valid: list_ owns its items or borrows a kept-alive document.
    if (v.IsString()) strings.push_back(v.StringValue());
  }
  if (strings.size() <= kSmall) {
    small_ = std::move(strings);
  } else {
    set_.insert(strings.begin(), strings.end());
  }
}

Value InConstListNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth InConstListNode::DoEvalTruth(EvalContext& ctx) const {
  Value x = x_->Eval(ctx);
  if (x.IsError()) return Other(std::move(x), ctx);
  if (!x.IsString()) {
    Value args[2] = {x, list_};
    return TruthOf(in_fn_->impl(args, 2, ctx), ctx);
  }
  const std::string_view s = x.StringValue();
  if (set_.empty()) {
    for (std::string_view e : small_) {
      if (e.size() == s.size() && e == s) return Truth::kTrue;
    }
    return Truth::kFalse;
  }
  return TruthOf(set_.count(s) != 0);
}

Value RegexSetNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth RegexSetNode::DoEvalTruth(EvalContext& ctx) const {
  Value s = subject_->Eval(ctx);
  if (s.IsError()) return Other(std::move(s), ctx);  // the loop's first step would yield it, and every later one keep it
  if (!s.IsString()) return fallback_->EvalTruth(ctx);
  std::string_view sv = s.StringValue();
  ctx.iterations += static_cast<int64_t>(count_);
  if (ctx.iterations > ctx.limits->max_comprehension_iterations) {
    return Other(IterationLimit(ctx), ctx);
  }
  if (!ctx.AddCost(static_cast<int64_t>(count_) + static_cast<int64_t>(sv.size()) / 100)) return BudgetTruth(ctx);
  size_t slot = 0;
  const int known = ctx.match_memo.Find(memo_id_, sv, &slot);
  if (known >= 0) return TruthOf(known != 0);
  RE2::Set::ErrorInfo info{};
  const re2::StringPiece text(sv.data(), sv.size());
  bool answer;
  if (!all_) {
    answer = set_->Match(text, nullptr, &info);
    if (!answer && info.kind != RE2::Set::kNoError) return fallback_->EvalTruth(ctx);  // not remembered
  } else {
    std::vector<int> hits;
    if (!set_->Match(text, &hits, &info) && info.kind != RE2::Set::kNoError) return fallback_->EvalTruth(ctx);
    // Duplicate patterns have their own indices, so all match iff every index does.
    answer = hits.size() == count_;
  }
  ctx.match_memo.Store(slot, memo_id_, sv, answer);
  return TruthOf(answer);
}

Value EqualsConstNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth EqualsConstNode::DoEvalTruth(EvalContext& ctx) const {
  if (!ctx.AddCost(1)) return BudgetTruth(ctx);
  Value x = x_->Eval(ctx);
  if (x.IsError()) return Other(std::move(x), ctx);
  bool equal;
  switch (c_.kind()) {
    case Value::Kind::kString: equal = x.IsString() && x.StringValue() == c_.StringValue(); break;
    case Value::Kind::kBool: equal = x.IsBool() && x.BoolValue() == c_.BoolValue(); break;
    case Value::Kind::kNull: equal = x.IsNull(); break;
    default: equal = Equal(x, c_); break;
  }
  return TruthOf(equal != negate_);
}

// The constant's unit where the call would evaluate it: first when it is on
// the left, after a successful x when it is on the right.
Truth CompareConstNode::DoEvalTruth(EvalContext& ctx) const {
  if (const_left_ && !ctx.AddCost(1)) return BudgetTruth(ctx);
  Value x = x_->Eval(ctx);
  if (x.IsError()) return Other(std::move(x), ctx);
  if (!const_left_ && !ctx.AddCost(1)) return BudgetTruth(ctx);
  if (x.IsInt() && c_.IsInt()) {
    const int64_t a = const_left_ ? c_.IntValue() : x.IntValue();
    const int64_t b = const_left_ ? x.IntValue() : c_.IntValue();
    switch (op_) {
      case kLess: return TruthOf(a < b);
      case kLessEqual: return TruthOf(a <= b);
      case kGreater: return TruthOf(a > b);
      case kGreaterEqual: return TruthOf(a >= b);
    }
  }
  if (const_left_) {
    Value args[2] = {c_, std::move(x)};
    return TruthOf(fn_->impl(args, 2, ctx), ctx);
  }
  Value args[2] = {std::move(x), c_};
  return TruthOf(fn_->impl(args, 2, ctx), ctx);
}

Value ConstKeyNode::DoEval(EvalContext& ctx) const {
  if (!ctx.AddCost(1)) return ctx.budget_error;
  Value m = map_->Eval(ctx);
  if (const aimsgate::JsonValue* obj = m.json(); obj != nullptr && obj->IsObject()) {
    const aimsgate::JsonValue* member = ctx.FindMember(*obj, id_);
    if (!index_) return Value::Bool(member != nullptr);
    if (member != nullptr) return Value::Json(*member);
  }
  return ThroughBuiltin(m, ctx);
}

Truth ConstKeyNode::DoEvalTruth(EvalContext& ctx) const {
  if (index_) return TruthOf(DoEval(ctx), ctx);
  const aimsgate::JsonValue* member = nullptr;
  if (FindKey(ctx, &member, &ctx.other)) return TruthOf(member != nullptr);
  return OtherTruth(ctx);
}

Value ConstKeyNode::ThroughBuiltin(const Value& m, EvalContext& ctx) const {
  if (m.IsError()) return m;
  if (index_) {
    Value args[2] = {m, key_};
    return fn_->impl(args, 2, ctx);
  }
  Value args[2] = {key_, m};
  return fn_->impl(args, 2, ctx);
}

bool ConstKeyNode::FindKey(EvalContext& ctx, const aimsgate::JsonValue** member, Value* result) const {
  if (!ctx.AddCost(1)) {
    *result = ctx.budget_error;
    return false;
  }
  Value m = map_->Eval(ctx);
  if (const aimsgate::JsonValue* obj = m.json(); obj != nullptr && obj->IsObject()) {
    *member = ctx.FindMember(*obj, id_);
    return true;
  }
  *result = ThroughBuiltin(m, ctx);
  return false;
}

// A decisive side (false for &&, true for ||) wins; else two booleans give r;
// else the first error; else no overload.
Truth AndNode::Finish(Truth l, EvalContext& ctx) const {
  if (ctx.exhausted) return BudgetTruth(ctx);
  const Truth decisive = is_or_ ? Truth::kTrue : Truth::kFalse;
  if (l == decisive) return l;
  if (l == Truth::kOther) return FinishAfterOther(ctx);
  const Truth r = r_->EvalTruth(ctx);
  if (ctx.exhausted) return BudgetTruth(ctx);
  if (r != Truth::kOther) return r;
  Value rv = std::move(ctx.other);
  return Other(NotBooleans(Value::Bool(l == Truth::kTrue), std::move(rv)), ctx);
}

Truth AndNode::FinishAfterOther(EvalContext& ctx) const {
  Value lv = std::move(ctx.other);
  const Truth r = r_->EvalTruth(ctx);
  if (ctx.exhausted) return BudgetTruth(ctx);
  if (r == (is_or_ ? Truth::kTrue : Truth::kFalse)) return r;
  Value rv = ValueOf(r, ctx);
  return Other(NotBooleans(std::move(lv), std::move(rv)), ctx);
}

Value AndNode::NotBooleans(Value l, Value r) const {
  if (l.IsError()) return l;
  if (r.IsError()) return r;
  Value both[2] = {std::move(l), std::move(r)};
  return NoOverload(is_or_ ? "_||_" : "_&&_", both, 2);
}

Value AndNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth AndNode::DoEvalTruth(EvalContext& ctx) const { return Finish(l_->EvalTruth(ctx), ctx); }

Value NotNullGuardNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth NotNullGuardNode::DoEvalTruth(EvalContext& ctx) const {
  if (needs_activation_ && ctx.activation == nullptr) return AndNode::DoEvalTruth(ctx);
  // The guard's own unit, as l_->EvalTruth would charge it.
  if (!ctx.AddCost(1)) return BudgetTruth(ctx);
  const aimsgate::JsonValue* member = nullptr;
  if (!(has_ ? has_->FindLast(ctx, &member, &ctx.other) : in_->FindKey(ctx, &member, &ctx.other))) {
    return Finish(OtherTruth(ctx), ctx);
  }
  if (ctx.exhausted) return BudgetTruth(ctx);
  if (member == nullptr) return Truth::kFalse;
  if (!ctx.AddCost(hit_cost_)) return BudgetTruth(ctx);
  return TruthOf(!member->IsNull());
}

Value ConditionalNode::DoEval(EvalContext& ctx) const {
  const Truth c = c_->EvalTruth(ctx);
  if (c != Truth::kOther) return c == Truth::kTrue ? t_->Eval(ctx) : f_->Eval(ctx);
  if (ctx.other.IsError()) return std::move(ctx.other);
  return NoOverload("_?_:_", &ctx.other, 1);
}

Truth ConditionalNode::DoEvalTruth(EvalContext& ctx) const {
  const Truth c = c_->EvalTruth(ctx);
  if (c != Truth::kOther) return c == Truth::kTrue ? t_->EvalTruth(ctx) : f_->EvalTruth(ctx);
  if (ctx.other.IsError()) return Truth::kOther;
  return Other(NoOverload("_?_:_", &ctx.other, 1), ctx);
}

Value NotStrictlyFalseNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth NotStrictlyFalseNode::DoEvalTruth(EvalContext& ctx) const {
  const Truth t = a_->EvalTruth(ctx);
  if (ctx.exhausted) return BudgetTruth(ctx);
  return t == Truth::kOther ? Truth::kTrue : t;
}

Truth NotNode::DoEvalTruth(EvalContext& ctx) const {
  const Truth t = a_->EvalTruth(ctx);
  if (t != Truth::kOther) return t == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
  if (ctx.other.IsError()) return Truth::kOther;
  return Other(NoOverload("!_", &ctx.other, 1), ctx);
}

Value OptionalOrNode::DoEval(EvalContext& ctx) const {
  Value o = opt_->Eval(ctx);
  if (o.IsError()) return o;
  if (!o.IsOptional()) return NoOverload(or_value_ ? "orValue" : "or", &o, 1);
  if (o.OptionalHasValue()) return or_value_ ? o.OptionalValue() : o;
  Value alt = alt_->Eval(ctx);
  if (alt.IsError() || or_value_) return alt;
  if (!alt.IsOptional()) return NoOverload("or", &alt, 1);
  return alt;
}

bool ListNode::EvalItems(EvalContext& ctx, std::vector<Value>* out, Value* error) const {
  out->reserve(elems_.size());
  for (size_t i = 0; i < elems_.size(); ++i) {
    Value v = elems_[i]->Eval(ctx);
    if (v.IsError()) {
      *error = v;
      return false;
    }
    if (optional_[i]) {
      if (!v.IsOptional()) {
        *error = Value::Error("optional list element '?' applied to non-optional " + std::string(v.TypeNameOf()));
        return false;
      }
      if (!v.OptionalHasValue()) continue;
      v = v.OptionalValue();
    }
    out->push_back(std::move(v));
  }
  return true;
}

Value ListNode::DoEval(EvalContext& ctx) const {
  std::vector<Value> items;
  Value error;
  if (!EvalItems(ctx, &items, &error)) return error;
  return Value::List(std::move(items));
}

Value MapNode::DoEval(EvalContext& ctx) const {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(keys_.size());
  for (size_t i = 0; i < keys_.size(); ++i) {
    Value k = keys_[i]->Eval(ctx);
    if (k.IsError()) return k;
    Value v = values_[i]->Eval(ctx);
    if (v.IsError()) return v;
    if (optional_[i]) {
      if (!v.IsOptional()) return Value::Error("optional map entry '?' applied to non-optional value");
      if (!v.OptionalHasValue()) continue;
      v = v.OptionalValue();
    }
    entries.emplace_back(std::move(k), std::move(v));
  }
  return Value::Map(std::move(entries));
}

Value AppendNode::DoEval(EvalContext& ctx) const {
  std::vector<Value> items;
  if (const Node* single = elems_->SingleElement()) {
    // `accu + [e]` of map() and filter(): the element goes straight into an
    // unshared accumulator, without a vector of its own.
    Value item = single->Eval(ctx);
    if (item.IsError()) return item;
    Value& local = ctx.Local(accu_);
    if (local.IsList() && static_cast<int64_t>(local.ListSize()) < ctx.limits->max_list_size) {
      if (std::vector<Value>* v = local.MutableListIfUnique()) {
        v->push_back(std::move(item));
        return std::move(local);
      }
    }
    items.push_back(std::move(item));
  } else {
    Value error;
    if (!elems_->EvalItems(ctx, &items, &error)) return error;
  }
  Value acc = std::move(ctx.Local(accu_));
  if (acc.IsError()) return acc;
  if (!acc.IsList()) {
    Value both[2] = {acc, Value::List(std::move(items))};
    return NoOverload("_+_", both, 2);
  }
  size_t n = acc.ListSize() + items.size();
  if (static_cast<int64_t>(n) > ctx.limits->max_list_size) {
    return ctx.Exhaust("list size limit exceeded: " + std::to_string(n) + " elements");
  }
  if (std::vector<Value>* v = acc.MutableListIfUnique()) {
    for (auto& it : items) v->push_back(std::move(it));
    return acc;
  }
  std::vector<Value> all;
  all.reserve(n);
  for (size_t i = 0; i < acc.ListSize(); ++i) all.push_back(acc.ListAt(i));
  for (auto& it : items) all.push_back(std::move(it));
  return Value::List(std::move(all));
}

Value QuantifierNode::DoEval(EvalContext& ctx) const { return ValueOf(DoEvalTruth(ctx), ctx); }

Truth QuantifierNode::DoEvalTruth(EvalContext& ctx) const {
  Value range = range_->Eval(ctx);
  if (range.IsError()) return Other(std::move(range), ctx);
  const bool is_list = range.IsList();
  if (!is_list && !range.IsMap()) {
    return Other(NotARange(range), ctx);
  }
  const size_t n = is_list ? range.ListSize() : range.MapSize();
  Value error;  // the accumulator once it is no longer a boolean
  bool have_error = false;
  const Truth decisive = all_ ? Truth::kFalse : Truth::kTrue;
  Truth result = all_ ? Truth::kTrue : Truth::kFalse;
  for (size_t i = 0; i < n; ++i) {
    if (ctx.exhausted) return BudgetTruth(ctx);
    if (++ctx.iterations > ctx.limits->max_comprehension_iterations) {
      return Other(IterationLimit(ctx), ctx);
    }
    if (!ctx.AddCost(1)) return BudgetTruth(ctx);
    BindStep(ctx, range, is_list, i, iter_, iter2_);
    const Truth p = pred_->EvalTruth(ctx);
    if (ctx.exhausted) return BudgetTruth(ctx);
    if (p == decisive) {
      result = p;
      have_error = false;
      break;
    }
    if (p != Truth::kOther || have_error) continue;
    // `accu && p` / `accu || p` with a boolean accu: an error p is the result,
    // any other non-boolean p has no overload.
    if (ctx.other.IsError()) {
      error = std::move(ctx.other);
    } else {
      Value both[2] = {Value::Bool(all_), std::move(ctx.other)};
      error = NoOverload(all_ ? "_&&_" : "_||_", both, 2);
    }
    have_error = true;
  }
  ctx.Local(iter_) = Value();
  if (iter2_ >= 0) ctx.Local(iter2_) = Value();
  return have_error ? Other(std::move(error), ctx) : result;
}

Value MapLoopNode::DoEval(EvalContext& ctx) const {
  Value range = range_->Eval(ctx);
  if (range.IsError()) return range;
  const bool is_list = range.IsList();
  if (!is_list && !range.IsMap()) {
    return NotARange(range);
  }
  const size_t n = is_list ? range.ListSize() : range.MapSize();
  if (!ctx.AddCost(1)) return ctx.budget_error;  // the `[]` it starts from
  std::vector<Value> out;
  if (n > 0) out.reserve(std::min(n, kMaxReserved));
  Value error;  // the accumulator, once it is an error
  bool failed = false;
  for (size_t i = 0; i < n; ++i) {
    if (ctx.exhausted) return ctx.budget_error;
    if (++ctx.iterations > ctx.limits->max_comprehension_iterations) {
      return IterationLimit(ctx);
    }
    BindStep(ctx, range, is_list, i, iter_, iter2_);
    // The loop condition `true`, then the step: `accu + [elem]`, or for a
    // filter `cond ? accu + [elem] : accu`.
    if (!ctx.AddCost(filter_ ? 2 : 1)) return ctx.budget_error;
    if (filter_) {
      const Truth keep = filter_->EvalTruth(ctx);
      if (keep == Truth::kFalse) {
        if (!ctx.AddCost(1)) return ctx.budget_error;  // `: accu`
        continue;
      }
      if (keep == Truth::kOther) {
        error = ctx.other.IsError() ? std::move(ctx.other) : NoOverload("_?_:_", &ctx.other, 1);
        failed = true;
        continue;
      }
    }
    if (!ctx.AddCost(1)) return ctx.budget_error;  // the append
    Value item = elem_->Eval(ctx);
    if (item.IsError()) {
      error = std::move(item);
      failed = true;
      continue;
    }
    if (failed) continue;
    if (static_cast<int64_t>(out.size()) >= ctx.limits->max_list_size) {
      return ctx.Exhaust("list size limit exceeded: " + std::to_string(out.size() + 1) + " elements");
    }
    out.push_back(std::move(item));
  }
  ctx.Local(iter_) = Value();
  if (iter2_ >= 0) ctx.Local(iter2_) = Value();
  if (!ctx.AddCost(1)) return ctx.budget_error;  // the result, `accu`
  return failed ? error : Value::List(std::move(out));
}

Value ComprehensionNode::DoEval(EvalContext& ctx) const {
  Value range = p_.range->Eval(ctx);
  if (range.IsError()) return range;
  const bool is_list = range.IsList();
  if (!is_list && !range.IsMap()) {
    return NotARange(range);
  }
  const size_t n = is_list ? range.ListSize() : range.MapSize();
  Value init = p_.init->Eval(ctx);
  if (builds_list_ && n > 0 && !init.IsError()) {
    std::vector<Value> room;
    room.reserve(std::min(n, kMaxReserved));
    init = Value::List(std::move(room));
  }
  ctx.Local(p_.accu) = std::move(init);
  for (size_t i = 0; i < n; ++i) {
    if (ctx.exhausted) return ctx.budget_error;
    if (++ctx.iterations > ctx.limits->max_comprehension_iterations) {
      return IterationLimit(ctx);
    }
    BindStep(ctx, range, is_list, i, p_.iter, p_.iter2);
    if (cond_always_true_) {
      if (!ctx.AddCost(1)) return ctx.budget_error;  // the constant's unit
    } else {
      Value c = p_.cond->Eval(ctx);
      if (ctx.exhausted) return ctx.budget_error;
      if (c.IsError()) return c;
      if (!c.IsBool()) return NoOverload("loop condition", &c, 1);
      if (!c.BoolValue()) break;
    }
    Value s = p_.step->Eval(ctx);
    ctx.Local(p_.accu) = std::move(s);
  }
  Value r = p_.result->Eval(ctx);
  ctx.Local(p_.accu) = Value();
  ctx.Local(p_.iter) = Value();
  if (p_.iter2 >= 0) ctx.Local(p_.iter2) = Value();
  return r;
}

Value BindNode::DoEval(EvalContext& ctx) const {
  Value v = init_->Eval(ctx);
  ctx.Local(local_) = std::move(v);
  Value r = body_->Eval(ctx);
  ctx.Local(local_) = Value();
  return r;
}

Value HelperCallNode::DoEval(EvalContext& ctx) const {
  if (memo_slot_ < 0 || ctx.activation == nullptr) {
    return memo_on_json_ && ctx.activation != nullptr ? CallMemoizedOnJson(ctx) : Call(ctx);
  }
  if (const Value* memo = ctx.activation->FindMemo(memo_slot_)) return *memo;
  Value r = Call(ctx);
  // Errors are not kept: a depth or budget error depends on the caller, not on the arguments.
  if (!r.IsError() && !ctx.exhausted) ctx.activation->StoreMemo(memo_slot_, r);
  return r;
}

Truth HelperCallNode::DoEvalTruth(EvalContext& ctx) const {
  if (memo_slot_ >= 0 && ctx.activation != nullptr) {
    if (const Value* memo = ctx.activation->FindMemo(memo_slot_); memo != nullptr && memo->IsBool()) {
      return TruthOf(memo->BoolValue());
    }
  }
  return TruthOf(DoEval(ctx), ctx);
}

Value HelperCallNode::Call(EvalContext& ctx) const {
  if (!ctx.HelperDepthOk()) return ctx.budget_error;
  if (specialized_) {
    // Arguments substituted and no local of its own: nothing reads a frame.
    if (specialized_->num_locals == 0) return specialized_->body->Eval(ctx);
    const size_t old_base = ctx.frame_base;
    const size_t new_base = ctx.PushLocals(static_cast<size_t>(specialized_->num_locals));
    ctx.frame_base = new_base;
    Value r = specialized_->body->Eval(ctx);
    ctx.frame_base = old_base;
    ctx.PopLocals(new_base);
    return r;
  }
  const size_t new_base = ctx.locals_top;
  if (!PushArguments(ctx, new_base)) return ctx.budget_error;
  return RunBody(ctx, new_base);
}

// The new frame is reserved first; arguments are evaluated in the caller's
// frame and moved into it by index (a nested call in an argument pushes its
// own frame past this one, and may move the vector).
bool HelperCallNode::PushArguments(EvalContext& ctx, size_t new_base) const {
  ctx.PushLocals(static_cast<size_t>(helper_->num_locals));
  for (size_t i = 0; i < args_.size(); ++i) {
    Value arg = args_[i]->Eval(ctx);
    if (ctx.exhausted) {
      ctx.PopLocals(new_base);
      return false;
    }
    ctx.locals[new_base + i] = std::move(arg);
  }
  return true;
}

Value HelperCallNode::RunBody(EvalContext& ctx, size_t new_base) const {
  const size_t old_base = ctx.frame_base;
  ctx.frame_base = new_base;
  Value r = helper_->body->Eval(ctx);
  ctx.frame_base = old_base;
  ctx.PopLocals(new_base);
  return r;
}

Value HelperCallNode::CallMemoizedOnJson(EvalContext& ctx) const {
  if (!ctx.HelperDepthOk()) return ctx.budget_error;
  const size_t new_base = ctx.locals_top;
  if (!PushArguments(ctx, new_base)) return ctx.budget_error;
  const aimsgate::JsonValue* nodes[Activation::kMaxJsonMemoArgs] = {};
  const size_t n = args_.size();
  for (size_t i = 0; i < n; ++i) {
    nodes[i] = ctx.locals[new_base + i].BorrowedJson();
    if (nodes[i] == nullptr) return RunBody(ctx, new_base);  // a value of its own: not keyed
  }
  if (const Value* memo = ctx.activation->FindJsonMemo(helper_, nodes, n)) {
    ctx.PopLocals(new_base);
    return *memo;
  }
  Value r = RunBody(ctx, new_base);
  if (!r.IsError() && !ctx.exhausted) ctx.activation->StoreJsonMemo(helper_, nodes, n, r);
  return r;
}

Value NativeCallNode::DoEval(EvalContext& ctx) const {
  const bool memoized = memo_slot_ >= 0 && ctx.activation != nullptr;
  if (memoized) {
    if (const Value* memo = ctx.activation->FindMemo(memo_slot_)) return *memo;
  }
  // Where the body runs after all, it is charged as if it had run alone: this
  // node's unit and the arguments' are given back first.
  const int64_t cost_before = ctx.cost - 1, iterations_before = ctx.iterations;
  auto body = [&]() {
    ctx.cost = cost_before;
    ctx.iterations = iterations_before;
    return body_call_->Eval(ctx);
  };
  NativeArgs args;
  for (const NodePtr& arg : args_) {
    const Value& v = args.Push(*arg, ctx);
    if (ctx.exhausted) return ctx.budget_error;
    if (v.IsError()) return body();  // the body says what an error argument gives
  }
  Value out;
  int64_t cost = 0;
  if (!native_(args.data(), args.size(), &out, &cost, NativeContext(ctx))) return body();
  // A large object, or an evaluation near its limits, is left to the body: its
  // loops and lists then meet Limits as they did (the body spends about
  // kBodyIterationsPerUnit iterations and kBodyCostPerUnit units, at most, for
  // each unit the native charges), and a native never builds a list the body
  // would have refused.
  if (cost > kMaxCost ||
      ctx.iterations + kBodyIterationsPerUnit * cost > ctx.limits->max_comprehension_iterations ||
      ctx.cost + kBodyCostPerUnit * cost > ctx.limits->cost_limit) {
    return body();
  }
  if (!ctx.AddCost(cost)) return ctx.budget_error;
  if (memoized) ctx.activation->StoreMemo(memo_slot_, out);
  return out;
}

}  // namespace aimsgate::cel::internal

namespace aimsgate::cel {

const aimsgate::JsonValue* NativeContext::Member(const aimsgate::JsonValue& obj, const std::string& key) const {
  return obj.IsObject() ? ctx_.FindMember(obj, &key) : nullptr;
}

}  // namespace aimsgate::cel
