// Operators, size, and type conversions of the CEL standard library.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/format_util.h"
#include "evaluator/cel/time_util.h"

namespace aimsgate::cel::internal {

namespace {

using K = Value::Kind;

Value Overflow(const char* what) { return Value::Error(std::string("integer overflow in ") + what); }

Value CheckedDuration(__int128 total_nanos) {
  const __int128 kNs = 1000000000;
  __int128 s = total_nanos / kNs;
  if (total_nanos > INT64_MAX || total_nanos < INT64_MIN) return Value::Error("duration out of range");
  return Value::Duration(static_cast<int64_t>(s), static_cast<int32_t>(total_nanos % kNs));
}

__int128 TotalNanos(const Value& v) { return static_cast<__int128>(v.Seconds()) * 1000000000 + v.Nanos(); }

Value CheckedTimestamp(__int128 total_nanos) {
  const __int128 kNs = 1000000000;
  __int128 s = total_nanos / kNs;
  __int128 n = total_nanos % kNs;
  if (n < 0) {
    n += kNs;
    s -= 1;
  }
  if (s < kMinTimestampSeconds || s > kMaxTimestampSeconds) return Value::Error("timestamp out of range");
  return Value::Timestamp(static_cast<int64_t>(s), static_cast<int32_t>(n));
}

Value ConcatLists(const Value& a, const Value& b, EvalContext& ctx) {
  size_t n = a.ListSize() + b.ListSize();
  if (static_cast<int64_t>(n) > ctx.limits->max_list_size) {
    return ctx.Exhaust("list size limit exceeded: " + std::to_string(n) + " elements");
  }
  if (!ctx.AddCost(static_cast<int64_t>(n) / 10)) return ctx.budget_error;
  if (b.ListSize() == 0) return a;
  if (a.ListSize() == 0) return b;
  std::vector<Value> items;
  items.reserve(n);
  for (size_t i = 0; i < a.ListSize(); ++i) items.push_back(a.ListAt(i));
  for (size_t i = 0; i < b.ListSize(); ++i) items.push_back(b.ListAt(i));
  return Value::List(std::move(items));
}

Value Add(const Value* a, size_t n, EvalContext& ctx) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_add_overflow(x.IntValue(), y.IntValue(), &r)) return Overflow("addition");
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_add_overflow(x.UintValue(), y.UintValue(), &r)) return Overflow("unsigned addition");
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(x.DoubleValue() + y.DoubleValue());
      case K::kString:
      case K::kBytes: {
        size_t len = x.StringValue().size() + y.StringValue().size();
        if (static_cast<int64_t>(len) > ctx.limits->max_string_bytes) {
          return ctx.Exhaust("string size limit exceeded: " + std::to_string(len) + " bytes");
        }
        if (!ctx.AddCost(static_cast<int64_t>(len) / 100)) return ctx.budget_error;
        std::string s;
        s.reserve(len);
        s.append(x.StringValue()).append(y.StringValue());
        return x.IsString() ? Value::String(std::move(s)) : Value::Bytes(std::move(s));
      }
      case K::kList: return ConcatLists(x, y, ctx);
      case K::kDuration: return CheckedDuration(TotalNanos(x) + TotalNanos(y));
      default: break;
    }
  }
  if (x.IsTimestamp() && y.IsDuration()) return CheckedTimestamp(TotalNanos(x) + TotalNanos(y));
  if (x.IsDuration() && y.IsTimestamp()) return CheckedTimestamp(TotalNanos(x) + TotalNanos(y));
  return NoOverload("_+_", a, n);
}

Value Sub(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_sub_overflow(x.IntValue(), y.IntValue(), &r)) return Overflow("subtraction");
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_sub_overflow(x.UintValue(), y.UintValue(), &r)) return Overflow("unsigned subtraction");
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(x.DoubleValue() - y.DoubleValue());
      case K::kDuration: return CheckedDuration(TotalNanos(x) - TotalNanos(y));
      case K::kTimestamp: return CheckedDuration(TotalNanos(x) - TotalNanos(y));
      default: break;
    }
  }
  if (x.IsTimestamp() && y.IsDuration()) return CheckedTimestamp(TotalNanos(x) - TotalNanos(y));
  return NoOverload("_-_", a, n);
}

Value Mul(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_mul_overflow(x.IntValue(), y.IntValue(), &r)) return Overflow("multiplication");
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_mul_overflow(x.UintValue(), y.UintValue(), &r)) return Overflow("unsigned multiplication");
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(x.DoubleValue() * y.DoubleValue());
      default: break;
    }
  }
  return NoOverload("_*_", a, n);
}

Value Div(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case K::kInt:
        if (y.IntValue() == 0) return Value::Error("division by zero");
        if (x.IntValue() == std::numeric_limits<int64_t>::min() && y.IntValue() == -1) return Overflow("division");
        return Value::Int(x.IntValue() / y.IntValue());
      case K::kUint:
        if (y.UintValue() == 0) return Value::Error("division by zero");
        return Value::Uint(x.UintValue() / y.UintValue());
      case K::kDouble: return Value::Double(x.DoubleValue() / y.DoubleValue());
      default: break;
    }
  }
  return NoOverload("_/_", a, n);
}

