// Helpers shared by the CEL parser tests.
#pragma once

#include <string>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/parser/ast_debug.h"

namespace aimsgate::cel::testing {

// The DebugString of the parse, or "error@<offset>: <message>" for the first
// diagnostic.
inline std::string Dump(const std::string& source, const ParseOptions& options = {}) {
  ParseResult r = Parse(source, options);
  if (!r.diagnostics.empty()) {
    return "error@" + std::to_string(r.diagnostics[0].offset) + ": " + r.diagnostics[0].message;
  }
  if (!r.expr) return "<no expr, no diagnostics>";
  return DebugString(*r.expr);
}

// The first diagnostic message, or "" when the parse succeeds.
inline std::string FirstError(const std::string& source, const ParseOptions& options = {}) {
  ParseResult r = Parse(source, options);
  return r.diagnostics.empty() ? "" : r.diagnostics[0].message;
}

}  // namespace aimsgate::cel::testing
