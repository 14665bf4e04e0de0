#include "evaluator/cel/planner.h"

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/checker.h"
#include "evaluator/cel/regex_cache.h"

namespace aimsgate::cel::internal {

namespace {

Value ConstantToValue(const Constant& c) {
  switch (c.kind) {
    case Constant::Kind::kNull: return Value::Null();
    case Constant::Kind::kBool: return Value::Bool(c.bool_value);
    case Constant::Kind::kInt: return Value::Int(c.int_value);
    case Constant::Kind::kUint: return Value::Uint(c.uint_value);
    case Constant::Kind::kDouble: return Value::Double(c.double_value);
    case Constant::Kind::kString: return Value::String(c.string_value);
    case Constant::Kind::kBytes: return Value::Bytes(c.string_value);
  }
  return Value::Null();
}

bool IsStringConstant(const Expr& e) {
  return e.kind == Expr::Kind::kConstant && e.constant.kind == Constant::Kind::kString;
}

std::string_view RootOf(std::string_view dotted) { return dotted.substr(0, dotted.find('.')); }

}  // namespace

void Planner::Error(int32_t offset, std::string message) {
  Diagnostic d;
  d.offset = offset;
  d.message = std::move(message);
  diags_->push_back(std::move(d));
}

NodePtr Planner::Plan(const Expr& expr, const std::vector<std::string>& params) {
  for (const auto& p : params) scope_.Push(p);
  return PlanExpr(expr);
}

NodePtr Planner::PlanExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kConstant: return std::make_unique<ConstNode>(e.offset, ConstantToValue(e.constant));
    case Expr::Kind::kIdent: return PlanIdent(e);
    case Expr::Kind::kSelect: {
      std::string q;
      if (QualifiedName(e, &q) && !IsBound(RootOf(q), env_, scope_)) {
        std::string_view t = TypeIdentifier(q);
        if (!t.empty()) return std::make_unique<ConstNode>(e.offset, Value::Type(t));
        return std::make_unique<ErrorNode>(e.offset, "undeclared reference to '" + std::string(RootOf(q)) + "'");
      }
      return PlanPath(e);
    }
    case Expr::Kind::kCall: {
      if (e.call.function == "_[_]" && !e.call.target && e.call.args.size() == 2 && IsStringConstant(*e.call.args[1])) {
        return PlanPath(e);
      }
      return PlanCall(e);
    }
    case Expr::Kind::kList: return PlanList(e);
    case Expr::Kind::kMap: return PlanMap(e);
    case Expr::Kind::kStruct:
      return std::make_unique<ErrorNode>(e.offset, "message construction '" + e.struct_expr.message_name +
                                                       "{...}' is not supported");
    case Expr::Kind::kComprehension: return PlanComprehension(e);
  }
  return std::make_unique<ErrorNode>(e.offset, "unsupported expression");
}

NodePtr Planner::PlanIdent(const Expr& e) {
  const std::string& name = e.ident.name;
  std::string_view root = RootOf(name);
  NodePtr base;
  int local = scope_.Find(root);
  if (local >= 0) {
    base = std::make_unique<LocalNode>(e.offset, local);
  } else if (int slot = env_.FindVariable(std::string(root)); slot >= 0) {
    base = std::make_unique<VariableNode>(e.offset, slot, std::string(root));
  } else {
    std::string_view t = TypeIdentifier(name);
    if (!t.empty()) return std::make_unique<ConstNode>(e.offset, Value::Type(t));
    return std::make_unique<ErrorNode>(e.offset, "undeclared reference to '" + name + "'");
  }
  if (root.size() == name.size()) return base;
  // A dotted identifier whose root is bound: the rest is field selection.
  std::vector<std::string> keys;
  size_t pos = root.size() + 1;
  while (pos <= name.size()) {
    size_t dot = name.find('.', pos);
    if (dot == std::string::npos) dot = name.size();
    keys.push_back(name.substr(pos, dot - pos));
    pos = dot + 1;
  }
  std::vector<const std::string*> ids;
  for (const auto& k : keys) ids.push_back(env_.InternField(k));
  return std::make_unique<PathNode>(e.offset, std::move(base), std::move(keys), false, std::move(ids));
}

NodePtr Planner::PlanPath(const Expr& e) {
  std::vector<std::string> keys;
  const bool test_only = e.kind == Expr::Kind::kSelect && e.select.test_only;
  const Expr* cur = &e;
  while (true) {
    if (cur->kind == Expr::Kind::kSelect && (cur == &e || !cur->select.test_only) && cur->select.operand) {
      // Stop at an unbound qualified prefix (a type name): plan it whole.
      keys.push_back(cur->select.field);
      cur = cur->select.operand.get();
      std::string q;
      if (QualifiedName(*cur, &q) && !IsBound(RootOf(q), env_, scope_)) break;
    } else if (cur->kind == Expr::Kind::kCall && cur->call.function == "_[_]" && !cur->call.target &&
               cur->call.args.size() == 2 && IsStringConstant(*cur->call.args[1])) {
      keys.push_back(cur->call.args[1]->constant.string_value);
      cur = cur->call.args[0].get();
    } else {
      break;
    }
  }
  std::reverse(keys.begin(), keys.end());
  NodePtr operand = PlanExpr(*cur);
  std::vector<const std::string*> ids;
  for (const auto& k : keys) ids.push_back(env_.InternField(k));
  return std::make_unique<PathNode>(e.offset, std::move(operand), std::move(keys), test_only, std::move(ids));
}

