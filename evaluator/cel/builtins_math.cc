// The CEL math extension (cel-go ext.Math): math.greatest/least, ceil, floor,
// round, trunc, abs, sign, isNaN, isInf, isFinite and the bit operations.
#include <cmath>
#include <limits>

#include "evaluator/cel/builtins.h"

namespace aimsgate::cel::internal {

namespace {

using K = Value::Kind;

#define REQUIRE(cond, name)                     \
  do {                                          \
    if (!(cond)) return NoOverload(name, a, n); \
  } while (0)

template <bool kGreatest>
Value Extreme(const Value* a, size_t n, EvalContext& ctx) {
  const char* name = kGreatest ? "math.greatest" : "math.least";
  std::vector<Value> items;
  if (n == 1 && a[0].IsList()) {
    for (size_t i = 0; i < a[0].ListSize(); ++i) items.push_back(a[0].ListAt(i));
    if (!ctx.AddCost(static_cast<int64_t>(items.size()))) return ctx.budget_error;
  } else {
    items.assign(a, a + n);
  }
  if (items.empty()) return Value::Error(std::string(name) + "(): list is empty");
  Value best = items[0];
  for (const Value& v : items) {
    if (!v.IsNumber()) return NoOverload(name, a, n);
    Ordering o = Compare(v, best);
    if ((kGreatest && o == Ordering::kGreater) || (!kGreatest && o == Ordering::kLess)) best = v;
  }
  return best;
}

template <int kOp>  // 0 ceil, 1 floor, 2 round, 3 trunc
Value Rounding(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"math.ceil", "math.floor", "math.round", "math.trunc"};
  REQUIRE(a[0].IsDouble(), kNames[kOp]);
  double d = a[0].DoubleValue();
  switch (kOp) {
    case 0: return Value::Double(std::ceil(d));
    case 1: return Value::Double(std::floor(d));
    case 2: return Value::Double(std::round(d));
    default: return Value::Double(std::trunc(d));
  }
}

Value Abs(const Value* a, size_t n, EvalContext&) {
  switch (a[0].kind()) {
    case K::kInt:
      if (a[0].IntValue() == std::numeric_limits<int64_t>::min()) return Value::Error("integer overflow in math.abs");
      return Value::Int(a[0].IntValue() < 0 ? -a[0].IntValue() : a[0].IntValue());
    case K::kUint: return a[0];
    case K::kDouble: return Value::Double(std::fabs(a[0].DoubleValue()));
    default: return NoOverload("math.abs", a, n);
  }
}

Value SignFn(const Value* a, size_t n, EvalContext&) {
  switch (a[0].kind()) {
    case K::kInt: return Value::Int(a[0].IntValue() > 0 ? 1 : (a[0].IntValue() < 0 ? -1 : 0));
    case K::kUint: return Value::Uint(a[0].UintValue() > 0 ? 1 : 0);
    case K::kDouble: {
      double d = a[0].DoubleValue();
      if (std::isnan(d)) return a[0];
      return Value::Double(d > 0 ? 1.0 : (d < 0 ? -1.0 : 0.0));
    }
    default: return NoOverload("math.sign", a, n);
  }
}

template <int kOp>  // 0 isNaN, 1 isInf, 2 isFinite
Value FloatTest(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"math.isNaN", "math.isInf", "math.isFinite"};
  REQUIRE(a[0].IsDouble(), kNames[kOp]);
  double d = a[0].DoubleValue();
  return Value::Bool(kOp == 0 ? std::isnan(d) : (kOp == 1 ? std::isinf(d) : std::isfinite(d)));
}

template <int kOp>  // 0 and, 1 or, 2 xor
Value BitOp(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"math.bitAnd", "math.bitOr", "math.bitXor"};
  if (a[0].IsInt() && a[1].IsInt()) {
    int64_t x = a[0].IntValue(), y = a[1].IntValue();
    return Value::Int(kOp == 0 ? (x & y) : (kOp == 1 ? (x | y) : (x ^ y)));
  }
  if (a[0].IsUint() && a[1].IsUint()) {
    uint64_t x = a[0].UintValue(), y = a[1].UintValue();
    return Value::Uint(kOp == 0 ? (x & y) : (kOp == 1 ? (x | y) : (x ^ y)));
  }
  return NoOverload(kNames[kOp], a, n);
}

Value BitNot(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsInt()) return Value::Int(~a[0].IntValue());
  if (a[0].IsUint()) return Value::Uint(~a[0].UintValue());
  return NoOverload("math.bitNot", a, n);
}

template <bool kLeft>
Value Shift(const Value* a, size_t n, EvalContext&) {
  const char* name = kLeft ? "math.bitShiftLeft" : "math.bitShiftRight";
  REQUIRE((a[0].IsInt() || a[0].IsUint()) && a[1].IsInt(), name);
  int64_t s = a[1].IntValue();
  if (s < 0) return Value::Error(std::string(name) + "() negative offset: " + std::to_string(s));
  uint64_t bits = a[0].IsInt() ? static_cast<uint64_t>(a[0].IntValue()) : a[0].UintValue();
  uint64_t r = s >= 64 ? 0 : (kLeft ? bits << s : bits >> s);
  return a[0].IsInt() ? Value::Int(static_cast<int64_t>(r)) : Value::Uint(r);
}

}  // namespace

void RegisterMath(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k1 = 1u << 1, k2 = 1u << 2;
  constexpr uint32_t kVariadic = ~1u;  // one or more arguments
  out->insert(out->end(), {
      {"math.greatest", kVariadic, 0, Extreme<true>},
      {"math.least", kVariadic, 0, Extreme<false>},
      {"math.ceil", k1, 0, Rounding<0>},
      {"math.floor", k1, 0, Rounding<1>},
      {"math.round", k1, 0, Rounding<2>},
      {"math.trunc", k1, 0, Rounding<3>},
      {"math.abs", k1, 0, Abs},
      {"math.sign", k1, 0, SignFn},
      {"math.isNaN", k1, 0, FloatTest<0>},
      {"math.isInf", k1, 0, FloatTest<1>},
      {"math.isFinite", k1, 0, FloatTest<2>},
      {"math.bitAnd", k2, 0, BitOp<0>},
      {"math.bitOr", k2, 0, BitOp<1>},
      {"math.bitXor", k2, 0, BitOp<2>},
      {"math.bitNot", k1, 0, BitNot},
      {"math.bitShiftLeft", k2, 0, Shift<true>},
      {"math.bitShiftRight", k2, 0, Shift<false>},
  });
}

}  // namespace aimsgate::cel::internal
