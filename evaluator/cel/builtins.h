// Registration of the builtin function library, one file per family:
// builtins_core.cc (operators, size, conversions), builtins_string.cc (string
// functions and the strings extension), builtins_time.cc (timestamp and
// duration accessors), builtins_k8s.cc (Kubernetes CEL libraries).
//
// Thread-safety: the registry is built once (function-local static) and is
// read-only afterwards.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string_view>
#include <vector>

#include "evaluator/cel/runtime.h"

namespace aimsgate::cel::internal {

void RegisterCore(std::vector<FunctionDecl>* out);
void RegisterString(std::vector<FunctionDecl>* out);
void RegisterTime(std::vector<FunctionDecl>* out);
void RegisterK8s(std::vector<FunctionDecl>* out);
void RegisterCollections(std::vector<FunctionDecl>* out);
void RegisterMath(std::vector<FunctionDecl>* out);

// list.indexOf(x) / list.lastIndexOf(x) (Kubernetes list library).
Value ListIndexOf(const Value* args, size_t nargs, EvalContext& ctx, bool last);

// `operand.field` (and has(operand.field) when test_only) on maps, JSON
// objects and optionals.
Value SelectField(const Value& operand, std::string_view field, bool test_only);

// Regex helpers for functions whose pattern is known only at evaluation time.
std::shared_ptr<const RE2> RegexForEval(std::string_view pattern, EvalContext& ctx, Value* error);

}  // namespace aimsgate::cel::internal
