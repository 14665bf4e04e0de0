// The CEL checker: rejects, at compile time, references to undeclared
// identifiers, unknown functions and calls with the wrong number of arguments,
// each with the byte offset of the offending node.  Typing is otherwise
// dynamic (manifests are untyped JSON), so type mismatches surface as error
// values at evaluation.
//
//   std::vector<Diagnostic> diags;
//   internal::Check(*parsed.expr, env_impl, {"o"}, &diags);
//
// Thread-safety: reads the EnvImpl only.  Cost: linear in the AST size.
#pragma once

#include <string>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/env_impl.h"
#include "evaluator/cel/resolve.h"

namespace aimsgate::cel::internal {

struct ResolvedCall {
  enum Kind { kBuiltin, kHelper, kSpecial, kUnknownFunction, kBadArity } kind = kUnknownFunction;
  std::string name;       // resolved name ("optional.of" for namespaced calls)
  bool receiver = false;  // the target is passed as the first argument
  const FunctionDecl* fn = nullptr;
  const HelperDef* helper = nullptr;
};

// True if `name` (first component of a dotted name) is a local or variable.
bool IsBound(std::string_view name, const EnvImpl& env, const LocalScope& scope);

ResolvedCall ResolveCall(const Expr& call, const EnvImpl& env, const LocalScope& scope);

// Checks `expr`; `params` are in scope as locals (helper parameters).  With
// `source`, diagnostics on receiver-style calls point at the function name
// (`x.startsWith(...)` at "startsWith") rather than at the receiver.
void Check(const Expr& expr, const EnvImpl& env, const std::vector<std::string>& params,
           std::vector<Diagnostic>* diagnostics, const std::string* source = nullptr);

}  // namespace aimsgate::cel::internal
