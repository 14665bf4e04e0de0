#include "evaluator/cel/planner.h"

#include <algorithm>
#include <functional>
#include <string_view>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/checker.h"
#include "evaluator/cel/parser/unparse.h"
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

bool IsIdent(const Expr& e, const std::string& name) { return e.kind == Expr::Kind::kIdent && e.ident.name == name; }

bool IsCallOf(const Expr& e, const char* fn, size_t nargs) {
  return e.kind == Expr::Kind::kCall && !e.call.target && e.call.function == fn && e.call.args.size() == nargs;
}

// The predicate of an all()/exists() macro expansion (macros.h), or null.
const Expr* QuantifierPredicate(const ComprehensionExpr& c, bool* all) {
  if (!IsIdent(*c.result, c.accu_var) || c.accu_init->kind != Expr::Kind::kConstant ||
      c.accu_init->constant.kind != Constant::Kind::kBool) {
    return nullptr;
  }
  *all = c.accu_init->constant.bool_value;
  const Expr& cond = *c.loop_condition;
  if (!IsCallOf(cond, "@not_strictly_false", 1)) return nullptr;
  const Expr& inner = *cond.call.args[0];
  if (*all ? !IsIdent(inner, c.accu_var)
           : !(IsCallOf(inner, "!_", 1) && IsIdent(*inner.call.args[0], c.accu_var))) {
    return nullptr;
  }
  const Expr& step = *c.loop_step;
  if (!IsCallOf(step, *all ? "_&&_" : "_||_", 2) || !IsIdent(*step.call.args[0], c.accu_var)) return nullptr;
  return step.call.args[1].get();
}

// True if a free identifier of `e` (not bound by a comprehension inside it,
// names in `inner` count as bound) has a root that satisfies `pred`.
bool AnyFreeIdent(const Expr& e, std::vector<std::string>* inner, const std::function<bool(std::string_view)>& pred) {
  switch (e.kind) {
    case Expr::Kind::kConstant: return false;
    case Expr::Kind::kIdent: {
      std::string_view root = RootOf(e.ident.name);
      for (const auto& n : *inner) {
        if (n == root) return false;
      }
      return pred(root);
    }
    case Expr::Kind::kSelect: return e.select.operand && AnyFreeIdent(*e.select.operand, inner, pred);
    case Expr::Kind::kCall:
      if (e.call.target && AnyFreeIdent(*e.call.target, inner, pred)) return true;
      for (const auto& a : e.call.args) {
        if (AnyFreeIdent(*a, inner, pred)) return true;
      }
      return false;
    case Expr::Kind::kList:
      for (const auto& a : e.list.elements) {
        if (AnyFreeIdent(*a, inner, pred)) return true;
      }
      return false;
    case Expr::Kind::kMap:
      for (const auto& en : e.map.entries) {
        if (AnyFreeIdent(*en.key, inner, pred) || AnyFreeIdent(*en.value, inner, pred)) return true;
      }
      return false;
    case Expr::Kind::kStruct:
      for (const auto& en : e.struct_expr.fields) {
        if (AnyFreeIdent(*en.value, inner, pred)) return true;
      }
      return false;
    case Expr::Kind::kComprehension: {
      const auto& c = e.comprehension;
      if (AnyFreeIdent(*c.iter_range, inner, pred) || AnyFreeIdent(*c.accu_init, inner, pred)) return true;
      const size_t mark = inner->size();
      inner->push_back(c.iter_var);
      if (!c.iter_var2.empty()) inner->push_back(c.iter_var2);
      inner->push_back(c.accu_var);
      const bool found = AnyFreeIdent(*c.loop_condition, inner, pred) || AnyFreeIdent(*c.loop_step, inner, pred) ||
                         AnyFreeIdent(*c.result, inner, pred);
      inner->resize(mark);
      return found;
    }
  }
  return true;
}

// True if `f` holds for every direct subexpression of `e` (false at the first
// that fails).
template <typename F>
bool AllChildren(const Expr& e, F&& f) {
  switch (e.kind) {
    case Expr::Kind::kConstant:
    case Expr::Kind::kIdent: return true;
    case Expr::Kind::kSelect: return !e.select.operand || f(*e.select.operand);
    case Expr::Kind::kCall:
      if (e.call.target && !f(*e.call.target)) return false;
      for (const auto& a : e.call.args) {
        if (!f(*a)) return false;
      }
      return true;
    case Expr::Kind::kList:
      for (const auto& a : e.list.elements) {
        if (!f(*a)) return false;
      }
      return true;
    case Expr::Kind::kMap:
      for (const auto& en : e.map.entries) {
        if (!f(*en.key) || !f(*en.value)) return false;
      }
      return true;
    case Expr::Kind::kStruct:
      for (const auto& en : e.struct_expr.fields) {
        if (!f(*en.value)) return false;
      }
      return true;
    case Expr::Kind::kComprehension: {
      const auto& c = e.comprehension;
      for (const Expr* x : {c.iter_range.get(), c.accu_init.get(), c.loop_condition.get(), c.loop_step.get(),
                            c.result.get()}) {
        if (!f(*x)) return false;
      }
      return true;
    }
  }
  return true;
}

// True if `e` has fewer than *left nodes (counting them down).
bool FewerNodesThan(const Expr& e, int* left) {
  if (--*left < 0) return false;
  return AllChildren(e, [left](const Expr& c) { return FewerNodesThan(c, left); });
}

