// The CEL planner: turns a (checked) AST into a tree of plan nodes.
//
//   internal::Planner planner(env_impl, &diagnostics);
//   internal::NodePtr root = planner.Plan(*parsed.expr, /*params=*/{});
//   int locals = planner.max_locals();
//
// What it does once, at compile time: resolves names to activation slots or
// local indices; turns select chains and constant string indexes
// (object.metadata.annotations['x']) into one path node with precomputed keys;
// compiles constant regexes with RE2 under the Limits' memory and program-size
// caps (a bad or oversized pattern is a diagnostic); folds calls on constants;
// rewrites the `accu + [x]` step of map/filter into an in-place append.
// With Limits::fold (the default) it also folds, keeping CEL semantics (a
// subexpression that fails stays a run-time error; nothing reading a variable
// that is not bound to a constant is folded):
//   - variables bound to constants (a pack's `params`) and field selection,
//     calls, lists, maps, && || ?: over constants only (not comprehensions:
//     their cost belongs to the evaluation's budget);
//   - `x in <constant list>` into a hash-set lookup (InConstListNode);
//   - `<constant patterns>.exists(p, s.matches(p))` (and all) into one RE2::Set;
//   - all()/exists() into native loops (QuantifierNode), map()/filter() into
//     native loops that build their list (MapLoopNode);
//   - `!x` into NotNode, `x < c` (<=, >, >=; c a constant) into CompareConstNode;
//   - `has(p.f) && p.f != null` and `'k' in m && m['k'] != null` into one
//     walk (NotNullGuardNode), regrouping `a && (b && c)` to find the pair;
//   - helper calls whose arguments read the activation only into per-Activation
//     memo slots shared by every program of the Env (HelperCallNode), each
//     running the helper's body specialized for those arguments (planned once
//     per Env and call text, EnvImpl::specialized): hasAnnotation(object,
//     'owner') reads the annotation 'aimsgate.io/owner', a folded constant.
// With fold = false it plans the plain tree (the differential tests compare).
// Without checking (CompileOptions::check = false), unresolved references plan
// to nodes that evaluate to errors.
//
// Thread-safety: one Planner per compilation.
#pragma once

#include <string>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/checker.h"
#include "evaluator/cel/env_impl.h"
#include "evaluator/cel/nodes.h"
#include "evaluator/cel/resolve.h"

namespace aimsgate::cel::internal {

class Planner {
 public:
  // With `report_type_errors`, a call on constants that can only fail with
  // "no matching overload" (e.g. `1 + 'a'`) is a compile-time diagnostic.
  Planner(const EnvImpl& env, std::vector<Diagnostic>* diagnostics, bool report_type_errors = true)
      : env_(env), diags_(diagnostics), report_type_errors_(report_type_errors), fold_(env.limits.fold) {}

  // `params` become locals 0..n-1 (helper parameters).
  NodePtr Plan(const Expr& expr, const std::vector<std::string>& params);
  int max_locals() const { return scope_.max_locals(); }

 private:
  NodePtr PlanExpr(const Expr& e);
  NodePtr PlanIdent(const Expr& e);
  NodePtr PlanPath(const Expr& e);
  NodePtr PlanCall(const Expr& e);
  NodePtr PlanHelperCall(const Expr& e, const ResolvedCall& rc, int* memo, bool specialize);
  NodePtr PlanLogic(const Expr& e, bool is_or);
  NodePtr MakeLogic(int32_t offset, NodePtr l, NodePtr r, bool is_or);
  // `guard && x != null` as one NotNullGuardNode, or null (l and r untouched).
  NodePtr FuseNotNullGuard(int32_t offset, NodePtr& l, NodePtr& r) const;
  NodePtr PlanList(const Expr& e);
  NodePtr PlanMap(const Expr& e);
  NodePtr PlanComprehension(const Expr& e);
  NodePtr PlanStep(const Expr& step, const std::string& accu_var, int accu);
  NodePtr Fold(NodePtr call, bool report_type_errors = false);
  NodePtr PlanQuantifier(const Expr& e, bool all, const Expr& pred);
  // map() and filter() as a MapLoopNode, or null for any other comprehension.
  NodePtr PlanMapLoop(const Expr& e);
  const SpecializedHelper* Specialize(const HelperDef& helper, const std::vector<ExprPtr>& args,
                                      const std::string& key);
  // A helper call whose arguments are the caller's locals, planned as the
  // helper's body with those locals in place of its parameters; null when that
  // would not be the same expression or the body loops over more than constants.
  NodePtr PlanInlined(const Expr& e, const HelperDef& helper);
  // True if every comprehension in `e` ranges over constants only.
  bool LoopsOverConstantsOnly(const Expr& e) const;
  // True if `e` calls a helper (one of the Env's, or of a library namespace).
  bool CallsHelpers(const Expr& e) const;
  // True if `e` reads a local bound outside it (a helper parameter or an
  // enclosing comprehension's variable).
  bool UsesOuterLocals(const Expr& e, std::vector<std::string>* inner) const;

  void Error(int32_t offset, std::string message);

  const EnvImpl& env_;
  std::vector<Diagnostic>* diags_;
  bool report_type_errors_;
  bool fold_;
  LocalScope scope_;
  // Helper bodies being specialized around this planner (see Specialize).
  int specialize_depth_ = 0;
  static constexpr int kMaxSpecializeDepth = 16;
  // The largest helper body (in expression nodes) PlanInlined copies into a call site.
  static constexpr int kMaxInlinedNodes = 64;
};

}  // namespace aimsgate::cel::internal