NodePtr Planner::Fold(NodePtr node, bool report_type_errors) {
  // Called only with CallNode/ListNode/MapNode whose children are constants.
  EvalContext ctx;
  ctx.Reset(&env_.limits, nullptr, &env_.regex_cache, 0);
  Value v = node->Eval(ctx);
  if (v.IsError() && !ctx.exhausted && report_type_errors && report_type_errors_ &&
      v.ErrorMessage().rfind("found no matching overload", 0) == 0) {
    Error(node->offset(), v.ErrorMessage());
  }
  if (v.IsError() || ctx.exhausted) return node;
  return std::make_unique<ConstNode>(node->offset(), std::move(v));
}

NodePtr Planner::PlanCall(const Expr& e) {
  ResolvedCall rc = ResolveCall(e, env_, scope_);
  const auto& call = e.call;
  switch (rc.kind) {
    case ResolvedCall::kUnknownFunction:
      return std::make_unique<ErrorNode>(e.offset, "undeclared reference to '" + rc.name + "'");
    case ResolvedCall::kBadArity:
      return std::make_unique<ErrorNode>(e.offset, "found no matching overload for '" + rc.name + "' applied to " +
                                                       std::to_string(call.args.size() + (rc.receiver ? 1 : 0)) +
                                                       " arguments");
    case ResolvedCall::kSpecial: {
      if (rc.name == "cel.bind") {
        NodePtr init = PlanExpr(*call.args[1]);
        int local = scope_.Push(call.args[0]->ident.name);
        NodePtr body = PlanExpr(*call.args[2]);
        scope_.Pop();
        return std::make_unique<BindNode>(e.offset, local, std::move(init), std::move(body));
      }
      if (rc.name == "or" || rc.name == "orValue") {
        return std::make_unique<OptionalOrNode>(e.offset, PlanExpr(*call.target), PlanExpr(*call.args[0]),
                                                rc.name == "orValue");
      }
      if (rc.name == "_&&_" || rc.name == "_||_") {
        return std::make_unique<AndNode>(e.offset, PlanExpr(*call.args[0]), PlanExpr(*call.args[1]),
                                         rc.name == "_||_");
      }
      if (rc.name == "_?_:_") {
        return std::make_unique<ConditionalNode>(e.offset, PlanExpr(*call.args[0]), PlanExpr(*call.args[1]),
                                                 PlanExpr(*call.args[2]));
      }
      return std::make_unique<NotStrictlyFalseNode>(e.offset, PlanExpr(*call.args[0]));
    }
    case ResolvedCall::kHelper: {
      std::vector<NodePtr> args;
      for (const auto& a : call.args) args.push_back(PlanExpr(*a));
      const auto* var = args.size() == 1 ? dynamic_cast<const VariableNode*>(args[0].get()) : nullptr;
      return std::make_unique<HelperCallNode>(e.offset, rc.helper, std::move(args), var ? var->slot() : -1);
    }
    case ResolvedCall::kBuiltin: break;
  }
  std::vector<const Expr*> arg_exprs;
  if (rc.receiver) arg_exprs.push_back(call.target.get());
  for (const auto& a : call.args) arg_exprs.push_back(a.get());
  // Constant regular expressions are compiled once, here.
  if (rc.name == "matches" && arg_exprs.size() == 2 && IsStringConstant(*arg_exprs[1])) {
    std::string err;
    auto re = RegexCache::Compile(arg_exprs[1]->constant.string_value, env_.limits.regex_max_mem,
                                  env_.limits.regex_max_program_size, &err);
    if (!re) {
      Error(arg_exprs[1]->offset, err);
      return std::make_unique<ErrorNode>(e.offset, err);
    }
    return std::make_unique<RegexMatchNode>(e.offset, PlanExpr(*arg_exprs[0]), std::move(re));
  }
  // Constant patterns of find/findAll are validated now (compiled lazily).
  if ((rc.name == "find" || rc.name == "findAll") && arg_exprs.size() >= 2 && IsStringConstant(*arg_exprs[1])) {
    std::string err;
    if (!RegexCache::Compile(arg_exprs[1]->constant.string_value, env_.limits.regex_max_mem,
                             env_.limits.regex_max_program_size, &err)) {
      Error(arg_exprs[1]->offset, err);
      return std::make_unique<ErrorNode>(e.offset, err);
    }
  }
  std::vector<NodePtr> args;
  bool all_const = true;
  for (const Expr* a : arg_exprs) {
    args.push_back(PlanExpr(*a));
    if (args.back()->ConstantValue() == nullptr) all_const = false;
  }
  // dyn(...) arguments opt out of static type errors, as in cel-go's checker.
  bool dyn_arg = false;
  for (const Expr* a : arg_exprs) {
    if (a->kind == Expr::Kind::kCall && a->call.function == "dyn" && !a->call.target) dyn_arg = true;
  }
  NodePtr node = std::make_unique<CallNode>(e.offset, rc.fn, std::move(args));
  return all_const ? Fold(std::move(node), !dyn_arg) : std::move(node);
}