bool HasComprehension(const Expr& e) {
  if (e.kind == Expr::Kind::kComprehension || e.kind == Expr::Kind::kStruct) return true;
  return !AllChildren(e, [](const Expr& c) { return !HasComprehension(c); });
}

// Names a comprehension of `e` binds.
void BoundNames(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kComprehension) {
    const auto& c = e.comprehension;
    out->push_back(c.iter_var);
    if (!c.iter_var2.empty()) out->push_back(c.iter_var2);
    out->push_back(c.accu_var);
  }
  AllChildren(e, [out](const Expr& c) {
    BoundNames(c, out);
    return true;
  });
}

// A copy of `e` with each free identifier named in `params` replaced by a copy
// of the matching `args` entry (shadowing by comprehension variables
// respected); `*ok` is cleared for a dotted identifier on a parameter.
ExprPtr Substitute(const Expr& e, const std::vector<std::string>& params, const std::vector<const Expr*>& args,
                   std::vector<std::string>* shadow, bool* ok) {
  static const std::vector<std::string> kNone;
  static const std::vector<const Expr*> kNoArgs;
  auto sub = [&](const ExprPtr& p) -> ExprPtr { return p ? Substitute(*p, params, args, shadow, ok) : nullptr; };
  if (e.kind == Expr::Kind::kIdent) {
    const std::string_view root = RootOf(e.ident.name);
    bool shadowed = false;
    for (const auto& s : *shadow) shadowed = shadowed || s == root;
    for (size_t i = 0; !shadowed && i < params.size(); ++i) {
      if (params[i] != root) continue;
      if (root.size() != e.ident.name.size()) {
        *ok = false;
        break;
      }
      std::vector<std::string> none;
      return Substitute(*args[i], kNone, kNoArgs, &none, ok);
    }
  }
  auto out = std::make_unique<Expr>();
  out->kind = e.kind;
  out->id = e.id;
  out->offset = e.offset;
  out->op_offset = e.op_offset;
  switch (e.kind) {
    case Expr::Kind::kConstant: out->constant = e.constant; break;
    case Expr::Kind::kIdent: out->ident = e.ident; break;
    case Expr::Kind::kSelect:
      out->select.operand = sub(e.select.operand);
      out->select.field = e.select.field;
      out->select.test_only = e.select.test_only;
      break;
    case Expr::Kind::kCall:
      out->call.target = sub(e.call.target);
      out->call.function = e.call.function;
      out->call.args.reserve(e.call.args.size());
      for (const auto& a : e.call.args) out->call.args.push_back(sub(a));
      break;
    case Expr::Kind::kList:
      out->list.elements.reserve(e.list.elements.size());
      for (const auto& a : e.list.elements) out->list.elements.push_back(sub(a));
      out->list.optional_indices = e.list.optional_indices;
      break;
    case Expr::Kind::kMap:
    case Expr::Kind::kStruct: {
      const auto& in = e.kind == Expr::Kind::kMap ? e.map.entries : e.struct_expr.fields;
      auto& dst = e.kind == Expr::Kind::kMap ? out->map.entries : out->struct_expr.fields;
      out->struct_expr.message_name = e.struct_expr.message_name;
      for (const auto& en : in) {
        MapEntry c;
        c.key = sub(en.key);
        c.value = sub(en.value);
        c.optional = en.optional;
        c.offset = en.offset;
        dst.push_back(std::move(c));
      }
      break;
    }
    case Expr::Kind::kComprehension: {
      const auto& c = e.comprehension;
      auto& o = out->comprehension;
      o.iter_var = c.iter_var;
      o.iter_var2 = c.iter_var2;
      o.accu_var = c.accu_var;
      o.iter_range = sub(c.iter_range);
      o.accu_init = sub(c.accu_init);
      const size_t mark = shadow->size();
      shadow->push_back(c.iter_var);
      if (!c.iter_var2.empty()) shadow->push_back(c.iter_var2);
      shadow->push_back(c.accu_var);
      o.loop_condition = sub(c.loop_condition);
      o.loop_step = sub(c.loop_step);
      o.result = sub(c.result);
      shadow->resize(mark);
      break;
    }
  }
  return out;
}

bool IsNullConstant(const Expr& e) { return e.kind == Expr::Kind::kConstant && e.constant.kind == Constant::Kind::kNull; }

// `has(p.f)` or `'k' in m`, then `x != null`: worth planning as a pair.
bool LooksLikeNotNullGuard(const Expr& guard, const Expr& test) {
  const bool is_guard = (guard.kind == Expr::Kind::kSelect && guard.select.test_only) || IsCallOf(guard, "@in", 2);
  return is_guard && IsCallOf(test, "_!=_", 2) && IsNullConstant(*test.call.args[1]);
}

