#include "evaluator/cel/checker.h"

#include <cctype>

#include "evaluator/cel/builtins.h"

namespace aimsgate::cel::internal {

namespace {

std::string_view RootOf(std::string_view dotted) { return dotted.substr(0, dotted.find('.')); }

class Checker {
 public:
  Checker(const EnvImpl& env, std::vector<Diagnostic>* diags, const std::string* source)
      : env_(env), diags_(diags), source_(source) {}

  LocalScope& scope() { return scope_; }

  void Visit(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kConstant: return;
      case Expr::Kind::kIdent: {
        const std::string& name = e.ident.name;
        if (IsBound(RootOf(name), env_, scope_) || !TypeIdentifier(name).empty()) return;
        Error(e.offset, "undeclared reference to '" + name + "'");
        return;
      }
      case Expr::Kind::kSelect: {
        std::string q;
        if (QualifiedName(e, &q) && !IsBound(RootOf(q), env_, scope_)) {
          if (!TypeIdentifier(q).empty()) return;
          Error(e.offset, "undeclared reference to '" + std::string(RootOf(q)) + "'");
          return;
        }
        if (e.select.operand) Visit(*e.select.operand);
        return;
      }
      case Expr::Kind::kCall: VisitCall(e); return;
      case Expr::Kind::kList:
        for (const auto& el : e.list.elements) Visit(*el);
        return;
      case Expr::Kind::kMap:
        for (const auto& en : e.map.entries) {
          Visit(*en.key);
          Visit(*en.value);
        }
        return;
      case Expr::Kind::kStruct:
        Error(e.offset, "message construction '" + e.struct_expr.message_name + "{...}' is not supported");
        return;
      case Expr::Kind::kComprehension: {
        const auto& c = e.comprehension;
        Visit(*c.iter_range);
        Visit(*c.accu_init);
        int pushed = 0;
        scope_.Push(c.iter_var);
        ++pushed;
        if (!c.iter_var2.empty()) {
          scope_.Push(c.iter_var2);
          ++pushed;
        }
        scope_.Push(c.accu_var);
        ++pushed;
        Visit(*c.loop_condition);
        Visit(*c.loop_step);
        Visit(*c.result);
        for (int i = 0; i < pushed; ++i) scope_.Pop();
        return;
      }
    }
  }

 private:
  // The offset of the function name of a receiver-style call, if found.
  int32_t NameOffset(const Expr& e) const {
    if (!e.call.target || source_ == nullptr || e.offset < 0) return e.offset;
    const std::string needle = "." + e.call.function;
    size_t pos = static_cast<size_t>(e.offset);
    while ((pos = source_->find(needle, pos)) != std::string::npos) {
      size_t after = pos + needle.size();
      while (after < source_->size() && std::isspace(static_cast<unsigned char>((*source_)[after]))) ++after;
      if (after < source_->size() && (*source_)[after] == '(') return static_cast<int32_t>(pos + 1);
      pos = after;
    }
    return e.offset;
  }

  void VisitCall(const Expr& e) {
    ResolvedCall rc = ResolveCall(e, env_, scope_);
    size_t nargs = e.call.args.size();
    const int32_t at = rc.receiver ? NameOffset(e) : e.offset;
    if (rc.kind == ResolvedCall::kUnknownFunction) {
      Error(at, "undeclared reference to '" + rc.name + "'");
    } else if (rc.kind == ResolvedCall::kBadArity) {
      std::string sig;
      size_t total = nargs + (rc.receiver ? 1 : 0);
      for (size_t i = 0; i < total; ++i) sig += i ? ", dyn" : "dyn";
      Error(at, "found no matching overload for '" + rc.name + "' applied to (" + sig + ")");
    }
    if (rc.name == "cel.bind" && rc.kind == ResolvedCall::kSpecial) {
      // cel.bind(name, init, body): name is a binding, not a reference.
      Visit(*e.call.args[1]);
      scope_.Push(e.call.args[0]->ident.name);
      Visit(*e.call.args[2]);
      scope_.Pop();
      return;
    }
    if (e.call.target && rc.receiver) Visit(*e.call.target);
    if (e.call.target && !rc.receiver && rc.kind == ResolvedCall::kUnknownFunction) {
      std::string q;
      if (!QualifiedName(*e.call.target, &q)) Visit(*e.call.target);
    }
    for (const auto& a : e.call.args) Visit(*a);
  }