NodePtr Planner::PlanList(const Expr& e) {
  std::vector<NodePtr> elems;
  std::vector<bool> optional(e.list.elements.size(), false);
  for (int32_t i : e.list.optional_indices) {
    if (i >= 0 && static_cast<size_t>(i) < optional.size()) optional[static_cast<size_t>(i)] = true;
  }
  bool all_const = true;
  for (const auto& el : e.list.elements) {
    elems.push_back(PlanExpr(*el));
    if (elems.back()->ConstantValue() == nullptr) all_const = false;
  }
  NodePtr node = std::make_unique<ListNode>(e.offset, std::move(elems), std::move(optional));
  return all_const ? Fold(std::move(node)) : std::move(node);
}

NodePtr Planner::PlanMap(const Expr& e) {
  std::vector<NodePtr> keys, values;
  std::vector<bool> optional;
  bool all_const = true;
  for (const auto& en : e.map.entries) {
    keys.push_back(PlanExpr(*en.key));
    values.push_back(PlanExpr(*en.value));
    optional.push_back(en.optional);
    if (keys.back()->ConstantValue() == nullptr || values.back()->ConstantValue() == nullptr) all_const = false;
  }
  NodePtr node = std::make_unique<MapNode>(e.offset, std::move(keys), std::move(values), std::move(optional));
  return all_const ? Fold(std::move(node)) : std::move(node);
}

// Recognises `accu + [elems]` (map) and `cond ? accu + [elems] : accu` (filter).
NodePtr Planner::PlanStep(const Expr& step, const std::string& accu_var, int accu) {
  auto is_accu = [&](const Expr& x) {
    return x.kind == Expr::Kind::kIdent && x.ident.name == accu_var && scope_.Find(accu_var) == accu;
  };
  auto is_append = [&](const Expr& x) {
    return x.kind == Expr::Kind::kCall && x.call.function == "_+_" && !x.call.target && x.call.args.size() == 2 &&
           is_accu(*x.call.args[0]) && x.call.args[1]->kind == Expr::Kind::kList;
  };
  auto plan_append = [&](const Expr& x) -> NodePtr {
    NodePtr list = PlanExpr(*x.call.args[1]);
    if (auto* ln = dynamic_cast<ListNode*>(list.get())) {
      list.release();
      return std::make_unique<AppendNode>(x.offset, accu, std::unique_ptr<ListNode>(ln));
    }
    // Folded to a constant list: wrap it back into a one-off node.
    std::vector<NodePtr> elems;
    const Value* cv = list->ConstantValue();
    for (size_t i = 0; cv && i < cv->ListSize(); ++i) {
      elems.push_back(std::make_unique<ConstNode>(x.offset, cv->ListAt(i)));
    }
    std::vector<bool> opt(elems.size(), false);
    return std::make_unique<AppendNode>(x.offset, accu,
                                        std::make_unique<ListNode>(x.offset, std::move(elems), std::move(opt)));
  };
  if (is_append(step)) return plan_append(step);
  if (step.kind == Expr::Kind::kCall && step.call.function == "_?_:_" && !step.call.target &&
      step.call.args.size() == 3 && is_append(*step.call.args[1]) && is_accu(*step.call.args[2])) {
    return std::make_unique<ConditionalNode>(step.offset, PlanExpr(*step.call.args[0]),
                                             plan_append(*step.call.args[1]), PlanExpr(*step.call.args[2]));
  }
  return PlanExpr(step);
}

NodePtr Planner::PlanComprehension(const Expr& e) {
  const auto& c = e.comprehension;
  ComprehensionNode::Parts p;
  p.range = PlanExpr(*c.iter_range);
  p.init = PlanExpr(*c.accu_init);
  int pushed = 0;
  p.iter = scope_.Push(c.iter_var);
  ++pushed;
  if (!c.iter_var2.empty()) {
    p.iter2 = scope_.Push(c.iter_var2);
    ++pushed;
  }
  p.accu = scope_.Push(c.accu_var);
  ++pushed;
  p.cond = PlanExpr(*c.loop_condition);
  p.step = PlanStep(*c.loop_step, c.accu_var, p.accu);
  p.result = PlanExpr(*c.result);
  for (int i = 0; i < pushed; ++i) scope_.Pop();
  return std::make_unique<ComprehensionNode>(e.offset, std::move(p));
}

}  // namespace aimsgate::cel::internal