// True if `b`, evaluated right after `a`, gives a's value; *cost is what b
// then costs.  A memoized helper call is answered from the Activation's memo
// (*needs_activation: only when there is one).
bool Rereads(const Node& a, const Node& b, int64_t* cost, bool* needs_activation) {
  *cost = 1;
  if (const auto* la = dynamic_cast<const LocalNode*>(&a)) {
    const auto* lb = dynamic_cast<const LocalNode*>(&b);
    return lb && lb->index() == la->index();
  }
  if (const auto* va = dynamic_cast<const VariableNode*>(&a)) {
    const auto* vb = dynamic_cast<const VariableNode*>(&b);
    return vb && vb->slot() == va->slot();
  }
  if (const auto* ha = dynamic_cast<const HelperCallNode*>(&a)) {
    const auto* hb = dynamic_cast<const HelperCallNode*>(&b);
    const bool same = hb && ha->memo_slot() >= 0 && hb->memo_slot() == ha->memo_slot();
    *needs_activation = *needs_activation || same;
    return same;
  }
  if (const auto* pa = dynamic_cast<const PathNode*>(&a)) {
    const auto* pb = dynamic_cast<const PathNode*>(&b);
    *cost = 2;  // its unit and its root's
    return pb && pa->SameRoot(*pb) && !pa->test_only() && !pb->test_only() && pa->keys() == pb->keys();
  }
  return false;
}

}  // namespace

NodePtr Planner::MakeLogic(int32_t offset, NodePtr l, NodePtr r, bool is_or) {
  const Value* lc = l->ConstantValue();
  // `true || x`, `false && x`: x is never evaluated.
  if (fold_ && lc && lc->IsBool() && lc->BoolValue() == is_or) return std::make_unique<ConstNode>(offset, *lc);
  const bool constant = lc && r->ConstantValue();
  NodePtr node = std::make_unique<AndNode>(offset, std::move(l), std::move(r), is_or);
  return constant ? Fold(std::move(node)) : std::move(node);
}

// `a && b`, `a || b`.  Folding, `has(p.f) && p.f != null` and `'k' in m &&
// m['k'] != null` are one node, and `a && (b && c)` (the parser's grouping of
// `a && b && c`) is regrouped as `(a && b) && c` for such a pair: a guard and
// `x != null` each yield a boolean or an error, for which both groupings give
// the same values and errors.
NodePtr Planner::PlanLogic(const Expr& e, bool is_or) {
  const auto& args = e.call.args;
  if (fold_ && !is_or) {
    const Expr* second = args[1].get();
    const Expr* rest = nullptr;
    if (IsCallOf(*second, "_&&_", 2)) {
      rest = second->call.args[1].get();
      second = second->call.args[0].get();
    }
    if (LooksLikeNotNullGuard(*args[0], *second)) {
      NodePtr a = PlanExpr(*args[0]);
      NodePtr b = PlanExpr(*second);
      if (NodePtr pair = FuseNotNullGuard(rest ? args[1]->offset : e.offset, a, b)) {
        return rest ? MakeLogic(e.offset, std::move(pair), PlanExpr(*rest), false) : std::move(pair);
      }
      if (!rest) return MakeLogic(e.offset, std::move(a), std::move(b), false);
      NodePtr inner = MakeLogic(args[1]->offset, std::move(b), PlanExpr(*rest), false);
      return MakeLogic(e.offset, std::move(a), std::move(inner), false);
    }
  }
  NodePtr l = PlanExpr(*args[0]);
  NodePtr r = PlanExpr(*args[1]);
  return MakeLogic(e.offset, std::move(l), std::move(r), is_or);
}

NodePtr Planner::FuseNotNullGuard(int32_t offset, NodePtr& l, NodePtr& r) const {
  const auto* test = dynamic_cast<const EqualsConstNode*>(r.get());
  const Node* x = test ? test->NotNullOperand() : nullptr;
  if (x == nullptr) return nullptr;
  const auto* px = dynamic_cast<const PathNode*>(x);
  if (px && (px->test_only() || px->keys().empty())) return nullptr;
  // What `x != null` costs on a hit: its unit, its constant's, then x's.
  int64_t cost = 2;
  bool needs_activation = false;
  int64_t read = 0;
  if (const auto* has = dynamic_cast<const PathNode*>(l.get()); has && has->test_only()) {
    if (!px || px->keys() != has->keys()) return nullptr;  // px has keys (checked above)
    if (has->reads_in_place()) {
      if (!has->SameRoot(*px)) return nullptr;
      cost += 2;
    } else {
      if (px->reads_in_place() || !Rereads(has->operand(), px->operand(), &read, &needs_activation)) return nullptr;
      cost += 1 + read;
    }
  } else if (const auto* in = dynamic_cast<const ConstKeyNode*>(l.get()); in && !in->index()) {
    const Node& m = in->map();
    const auto* kx = dynamic_cast<const ConstKeyNode*>(x);
    if (kx && kx->index() && kx->id() == in->id() && Rereads(m, kx->map(), &read, &needs_activation)) {
      cost += 2 + read;
    } else if (px && px->keys().back() == *in->id() && px->keys().size() == 1 &&
               Rereads(m, px->operand(), &read, &needs_activation)) {
      cost += 1 + read;  // in place (m a local or a variable): its root's unit, as m's
    } else if (const auto* pm = dynamic_cast<const PathNode*>(&m);
               px && pm && px->keys().back() == *in->id() && pm->SameRoot(*px) && !pm->test_only() &&
               std::equal(pm->keys().begin(), pm->keys().end(), px->keys().begin(), px->keys().end() - 1)) {
      cost += 2;  // m.k1...kn['k'] as one path from m's root
    } else {
      return nullptr;
    }
  } else {
    return nullptr;
  }
  return std::make_unique<NotNullGuardNode>(offset, std::move(l), std::move(r), cost, needs_activation);
}

