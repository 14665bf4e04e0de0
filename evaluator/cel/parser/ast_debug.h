// A deterministic, compact text dump of a CEL AST, for tests and debugging.
//
//   cel::ParseResult r = cel::Parse("a.b + f(1u, 'x') > -2.5");
//   DebugString(*r.expr)  // (_>_ (_+_ (. a b) (f 1u "x")) -2.5)
//
// Forms:
//   constants   1  1u  2.5  "text"  b"\x00"  true  null   (doubles always show '.' or 'e')
//   identifier  a                       select     (. a b)       has(a.b)  (has a b)
//   global call (f x y)                 member call (.f target x y)
//   a global call whose name starts with '.' prints as (global .f x)
//   list        [1, ?x]                 map        {1: 2, ?k: v}
//   message     (new pkg.Msg {f: 1, ?g: x})
//   comprehension (fold x[,y] range accu init cond step result)
// Strings are printed double-quoted with \\ \" \n \r \t and \xHH escapes for
// other control bytes; non-ASCII UTF-8 is kept as is (bytes print \xHH).
//
// Thread-safety: pure function.  Cost: linear in the tree size; recursion
// depth equals the tree height (bounded by the parser's recursion budget).
#pragma once

#include <string>

#include "evaluator/cel/ast.h"

namespace aimsgate::cel {

std::string DebugString(const Expr& e);

// The same dump, with every node followed by #id@offset; used to test ids and
// positions, e.g. "(_+_#3@2 a#1@0 b#2@4)".
std::string DebugStringWithPositions(const Expr& e);

}  // namespace aimsgate::cel
