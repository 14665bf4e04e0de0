// CEL AST -> CEL source text, the inverse of cel::Parse up to ids and offsets:
// Parse(Unparse(e)) has the same DebugString as e (tests/export/unparse_test.cc
// checks this over every conformance expression).
//
//   cel::ParseResult r = cel::Parse("object.spec.containers.all(c, has(c.image))");
//   std::string text, why;
//   if (cel::Unparse(*r.expr, &text, &why)) UseText(text); else Report(why);
//
// Parentheses are emitted only where precedence or associativity needs them
// (and around nested `&&` / `||` operands, whose balanced trees the parser
// would otherwise rebuild).  Comprehensions are written back as the macro that
// produced them (all, exists, exists_one, map, filter, transformList,
// transformMap, transformMapEntry, cel.bind); one no macro expands to, a
// non-finite double, or the internal @not_strictly_false outside a macro
// makes Unparse fail with the reason in *why.
//
// Thread-safety: pure function.  Cost: linear in the tree size; recursion
// depth equals the tree height (bounded by the parser's recursion budget).
#pragma once

#include <string>

#include "evaluator/cel/ast.h"

namespace aimsgate::cel {

bool Unparse(const Expr& e, std::string* out, std::string* why);

}  // namespace aimsgate::cel