const SpecializedHelper* Planner::Specialize(const HelperDef& helper, const std::vector<ExprPtr>& args,
                                             const std::string& key) {
  if (!helper.ast || helper.params.empty() || args.size() != helper.params.size()) return nullptr;
  // Each level plans the helper's body with a planner of its own, recursively: a
  // chain of helpers calling helpers would recurse as deep as the chain (a stack
  // overflow for a hostile pack).  Past this depth the generic body runs, and its
  // run-time depth budget applies as before.
  if (specialize_depth_ >= kMaxSpecializeDepth) return nullptr;
  if (const SpecializedHelper* s = env_.FindSpecialized(key)) return s;
  auto s = std::make_unique<SpecializedHelper>();
  // The arguments go where the parameters were: they must not be captured by
  // a name the body binds, and are re-evaluated where read (no comprehensions).
  std::vector<std::string> bound = helper.params;
  BoundNames(*helper.ast, &bound);
  bool ok = true;
  std::vector<const Expr*> arg_ptrs;
  for (const auto& a : args) {
    std::vector<std::string> inner;
    if (HasComprehension(*a) || AnyFreeIdent(*a, &inner, [&](std::string_view root) {
          return std::find(bound.begin(), bound.end(), root) != bound.end();
        })) {
      ok = false;
    }
    arg_ptrs.push_back(a.get());
  }
  ExprPtr ast;
  if (ok) {
    std::vector<std::string> shadow;
    ast = Substitute(*helper.ast, helper.params, arg_ptrs, &shadow, &ok);
  }
  if (ok) {
    // Constants now in the body may fail (a type error, an invalid pattern):
    // then the generic body runs, and fails at run time as before.
    std::vector<Diagnostic> diags;
    Planner planner(env_, &diags, false);
    planner.specialize_depth_ = specialize_depth_ + 1;
    NodePtr body = planner.Plan(*ast, {});
    if (diags.empty()) {
      s->body = std::move(body);
      s->num_locals = planner.max_locals();
    }
  }
  return env_.AddSpecialized(key, std::move(s));
}

// Called on a loop's variable (`names.exists(r, isAcceleratorResource(r))`), a
// helper runs its body in a frame of its own: the call, the frame and a memo
// lookup that finds nothing for a string cost more than a body such as a
// pattern-set match.  Such a body is planned in place instead, when it is the
// same expression there: its arguments are plain locals (read again where the
// body reads a parameter, at no cost), no name the body binds captures them, no
// local of the caller hides a name the body reads, and its loops range over
// constants (they plan into set lookups and pattern sets).  A body that loops
// over its argument keeps the call, and the memo on a node of the object.
// Only a small body that calls no helper is inlined: a chain of helpers each
// calling the next several times would otherwise grow as the product of those
// counts, and a large body called from many places as their product (a hostile
// pack, planned for ever or out of memory), where calls plan each body once.
NodePtr Planner::PlanInlined(const Expr& e, const HelperDef& helper) {
  const auto& args = e.call.args;
  if (!helper.ast || args.empty() || args.size() != helper.params.size()) return nullptr;
  // The size first: every walk below is over the body, once per call site.
  int nodes = kMaxInlinedNodes;
  if (!FewerNodesThan(*helper.ast, &nodes)) return nullptr;
  std::vector<std::string> bound = helper.params;
  BoundNames(*helper.ast, &bound);
  std::vector<const Expr*> arg_ptrs;
  for (const auto& a : args) {
    if (a->kind != Expr::Kind::kIdent) return nullptr;
    const std::string& name = a->ident.name;
    if (RootOf(name).size() != name.size() || scope_.Find(name) < 0 ||
        std::find(bound.begin(), bound.end(), name) != bound.end()) {
      return nullptr;
    }
    arg_ptrs.push_back(a.get());
  }
  std::vector<std::string> inner;
  const bool hidden = AnyFreeIdent(*helper.ast, &inner, [&](std::string_view root) {
    return std::find(helper.params.begin(), helper.params.end(), root) == helper.params.end() &&
           scope_.Find(root) >= 0;
  });
  if (hidden || CallsHelpers(*helper.ast) || !LoopsOverConstantsOnly(*helper.ast)) return nullptr;
  bool ok = true;
  std::vector<std::string> shadow;
  ExprPtr ast = Substitute(*helper.ast, helper.params, arg_ptrs, &shadow, &ok);
  if (!ok) return nullptr;
  // The body was checked where it was declared; anything planning it here
  // reports (a constant that fails) leaves the call as it was.
  std::vector<Diagnostic> diags;
  std::vector<Diagnostic>* const reported = diags_;
  diags_ = &diags;
  NodePtr body = PlanExpr(*ast);
  diags_ = reported;
  return diags.empty() ? std::move(body) : nullptr;
}

bool Planner::CallsHelpers(const Expr& e) const {
  if (e.kind == Expr::Kind::kCall) {
    // By name, as the checker resolves them (a library helper is `k8s.name`).
    std::string q;
    if (env_.FindHelper(e.call.function) != nullptr ||
        (e.call.target && QualifiedName(*e.call.target, &q) && env_.FindHelper(q + "." + e.call.function))) {
      return true;
    }
  }
  return !AllChildren(e, [this](const Expr& c) { return !CallsHelpers(c); });
}

