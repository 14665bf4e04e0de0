// Helpers for the CEL unit tests: compile and evaluate one expression.
#pragma once

#include <string>

#include "evaluator/cel/cel.h"

namespace aimsgate::cel::testing {

// Compiles `expr` in a fresh Env and evaluates it with no variables.  A compile
// failure is returned as an error Value whose message starts with "compile: ".
inline Value Eval(const std::string& expr, const Limits& limits = {}) {
  Env env(limits);
  CompileResult r = env.Compile(expr);
  if (!r.ok()) return Value::Error("compile: " + r.diagnostics.at(0).message);
  Activation act(env);
  EvalState state;
  return r.program->Evaluate(act, &state);
}

}  // namespace aimsgate::cel::testing
