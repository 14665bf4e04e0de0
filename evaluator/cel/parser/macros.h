// Macro expansion, done by the parser as each call is recognised (CEL spec,
// "Macros"; two-variable and optional macros as in cel-go's extensions):
//
//   has(a.b)                  -> Select(a, "b", test_only)
//   e.all(x, p)               -> Comprehension, accumulator `@result`
//   e.exists(x, p)  e.exists_one(x, p) (also existsOne)  e.map(x, t)  e.map(x, p, t)
//   e.filter(x, p)
//   e.all(k, v, p)  e.exists(k, v, p)  e.existsOne(k, v, p) (also exists_one)
//   e.transformList(i, v, [p,] t)  e.transformMap(k, v, [p,] t)
//   e.transformMapEntry(k, v, [p,] t)
//   o.optMap(x, t)  o.optFlatMap(x, t)  cel.bind(x, init, e)
//
// Expansion shapes (the evaluator relies on them):
//   all:        init true,  cond @not_strictly_false(@result),     step @result && p
//   exists:     init false, cond @not_strictly_false(!@result),    step @result || p
//   exists_one: init 0,     cond true, step p ? @result + 1 : @result, result @result == 1
//   map:        init [],    cond true, step @result + [t]  (p ? @result + [t] : @result)
//   filter:     init [],    cond true, step p ? @result + [x] : @result
//   transformMap: init {},  step cel.@mapInsert(@result, k, t) (global call, 3 args);
//   transformMapEntry: step cel.@mapInsert(@result, t) (2 args, t is a map to merge)
//   cel.bind(x, init, e):  range [], iter_var "#unused", accu_var x, accu_init init,
//                          cond false, step x, result e
//   o.optMap(x, t):     o.hasValue() ? optional.of(<bind x = o.value() in t>) : optional.none()
//   o.optFlatMap(x, t): o.hasValue() ? <bind x = o.value() in t> : optional.none()
//   (optional.of / optional.none are receiver calls on the identifier `optional`, the
//    same shape as when written by hand.)
//
// Thread-safety: pure functions over a per-parse factory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/parser/expr_factory.h"

namespace aimsgate::cel::parser {

inline constexpr char kAccumulatorName[] = "@result";
inline constexpr char kUnusedIterVar[] = "#unused";

enum class MacroOutcome { kNotMacro, kExpanded, kError };

struct MacroCall {
  int32_t offset = 0;    // offset of the call expression
  std::string function;  // as written: "all", "has", ...
  ExprPtr target;        // null for global calls
  std::vector<ExprPtr> args;
};

// On kNotMacro `call` is untouched (the caller builds a plain call).  On
// kExpanded `*out` holds the expansion.  On kError `*error_offset` and
// `*error_message` describe the problem.
MacroOutcome ExpandMacro(ExprFactory& factory, MacroCall& call, ExprPtr* out,
                         int32_t* error_offset, std::string* error_message);

}  // namespace aimsgate::cel::parser