bool Planner::LoopsOverConstantsOnly(const Expr& e) const {
  if (e.kind == Expr::Kind::kComprehension) {
    std::vector<std::string> inner;
    const bool variable_range = AnyFreeIdent(*e.comprehension.iter_range, &inner, [this](std::string_view root) {
      const int slot = env_.FindVariable(std::string(root));
      return slot < 0 || env_.ConstantFor(slot) == nullptr;
    });
    if (variable_range) return false;
  }
  return AllChildren(e, [this](const Expr& c) { return LoopsOverConstantsOnly(c); });
}

bool Planner::UsesOuterLocals(const Expr& e, std::vector<std::string>* inner) const {
  return AnyFreeIdent(e, inner, [&](std::string_view root) { return scope_.Find(root) >= 0; });
}


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
      if (e.call.function == std::string_view("_[_]") && !e.call.target && e.call.args.size() == 2 &&
          IsStringConstant(*e.call.args[1])) {
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
    if (const Value* c = fold_ ? env_.ConstantFor(slot) : nullptr) {
      base = std::make_unique<ConstNode>(e.offset, *c);
    } else {
      base = std::make_unique<VariableNode>(e.offset, slot, std::string(root));
    }
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
  const bool constant = base->ConstantValue() != nullptr;
  NodePtr path = std::make_unique<PathNode>(e.offset, std::move(base), std::move(keys), false, std::move(ids));
  return constant ? Fold(std::move(path)) : std::move(path);
}

NodePtr Planner::PlanPath(const Expr& e) {
  std::vector<std::string> keys;
  std::vector<bool> index_steps;
  const bool test_only = e.kind == Expr::Kind::kSelect && e.select.test_only;
  const Expr* cur = &e;
  while (true) {
    if (cur->kind == Expr::Kind::kSelect && (cur == &e || !cur->select.test_only) && cur->select.operand) {
      // Stop at an unbound qualified prefix (a type name): plan it whole.
      keys.push_back(cur->select.field);
      index_steps.push_back(false);
      cur = cur->select.operand.get();
      std::string q;
      if (QualifiedName(*cur, &q) && !IsBound(RootOf(q), env_, scope_)) break;
    } else if (cur->kind == Expr::Kind::kCall && cur->call.function == std::string_view("_[_]") && !cur->call.target &&
               cur->call.args.size() == 2 && IsStringConstant(*cur->call.args[1])) {
      keys.push_back(cur->call.args[1]->constant.string_value);
      index_steps.push_back(true);
      cur = cur->call.args[0].get();
    } else {
      break;
    }
  }
  std::reverse(keys.begin(), keys.end());
  std::reverse(index_steps.begin(), index_steps.end());
  NodePtr operand = PlanExpr(*cur);
  std::vector<const std::string*> ids;
  for (const auto& k : keys) ids.push_back(env_.InternField(k));
  const bool constant = operand->ConstantValue() != nullptr;
  NodePtr path = std::make_unique<PathNode>(e.offset, std::move(operand), std::move(keys), test_only, std::move(ids),
                                            std::move(index_steps));
  return constant ? Fold(std::move(path)) : std::move(path);
}

NodePtr Planner::Fold(NodePtr node, bool report_type_errors) {
  // Called only with CallNode/ListNode/MapNode whose children are constants.
  EvalContext ctx;
  // Locals sized for the comprehension variables a folded comprehension uses.
  ctx.Reset(&env_.limits, nullptr, &env_.regex_cache, static_cast<size_t>(scope_.max_locals()));
  Value v = node->Eval(ctx);
  if (v.IsError() && !ctx.exhausted && report_type_errors && report_type_errors_ &&
      v.ErrorMessage().rfind("found no matching overload", 0) == 0) {
    Error(node->offset(), v.ErrorMessage());
  }
  if (!fold_ || v.IsError() || ctx.exhausted) return node;
  return std::make_unique<ConstNode>(node->offset(), std::move(v));
}

// Whether a specialized body is one call remembered in a memo slot of its own
// (images(o) is k8s.images(o), annotation(o, k) one k8s.workloadAnnotation):
// the call that runs it need not remember the same value a second time.
static bool RemembersItself(const SpecializedHelper* s) {
  if (s == nullptr || s->body == nullptr || s->num_locals != 0) return false;
  if (const auto* h = dynamic_cast<const HelperCallNode*>(s->body.get())) return h->memo_slot() >= 0;
  if (const auto* n = dynamic_cast<const NativeCallNode*>(s->body.get())) return n->memo_slot() >= 0;
  return false;
}