Value Mod(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case K::kInt:
        if (y.IntValue() == 0) return Value::Error("modulus by zero");
        if (x.IntValue() == std::numeric_limits<int64_t>::min() && y.IntValue() == -1) return Overflow("modulus");
        return Value::Int(x.IntValue() % y.IntValue());
      case K::kUint:
        if (y.UintValue() == 0) return Value::Error("modulus by zero");
        return Value::Uint(x.UintValue() % y.UintValue());
      default: break;
    }
  }
  return NoOverload("_%_", a, n);
}

Value Neg(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsInt()) {
    if (a[0].IntValue() == std::numeric_limits<int64_t>::min()) return Overflow("negation");
    return Value::Int(-a[0].IntValue());
  }
  if (a[0].IsDouble()) return Value::Double(-a[0].DoubleValue());
  if (a[0].IsDuration()) return Value::Duration(-a[0].Seconds(), -a[0].Nanos());
  return NoOverload("-_", a, n);
}

Value Not(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsBool()) return Value::Bool(!a[0].BoolValue());
  return NoOverload("!_", a, n);
}

Value Eq(const Value* a, size_t, EvalContext&) { return Value::Bool(Equal(a[0], a[1])); }
Value Ne(const Value* a, size_t, EvalContext&) { return Value::Bool(!Equal(a[0], a[1])); }

template <int kOp>
Value Rel(const Value* a, size_t n, EvalContext&) {
  static const char* const kNames[] = {"_<_", "_<=_", "_>_", "_>=_"};
  Ordering o = Compare(a[0], a[1]);
  if (o == Ordering::kError) return NoOverload(kNames[kOp], a, n);
  if (o == Ordering::kUnordered) return Value::Bool(false);
  switch (kOp) {
    case 0: return Value::Bool(o == Ordering::kLess);
    case 1: return Value::Bool(o != Ordering::kGreater);
    case 2: return Value::Bool(o == Ordering::kGreater);
    default: return Value::Bool(o != Ordering::kLess);
  }
}

Value Size(const Value* a, size_t n, EvalContext& ctx) {
  const Value& x = a[0];
  switch (x.kind()) {
    case K::kString:
      if (!ctx.AddCost(static_cast<int64_t>(x.StringValue().size()) / 100)) return ctx.budget_error;
      return Value::Int(static_cast<int64_t>(Utf8Length(x.StringValue())));
    case K::kBytes: return Value::Int(static_cast<int64_t>(x.BytesValue().size()));
    case K::kList: return Value::Int(static_cast<int64_t>(x.ListSize()));
    case K::kMap: return Value::Int(static_cast<int64_t>(x.MapSize()));
    default: return NoOverload("size", a, n);
  }
}

// ---- conversions ----

bool DoubleToInt(double d, int64_t* out) {
  if (!std::isfinite(d)) return false;
  double t = std::trunc(d);
  // The representable int64 range as doubles is [-2^63, 2^63); the spec treats
  // both ends as out of range because of double rounding.
  if (t <= -9223372036854775808.0 || t >= 9223372036854775807.0) return false;
  *out = static_cast<int64_t>(t);
  return true;
}

Value ToInt(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  switch (x.kind()) {
    case K::kInt: return x;
    case K::kUint:
      if (x.UintValue() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return Overflow("int()");
      return Value::Int(static_cast<int64_t>(x.UintValue()));
    case K::kDouble: {
      int64_t r;
      if (!DoubleToInt(x.DoubleValue(), &r)) return Value::Error("double out of int range in int()");
      return Value::Int(r);
    }
    case K::kString: {
      std::string s(x.StringValue());
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || errno == ERANGE || std::isspace(static_cast<unsigned char>(s[0]))) {
        return Value::Error("cannot convert '" + s + "' to int");
      }
      return Value::Int(v);
    }
    case K::kTimestamp: return Value::Int(x.Seconds());
    default: return NoOverload("int", a, n);
  }
}

Value ToUint(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  switch (x.kind()) {
    case K::kUint: return x;
    case K::kInt:
      if (x.IntValue() < 0) return Value::Error("negative value in uint()");
      return Value::Uint(static_cast<uint64_t>(x.IntValue()));
    case K::kDouble: {
      double d = x.DoubleValue();
      if (!std::isfinite(d) || std::trunc(d) < 0 || d >= 18446744073709551615.0) {
        return Value::Error("double out of uint range in uint()");
      }
      return Value::Uint(static_cast<uint64_t>(std::trunc(d)));
    }
    case K::kString: {
      std::string s(x.StringValue());
      char* end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || errno == ERANGE || s[0] == '-' || s[0] == '+' ||
          std::isspace(static_cast<unsigned char>(s[0]))) {
        return Value::Error("cannot convert '" + s + "' to uint");
      }
      return Value::Uint(v);
    }
    default: return NoOverload("uint", a, n);
  }
}

