#include "evaluator/cel/nodes.h"

#include "evaluator/cel/builtins.h"

namespace aimsgate::cel::internal {

Value VariableNode::DoEval(EvalContext& ctx) const {
  if (ctx.activation == nullptr || static_cast<size_t>(slot_) >= ctx.activation->size()) {
    return Value::Error("no value for variable '" + name_ + "'");
  }
  return ctx.activation->Get(slot_);
}

Value PathNode::DoEval(EvalContext& ctx) const {
  Value v = operand_->Eval(ctx);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (v.IsError()) return v;
    const bool test_only = test_only_ && i + 1 == keys_.size();
    const rapidjson::Value* obj = ids_.empty() ? nullptr : v.json();
    if (obj == nullptr || !obj->IsObject()) {
      v = SelectField(v, keys_[i], test_only);
      continue;
    }
    // A JSON object: the same answers as SelectField, through the lookup cache.
    const rapidjson::Value* member = ctx.FindMember(*obj, ids_[i]);
    if (test_only) return Value::Bool(member != nullptr);
    if (member == nullptr) return Value::Error("no such key: '" + keys_[i] + "'");
    v = Value::Json(*member);
  }
  return v;
}

Value CallNode::DoEval(EvalContext& ctx) const {
  Value args[4];
  std::vector<Value> many;
  Value* a = args;
  if (args_.size() > 4) {
    many.resize(args_.size());
    a = many.data();
  }
  for (size_t i = 0; i < args_.size(); ++i) {
    a[i] = args_[i]->Eval(ctx);
    if (a[i].IsError()) return a[i];
  }
  return fn_->impl(a, args_.size(), ctx);
}

Value RegexMatchNode::DoEval(EvalContext& ctx) const {
  Value s = subject_->Eval(ctx);
  if (s.IsError()) return s;
  if (!s.IsString()) return NoOverload("matches", &s, 1);
  std::string_view sv = s.StringValue();
  if (!ctx.AddCost(static_cast<int64_t>(sv.size()) / 100)) return ctx.budget_error;
  return Value::Bool(RE2::PartialMatch(re2::StringPiece(sv.data(), sv.size()), *re_));
}

Value AndNode::DoEval(EvalContext& ctx) const {
  Value l = l_->Eval(ctx);
  if (ctx.exhausted) return ctx.budget_error;
  if (l.IsBool() && l.BoolValue() == is_or_) return l;
  Value r = r_->Eval(ctx);
  if (ctx.exhausted) return ctx.budget_error;
  if (r.IsBool() && r.BoolValue() == is_or_) return r;
  if (l.IsBool() && r.IsBool()) return r;
  if (l.IsError()) return l;
  if (r.IsError()) return r;
  Value both[2] = {l, r};
  return NoOverload(is_or_ ? "_||_" : "_&&_", both, 2);
}

Value ConditionalNode::DoEval(EvalContext& ctx) const {
  Value c = c_->Eval(ctx);
  if (c.IsBool()) return c.BoolValue() ? t_->Eval(ctx) : f_->Eval(ctx);
  if (c.IsError()) return c;
  return NoOverload("_?_:_", &c, 1);
}

Value NotStrictlyFalseNode::DoEval(EvalContext& ctx) const {
  Value v = a_->Eval(ctx);
  if (ctx.exhausted) return ctx.budget_error;
  if (v.IsBool()) return v;
  return Value::Bool(true);
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
  Value error;
  if (!elems_->EvalItems(ctx, &items, &error)) return error;
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

Value ComprehensionNode::DoEval(EvalContext& ctx) const {
  Value range = p_.range->Eval(ctx);
  if (range.IsError()) return range;
  const bool is_list = range.IsList();
  if (!is_list && !range.IsMap()) {
    return Value::Error("expression of type '" + std::string(range.TypeNameOf()) +
                        "' cannot be the range of a comprehension");
  }
  const size_t n = is_list ? range.ListSize() : range.MapSize();
  Value init = p_.init->Eval(ctx);
  ctx.Local(p_.accu) = std::move(init);
  for (size_t i = 0; i < n; ++i) {
    if (ctx.exhausted) return ctx.budget_error;
    if (++ctx.iterations > ctx.limits->max_comprehension_iterations) {
      return ctx.Exhaust("comprehension iteration limit exceeded: more than " +
                         std::to_string(ctx.limits->max_comprehension_iterations) + " iterations");
    }
    if (is_list) {
      if (p_.iter2 >= 0) {
        ctx.Local(p_.iter) = Value::Int(static_cast<int64_t>(i));
        ctx.Local(p_.iter2) = range.ListAt(i);
      } else {
        ctx.Local(p_.iter) = range.ListAt(i);
      }
    } else {
      Value k, v;
      range.MapEntryAt(i, &k, p_.iter2 >= 0 ? &v : nullptr);
      ctx.Local(p_.iter) = std::move(k);
      if (p_.iter2 >= 0) ctx.Local(p_.iter2) = std::move(v);
    }
    Value c = p_.cond->Eval(ctx);
    if (ctx.exhausted) return ctx.budget_error;
    if (c.IsError()) return c;
    if (!c.IsBool()) return NoOverload("loop condition", &c, 1);
    if (!c.BoolValue()) break;
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
  if (memo_slot_ < 0) return Call(ctx);
  if (const Value* memo = ctx.activation->FindMemo(helper_, memo_slot_)) return *memo;
  Value r = Call(ctx);
  // Errors are not kept: a depth or budget error depends on the caller, not on the arguments.
  if (!r.IsError() && !ctx.exhausted) ctx.activation->StoreMemo(helper_, memo_slot_, r);
  return r;
}

Value HelperCallNode::Call(EvalContext& ctx) const {
  std::vector<Value> args;
  args.reserve(args_.size());
  for (const auto& a : args_) {
    args.push_back(a->Eval(ctx));
    if (ctx.exhausted) return ctx.budget_error;
  }
  const size_t old_base = ctx.frame_base;
  const size_t new_base = ctx.locals.size();
  ctx.locals.resize(new_base + static_cast<size_t>(helper_->num_locals));
  for (size_t i = 0; i < args.size(); ++i) ctx.locals[new_base + i] = std::move(args[i]);
  ctx.frame_base = new_base;
  Value r = helper_->body->Eval(ctx);
  ctx.frame_base = old_base;
  ctx.locals.resize(new_base);
  return r;
}

}  // namespace aimsgate::cel::internal