// A call of a pack's (or the library's) helper, run through its CEL body
// (with `specialize`, a body planned for the call's constant arguments);
// *memo is the Activation memo slot of a call on the activation only, or -1.
NodePtr Planner::PlanHelperCall(const Expr& e, const ResolvedCall& rc, int* memo, bool specialize) {
  const auto& call = e.call;
  // Arguments that read the activation only (no local): one memo slot per
  // distinct call text, shared by every program of the Env.
  std::string key;
  bool pure = false;
  if (fold_) {
    key = rc.helper->name + "(";
    pure = true;
    for (const auto& a : call.args) {
      std::vector<std::string> inner;
      std::string text, why;
      if (UsesOuterLocals(*a, &inner) || !Unparse(*a, &text, &why)) {
        pure = false;
        break;
      }
      key += text;
      key += ", ";
    }
    if (pure) key += ")";
  }
  // A call specialized before runs its specialized body, never its
  // arguments: they are planned only for their diagnostics, which are
  // those of the first time (EnvImpl::CleanArgs).
  if (pure && specialize) {
    const SpecializedHelper* known = env_.FindSpecialized(key);
    if (known && known->body && specialize_depth_ < kMaxSpecializeDepth &&
        env_.CleanArgs(key, report_type_errors_)) {
      *memo = RemembersItself(known) ? -1 : env_.MemoSlot(key);
      return std::make_unique<HelperCallNode>(e.offset, rc.helper, std::vector<NodePtr>{}, *memo, known);
    }
  }
  if (!pure && specialize && fold_) {
    if (NodePtr inlined = PlanInlined(e, *rc.helper)) {
      *memo = -1;
      return inlined;
    }
  }
  const size_t diags_before = diags_->size();
  std::vector<NodePtr> args;
  args.reserve(call.args.size());
  for (const auto& a : call.args) args.push_back(PlanExpr(*a));
  const SpecializedHelper* spec = nullptr;
  if (pure) {
    if (diags_->size() == diags_before) env_.SetCleanArgs(key, report_type_errors_);
    *memo = env_.MemoSlot(key);
    if (specialize) spec = Specialize(*rc.helper, call.args, key);
    if (RemembersItself(spec)) *memo = -1;
  }
  // Arguments that read locals may still be nodes of the object (a container
  // of a loop over it): such calls are memoized on those nodes at run time.
  return std::make_unique<HelperCallNode>(e.offset, rc.helper, std::move(args), *memo, spec,
                                          /*memo_on_json=*/fold_ && !pure);
}