Value ToDouble(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  switch (x.kind()) {
    case K::kDouble: return x;
    case K::kInt: return Value::Double(static_cast<double>(x.IntValue()));
    case K::kUint: return Value::Double(static_cast<double>(x.UintValue()));
    case K::kString: {
      std::string s(x.StringValue());
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || std::isspace(static_cast<unsigned char>(s[0]))) {
        return Value::Error("cannot convert '" + s + "' to double");
      }
      return Value::Double(d);
    }
    default: return NoOverload("double", a, n);
  }
}

Value ToString(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  switch (x.kind()) {
    case K::kString: return x;
    case K::kBytes:
      if (!Utf8Valid(x.BytesValue())) return Value::Error("invalid UTF-8 in bytes to string conversion");
      return Value::String(std::string(x.BytesValue()));
    case K::kInt:
    case K::kUint:
    case K::kDouble:
    case K::kTimestamp:
    case K::kDuration: return Value::String(x.ToDisplayString());
    case K::kBool: return Value::String(x.BoolValue() ? "true" : "false");
    case K::kType: return Value::String(std::string(x.TypeName()));
    case K::kOpaque: return Value::String(x.ToDisplayString());
    default: return NoOverload("string", a, n);
  }
}

Value ToBytes(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsBytes()) return a[0];
  if (a[0].IsString()) return Value::Bytes(std::string(a[0].StringValue()));
  return NoOverload("bytes", a, n);
}

Value ToBool(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsBool()) return a[0];
  if (a[0].IsString()) {
    std::string_view s = a[0].StringValue();
    if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
    if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
    return Value::Error("cannot convert '" + std::string(s) + "' to bool");
  }
  return NoOverload("bool", a, n);
}

Value TypeOf(const Value* a, size_t, EvalContext&) { return Value::Type(a[0].TypeNameOf()); }
Value Dyn(const Value* a, size_t, EvalContext&) { return a[0]; }

Value ToTimestamp(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  if (x.IsTimestamp()) return x;
  if (x.IsString()) {
    int64_t s;
    int32_t ns;
    if (!ParseTimestamp(x.StringValue(), &s, &ns)) {
      return Value::Error("cannot parse timestamp '" + std::string(x.StringValue()) + "'");
    }
    return Value::Timestamp(s, ns);
  }
  if (x.IsInt()) {
    if (!TimestampInRange(x.IntValue())) return Value::Error("timestamp out of range");
    return Value::Timestamp(x.IntValue(), 0);
  }
  return NoOverload("timestamp", a, n);
}

Value ToDuration(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  if (x.IsDuration()) return x;
  if (x.IsString()) {
    int64_t s;
    int32_t ns;
    if (!ParseDuration(x.StringValue(), &s, &ns)) {
      return Value::Error("cannot parse duration '" + std::string(x.StringValue()) + "'");
    }
    return Value::Duration(s, ns);
  }
  if (x.IsInt()) {
    if (!DurationInRange(x.IntValue(), 0)) return Value::Error("duration out of range");
    return Value::Duration(x.IntValue(), 0);
  }
  return NoOverload("duration", a, n);
}

}  // namespace

Value NoOverload(std::string_view function, const Value* args, size_t nargs) {
  std::string m = "found no matching overload for '" + std::string(function) + "' applied to (";
  for (size_t i = 0; i < nargs; ++i) {
    if (i) m += ", ";
    m += std::string(args[i].TypeNameOf());
  }
  m += ")";
  return Value::Error(m);
}

void RegisterCore(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k0 = 1u << 0, k1 = 1u << 1, k2 = 1u << 2;
  out->insert(out->end(), {
      {"_+_", k2, 0, Add},
      {"_-_", k2, 0, Sub},
      {"_*_", k2, 0, Mul},
      {"_/_", k2, 0, Div},
      {"_%_", k2, 0, Mod},
      {"-_", k1, 0, Neg},
      {"!_", k1, 0, Not},
      {"_==_", k2, 0, Eq},
      {"_!=_", k2, 0, Ne},
      {"_<_", k2, 0, Rel<0>},
      {"_<=_", k2, 0, Rel<1>},
      {"_>_", k2, 0, Rel<2>},
      {"_>=_", k2, 0, Rel<3>},
      {"size", k1, k0, Size},
      {"int", k1, 0, ToInt},
      {"uint", k1, 0, ToUint},
      {"double", k1, 0, ToDouble},
      {"string", k1, 0, ToString},
      {"bytes", k1, 0, ToBytes},
      {"bool", k1, 0, ToBool},
      {"type", k1, 0, TypeOf},
      {"dyn", k1, 0, Dyn},
      {"timestamp", k1, 0, ToTimestamp},
      {"duration", k1, 0, ToDuration},
      {"google.protobuf.Timestamp", k1, 0, ToTimestamp},
      {"google.protobuf.Duration", k1, 0, ToDuration},
  });
}

}  // namespace aimsgate::cel::internal