  void Error(int32_t offset, std::string message) {
    Diagnostic d;
    d.offset = offset;
    d.message = std::move(message);
    diags_->push_back(std::move(d));
  }

  const EnvImpl& env_;
  std::vector<Diagnostic>* diags_;
  const std::string* source_;
  LocalScope scope_;
};

}  // namespace

bool IsBound(std::string_view name, const EnvImpl& env, const LocalScope& scope) {
  return scope.Find(name) >= 0 || env.FindVariable(std::string(name)) >= 0;
}

ResolvedCall ResolveCall(const Expr& e, const EnvImpl& env, const LocalScope& scope) {
  ResolvedCall rc;
  const auto& call = e.call;
  const std::string& f = call.function;
  size_t nargs = call.args.size();
  bool arity_ok = false;
  // Namespaced global: optional.of(x), strings.quote(s), cel.bind(...).
  if (call.target) {
    std::string q;
    if (QualifiedName(*call.target, &q) && !IsBound(RootOf(q), env, scope)) {
      std::string full = q + "." + f;
      if (IsSpecialFunction(full, false, nargs, &arity_ok)) {
        rc.name = full;
        rc.kind = arity_ok ? ResolvedCall::kSpecial : ResolvedCall::kBadArity;
        if (full == "cel.bind" && arity_ok && call.args[0]->kind != Expr::Kind::kIdent) {
          rc.kind = ResolvedCall::kBadArity;
        }
        return rc;
      }
      if (const FunctionDecl* d = FindFunction(full)) {
        rc.name = full;
        rc.fn = d;
        rc.kind = (d->global_arities >> nargs) & 1u ? ResolvedCall::kBuiltin : ResolvedCall::kBadArity;
        return rc;
      }
      if (const HelperDef* h = env.FindHelper(full)) {  // a helper of a library namespace (k8s.podSpec)
        rc.name = full;
        rc.helper = h;
        rc.kind = h->params.size() == nargs ? ResolvedCall::kHelper : ResolvedCall::kBadArity;
        return rc;
      }
    }
    rc.receiver = true;
  }
  rc.name = f;
  size_t total = nargs + (rc.receiver ? 1 : 0);
  if (IsSpecialFunction(f, rc.receiver, total, &arity_ok)) {
    rc.kind = arity_ok ? ResolvedCall::kSpecial : ResolvedCall::kBadArity;
    if (arity_ok) return rc;
  }
  if (!rc.receiver) {
    if (const HelperDef* h = env.FindHelper(f)) {
      rc.helper = h;
      rc.kind = h->params.size() == nargs ? ResolvedCall::kHelper : ResolvedCall::kBadArity;
      return rc;
    }
  }
  if (const FunctionDecl* d = FindFunction(f)) {
    rc.fn = d;
    uint32_t arities = rc.receiver ? d->receiver_arities : d->global_arities;
    rc.kind = (arities >> nargs) & 1u ? ResolvedCall::kBuiltin : ResolvedCall::kBadArity;
    return rc;
  }
  if (rc.kind != ResolvedCall::kBadArity) rc.kind = ResolvedCall::kUnknownFunction;
  return rc;
}

void Check(const Expr& expr, const EnvImpl& env, const std::vector<std::string>& params,
           std::vector<Diagnostic>* diagnostics, const std::string* source) {
  Checker c(env, diagnostics, source);
  for (const auto& p : params) c.scope().Push(p);
  c.Visit(expr);
}

}  // namespace aimsgate::cel::internal