NodePtr Planner::PlanCall(const Expr& e) {
  ResolvedCall rc = ResolveCall(e, env_, scope_);
  const std::string_view name = rc.name;  // compared with literals: sizes first, no strlen
  const auto& call = e.call;
  switch (rc.kind) {
    case ResolvedCall::kUnknownFunction:
      return std::make_unique<ErrorNode>(e.offset, "undeclared reference to '" + rc.name + "'");
    case ResolvedCall::kBadArity:
      return std::make_unique<ErrorNode>(e.offset, "found no matching overload for '" + rc.name + "' applied to " +
                                                       std::to_string(call.args.size() + (rc.receiver ? 1 : 0)) +
                                                       " arguments");
    case ResolvedCall::kSpecial: {
      if (name == "cel.bind") {
        NodePtr init = PlanExpr(*call.args[1]);
        int local = scope_.Push(call.args[0]->ident.name);
        NodePtr body = PlanExpr(*call.args[2]);
        scope_.Pop();
        return std::make_unique<BindNode>(e.offset, local, std::move(init), std::move(body));
      }
      if (name == "or" || name == "orValue") {
        return std::make_unique<OptionalOrNode>(e.offset, PlanExpr(*call.target), PlanExpr(*call.args[0]),
                                                name == "orValue");
      }
      if (name == "_&&_" || name == "_||_") return PlanLogic(e, name == "_||_");
      if (name == "_?_:_") {
        NodePtr c = PlanExpr(*call.args[0]);
        NodePtr t = PlanExpr(*call.args[1]);
        NodePtr f = PlanExpr(*call.args[2]);
        const Value* cc = c->ConstantValue();
        if (fold_ && cc && cc->IsBool()) return cc->BoolValue() ? std::move(t) : std::move(f);
        return std::make_unique<ConditionalNode>(e.offset, std::move(c), std::move(t), std::move(f));
      }
      NodePtr a = PlanExpr(*call.args[0]);
      const bool constant = a->ConstantValue() != nullptr;
      NodePtr node = std::make_unique<NotStrictlyFalseNode>(e.offset, std::move(a));
      return constant ? Fold(std::move(node)) : std::move(node);
    }
    case ResolvedCall::kHelper: {
      const bool native = fold_ && rc.helper->native != nullptr && call.args.size() <= NativeCallNode::kMaxArgs;
      int memo = -1;
      // Behind a native, the body runs only for the shapes the native leaves
      // to it: its generic plan, not one specialized per call (start-up).
      NodePtr body_call = PlanHelperCall(e, rc, &memo, /*specialize=*/!native);
      if (!native) return body_call;
      // The arguments again, for the native: their diagnostics are the body
      // call's, reported once.
      std::vector<Diagnostic> again;
      std::vector<Diagnostic>* const reported = diags_;
      diags_ = &again;
      std::vector<NodePtr> args;
      for (const auto& a : call.args) args.push_back(PlanExpr(*a));
      diags_ = reported;
      return std::make_unique<NativeCallNode>(e.offset, rc.helper->native, std::move(args), memo,
                                              std::move(body_call));
    }
    case ResolvedCall::kBuiltin: break;
  }
  std::vector<const Expr*> arg_exprs;
  arg_exprs.reserve(call.args.size() + 1);
  if (rc.receiver) arg_exprs.push_back(call.target.get());
  for (const auto& a : call.args) arg_exprs.push_back(a.get());
  // Constant regular expressions are compiled once, here.
  if (name == "matches" && arg_exprs.size() == 2 && IsStringConstant(*arg_exprs[1])) {
    PatternTable::Regex r = env_.patterns.Get(arg_exprs[1]->constant.string_value);
    if (!r.re) {
      Error(arg_exprs[1]->offset, r.error);
      return std::make_unique<ErrorNode>(e.offset, r.error);
    }
    return std::make_unique<RegexMatchNode>(e.offset, PlanExpr(*arg_exprs[0]), std::move(r.re), r.memo_id);
  }
  // Constant patterns of find/findAll are validated now (compiled lazily).
  if ((name == "find" || name == "findAll") && arg_exprs.size() >= 2 && IsStringConstant(*arg_exprs[1])) {
    PatternTable::Regex r = env_.patterns.Get(arg_exprs[1]->constant.string_value);
    if (!r.re) {
      Error(arg_exprs[1]->offset, r.error);
      return std::make_unique<ErrorNode>(e.offset, r.error);
    }
  }
  std::vector<NodePtr> args;
  args.reserve(arg_exprs.size());
  bool all_const = true;
  for (const Expr* a : arg_exprs) {
    args.push_back(PlanExpr(*a));
    if (args.back()->ConstantValue() == nullptr) all_const = false;
  }
  // dyn(...) arguments opt out of static type errors, as in cel-go's checker;
  // so do arguments folded from variables bound to constants (`params.x + 1`
  // fails when evaluated, as it did before folding).
  // Needed only to fold (all arguments constant): it walks every argument's subtree.
  auto dyn_arg = [&] {
    bool dyn = false;
    for (const Expr* a : arg_exprs) {
      if (a->kind == Expr::Kind::kCall && a->call.function == std::string_view("dyn") && !a->call.target) dyn = true;
      std::vector<std::string> inner;
      if (AnyFreeIdent(*a, &inner, [&](std::string_view root) { return env_.FindVariable(std::string(root)) >= 0; })) {
        dyn = true;
      }
    }
    return dyn;
  };
  if (fold_ && !all_const && args.size() == 2 && args[1]->ConstantValue()) {
    const Value& c = *args[1]->ConstantValue();
    if ((name == "_==_" || name == "_!=_") && !rc.receiver) {
      return std::make_unique<EqualsConstNode>(e.offset, std::move(args[0]), c, name == "_!=_");
    }
    if (name == "_[_]" && !rc.receiver && c.IsString()) {
      const std::string* id = env_.InternField(std::string(c.StringValue()));
      return std::make_unique<ConstKeyNode>(e.offset, std::move(args[0]), c, id, true, rc.fn);
    }
    // `x in <constant list>`: a set lookup.
    if (name == "@in" && c.IsList()) {
      return std::make_unique<InConstListNode>(e.offset, std::move(args[0]), c, rc.fn);
    }
    // `s.matches(<folded constant>)`, e.g. a pattern read from params: compiled
    // now; an invalid one stays a run-time error, as before folding.
    if (name == "matches" && c.IsString()) {
      PatternTable::Regex r = env_.patterns.Get(c.StringValue());
      if (r.re) return std::make_unique<RegexMatchNode>(e.offset, std::move(args[0]), std::move(r.re), r.memo_id);
    }
  }
  // `x < c`, `c <= x`, ...: ints compared inline.
  if (fold_ && !all_const && args.size() == 2 && !rc.receiver &&
      (args[0]->ConstantValue() != nullptr || args[1]->ConstantValue() != nullptr)) {
    static constexpr std::string_view kRelational[] = {"_<_", "_<=_", "_>_", "_>=_"};
    for (size_t op = 0; op < 4; ++op) {
      if (name != kRelational[op]) continue;
      const bool const_left = args[0]->ConstantValue() != nullptr;
      const Value c = *args[const_left ? 0 : 1]->ConstantValue();
      return std::make_unique<CompareConstNode>(e.offset, std::move(args[const_left ? 1 : 0]), c, const_left,
                                                static_cast<CompareConstNode::Op>(op), rc.fn);
    }
  }
  // `'key' in m` with a constant key (a folded params.prefix + 'key').
  if (fold_ && !all_const && args.size() == 2 && name == "@in" && !rc.receiver && args[0]->ConstantValue() &&
      args[0]->ConstantValue()->IsString()) {
    const Value c = *args[0]->ConstantValue();
    const std::string* id = env_.InternField(std::string(c.StringValue()));
    return std::make_unique<ConstKeyNode>(e.offset, std::move(args[1]), c, id, false, rc.fn);
  }
  if (fold_ && !all_const && name == "!_" && args.size() == 1) {
    return std::make_unique<NotNode>(e.offset, std::move(args[0]));
  }
  NodePtr node = std::make_unique<CallNode>(e.offset, rc.fn, std::move(args));
  return all_const ? Fold(std::move(node), !dyn_arg()) : std::move(node);
}

NodePtr Planner::PlanList(const Expr& e) {
  std::vector<NodePtr> elems;
  elems.reserve(e.list.elements.size());
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
    return x.kind == Expr::Kind::kCall && x.call.function == std::string_view("_+_") && !x.call.target &&
           x.call.args.size() == 2 &&
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
  if (step.kind == Expr::Kind::kCall && step.call.function == std::string_view("_?_:_") && !step.call.target &&
      step.call.args.size() == 3 && is_append(*step.call.args[1]) && is_accu(*step.call.args[2])) {
    return std::make_unique<ConditionalNode>(step.offset, PlanExpr(*step.call.args[0]),
                                             plan_append(*step.call.args[1]), PlanExpr(*step.call.args[2]));
  }
  return PlanExpr(step);
}

NodePtr Planner::PlanQuantifier(const Expr& e, bool all, const Expr& pred) {
  const auto& c = e.comprehension;
  NodePtr range = PlanExpr(*c.iter_range);
  // Scope exactly as the generic comprehension, so local indices agree.
  const int iter = scope_.Push(c.iter_var);
  const int iter2 = c.iter_var2.empty() ? -1 : scope_.Push(c.iter_var2);
  scope_.Push(c.accu_var);
  NodePtr body = PlanExpr(pred);
  // `patterns.exists(p, s.matches(p))` over constant string patterns.
  const Value* patterns = range->ConstantValue();
  const Expr* subject = nullptr;
  if (iter2 < 0 && patterns && patterns->IsList() && patterns->ListSize() > 0 && pred.kind == Expr::Kind::kCall &&
      pred.call.function == std::string_view("matches")) {
    if (pred.call.target && pred.call.args.size() == 1 && IsIdent(*pred.call.args[0], c.iter_var)) {
      subject = pred.call.target.get();
    } else if (!pred.call.target && pred.call.args.size() == 2 && IsIdent(*pred.call.args[1], c.iter_var)) {
      subject = pred.call.args[0].get();
    }
    std::vector<std::string> inner;
    if (subject && AnyFreeIdent(*subject, &inner, [&](std::string_view r) { return r == c.iter_var || r == c.accu_var; })) {
      subject = nullptr;
    }
  }
  NodePtr subject_node;
  if (subject) subject_node = PlanExpr(*subject);
  scope_.Pop();
  if (iter2 >= 0) scope_.Pop();
  scope_.Pop();
  NodePtr node;
  if (subject_node) {
    const size_t n = patterns->ListSize();
    std::vector<std::string_view> texts;  // views into the constant list, which outlives the call
    for (size_t i = 0; i < n; ++i) {
      Value p = patterns->ListAt(i);
      if (!p.IsString()) break;
      texts.push_back(p.StringValue());
    }
    // A pattern that is invalid or over the limits leaves the loop, and its run-time error.
    PatternTable::Set set;
    if (texts.size() == n) set = env_.patterns.GetSet(texts);
    if (set.set) {
      NodePtr fallback = std::make_unique<QuantifierNode>(e.offset, std::move(range), std::move(body), iter, iter2, all);
      node = std::make_unique<RegexSetNode>(e.offset, std::move(subject_node), std::move(set.set), n, all,
                                            std::move(fallback), all ? set.memo_id_all : set.memo_id_exists);
    }
  }
  if (!node) node = std::make_unique<QuantifierNode>(e.offset, std::move(range), std::move(body), iter, iter2, all);
  return node;
}

NodePtr Planner::PlanMapLoop(const Expr& e) {
  const auto& c = e.comprehension;
  if (!IsIdent(*c.result, c.accu_var) || c.accu_init->kind != Expr::Kind::kList ||
      !c.accu_init->list.elements.empty() || c.loop_condition->kind != Expr::Kind::kConstant ||
      c.loop_condition->constant.kind != Constant::Kind::kBool || !c.loop_condition->constant.bool_value) {
    return nullptr;
  }
  // `accu + [elem]`: the element, or null.
  auto appended = [&](const Expr& x) -> const Expr* {
    if (!IsCallOf(x, "_+_", 2) || !IsIdent(*x.call.args[0], c.accu_var)) return nullptr;
    const Expr& list = *x.call.args[1];
    if (list.kind != Expr::Kind::kList || list.list.elements.size() != 1 || !list.list.optional_indices.empty()) {
      return nullptr;
    }
    return list.list.elements[0].get();
  };
  const Expr& step = *c.loop_step;
  const Expr* filter = nullptr;
  const Expr* elem = appended(step);
  if (!elem && IsCallOf(step, "_?_:_", 3) && IsIdent(*step.call.args[2], c.accu_var)) {
    filter = step.call.args[0].get();
    elem = appended(*step.call.args[1]);
  }
  if (!elem) return nullptr;
  std::vector<std::string> inner;
  auto reads_accu = [&](const Expr* x) {
    return x && AnyFreeIdent(*x, &inner, [&](std::string_view r) { return r == c.accu_var; });
  };
  if (reads_accu(filter) || reads_accu(elem)) return nullptr;
  NodePtr range = PlanExpr(*c.iter_range);
  // Scope exactly as the generic comprehension, so local indices agree.
  const int iter = scope_.Push(c.iter_var);
  const int iter2 = c.iter_var2.empty() ? -1 : scope_.Push(c.iter_var2);
  scope_.Push(c.accu_var);
  NodePtr filter_node = filter ? PlanExpr(*filter) : nullptr;
  NodePtr elem_node = PlanExpr(*elem);
  scope_.Pop();
  if (iter2 >= 0) scope_.Pop();
  scope_.Pop();
  return std::make_unique<MapLoopNode>(e.offset, std::move(range), std::move(filter_node), std::move(elem_node), iter,
                                       iter2);
}

NodePtr Planner::PlanComprehension(const Expr& e) {
  const auto& c = e.comprehension;
  bool all = false;
  if (fold_) {
    if (const Expr* pred = QuantifierPredicate(c, &all)) return PlanQuantifier(e, all, *pred);
    if (NodePtr loop = PlanMapLoop(e)) return loop;
  }
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
  // Comprehensions over constants are not folded: their cost belongs to the
  // evaluation's budget (an over-budget one must stay an error).
  return std::make_unique<ComprehensionNode>(e.offset, std::move(p));
}

}  // namespace aimsgate::cel::internal
