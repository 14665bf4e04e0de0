// Field selection, indexing, membership and optionals: `a.f`, `a[i]`, `x in c`,
// `a.?f`, `a[?i]`, optional.of/none/ofNonZeroValue, hasValue, value, and the
// map-insert helper used by the transformMap macro.
#include <cmath>

#include "evaluator/cel/builtins.h"

namespace aimsgate::cel::internal {

namespace {

using K = Value::Kind;

bool ListIndex(const Value& idx, size_t size, size_t* out, Value* error) {
  int64_t i;
  if (idx.IsInt()) {
    i = idx.IntValue();
  } else if (idx.IsUint()) {
    if (idx.UintValue() > static_cast<uint64_t>(INT64_MAX)) {
      *error = Value::Error("index out of range");
      return false;
    }
    i = static_cast<int64_t>(idx.UintValue());
  } else if (idx.IsDouble()) {
    double d = idx.DoubleValue();
    if (d != std::trunc(d) || !std::isfinite(d) || std::fabs(d) > 9e18) {
      *error = Value::Error("invalid list index " + idx.DebugString());
      return false;
    }
    i = static_cast<int64_t>(d);
  } else {
    *error = Value::Error("found no matching overload for '_[_]' applied to (list, " +
                          std::string(idx.TypeNameOf()) + ")");
    return false;
  }
  if (i < 0 || static_cast<uint64_t>(i) >= size) {
    *error = Value::Error("index out of range: " + std::to_string(i) + " (list size " + std::to_string(size) + ")");
    return false;
  }
  *out = static_cast<size_t>(i);
  return true;
}

// Looks up `key` in `container`; returns false (with *error set for type
// errors, unset for plain absence) when there is no value.
bool Lookup(const Value& container, const Value& key, Value* out, Value* error) {
  if (container.IsList()) {
    size_t i;
    if (!ListIndex(key, container.ListSize(), &i, error)) return false;
    *out = container.ListAt(i);
    return true;
  }
  if (container.IsMap()) {
    if (!(key.IsString() || key.IsNumber() || key.IsBool())) {
      *error = Value::Error("found no matching overload for '_[_]' applied to (map, " +
                            std::string(key.TypeNameOf()) + ")");
      return false;
    }
    if (container.MapFind(key, out)) return true;
    return false;
  }
  *error = Value::Error("found no matching overload for '_[_]' applied to (" +
                        std::string(container.TypeNameOf()) + ", " + std::string(key.TypeNameOf()) + ")");
  return false;
}

Value Index(const Value* a, size_t, EvalContext&) {
  const Value& c = a[0];
  if (c.IsOptional()) {
    if (!c.OptionalHasValue()) return c;
    Value out, error;
    if (Lookup(c.OptionalValue(), a[1], &out, &error)) return Value::OptionalOf(out);
    return error.IsError() && !c.OptionalValue().IsList() ? error : Value::OptionalNone();
  }
  Value out, error;
  if (Lookup(c, a[1], &out, &error)) return out;
  if (error.IsError()) return error;
  return Value::Error("no such key: " + a[1].DebugString());
}

Value OptIndex(const Value* a, size_t, EvalContext&) {
  Value c = a[0];
  if (c.IsOptional()) {
    if (!c.OptionalHasValue()) return c;
    c = c.OptionalValue();
  }
  Value out, error;
  if (Lookup(c, a[1], &out, &error)) return Value::OptionalOf(out);
  if (error.IsError() && !c.IsList()) return error;
  return Value::OptionalNone();
}

Value OptSelect(const Value* a, size_t n, EvalContext&) {
  Value c = a[0];
  if (!a[1].IsString()) return NoOverload("_?._", a, n);
  if (c.IsOptional()) {
    if (!c.OptionalHasValue()) return c;
    c = c.OptionalValue();
  }
  if (!c.IsMap()) {
    return Value::Error("type '" + std::string(c.TypeNameOf()) + "' does not support field selection");
  }
  Value out;
  if (c.MapFindString(a[1].StringValue(), &out)) return Value::OptionalOf(out);
  return Value::OptionalNone();
}

Value In(const Value* a, size_t n, EvalContext& ctx) {
  const Value& x = a[0];
  const Value& c = a[1];
  if (c.IsList()) {
    size_t size = c.ListSize();
    if (!ctx.AddCost(static_cast<int64_t>(size) / 4)) return ctx.budget_error;
    for (size_t i = 0; i < size; ++i) {
      if (Equal(x, c.ListAt(i))) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (c.IsMap()) {
    Value out;
    return Value::Bool(c.MapFind(x, &out));
  }
  return NoOverload("@in", a, n);
}

Value OptionalOf(const Value* a, size_t, EvalContext&) { return Value::OptionalOf(a[0]); }
Value OptionalNone(const Value*, size_t, EvalContext&) { return Value::OptionalNone(); }

bool IsZero(const Value& v) {
  switch (v.kind()) {
    case K::kNull: return true;
    case K::kBool: return !v.BoolValue();
    case K::kInt: return v.IntValue() == 0;
    case K::kUint: return v.UintValue() == 0;
    case K::kDouble: return v.DoubleValue() == 0;
    case K::kString:
    case K::kBytes: return v.StringValue().empty();
    case K::kList: return v.ListSize() == 0;
    case K::kMap: return v.MapSize() == 0;
    case K::kTimestamp:
    case K::kDuration: return v.Seconds() == 0 && v.Nanos() == 0;
    default: return false;
  }
}

Value OptionalOfNonZero(const Value* a, size_t, EvalContext&) {
  return IsZero(a[0]) ? Value::OptionalNone() : Value::OptionalOf(a[0]);
}

Value HasValue(const Value* a, size_t n, EvalContext&) {
  if (!a[0].IsOptional()) return NoOverload("hasValue", a, n);
  return Value::Bool(a[0].OptionalHasValue());
}

Value OptValue(const Value* a, size_t n, EvalContext&) {
  if (!a[0].IsOptional()) return NoOverload("value", a, n);
  return a[0].OptionalValue();
}

// cel.@mapInsert(map, key, value) and cel.@mapInsert(map, other_map).
Value MapInsert(const Value* a, size_t n, EvalContext& ctx) {
  if (!a[0].IsMap()) return NoOverload("cel.@mapInsert", a, n);
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(a[0].MapSize() + 1);
  for (size_t i = 0; i < a[0].MapSize(); ++i) {
    Value k, v;
    a[0].MapEntryAt(i, &k, &v);
    entries.emplace_back(std::move(k), std::move(v));
  }
  if (n == 3) {
    entries.emplace_back(a[1], a[2]);
  } else if (a[1].IsMap()) {
    for (size_t i = 0; i < a[1].MapSize(); ++i) {
      Value k, v;
      a[1].MapEntryAt(i, &k, &v);
      entries.emplace_back(std::move(k), std::move(v));
    }
  } else {
    return NoOverload("cel.@mapInsert", a, n);
  }
  if (static_cast<int64_t>(entries.size()) > ctx.limits->max_list_size) {
    return ctx.Exhaust("map size limit exceeded");
  }
  if (!ctx.AddCost(static_cast<int64_t>(entries.size()) / 10)) return ctx.budget_error;
  return Value::Map(std::move(entries));
}

}  // namespace

Value SelectField(const Value& operand, std::string_view field, bool test_only) {
  if (operand.IsError()) return operand;
  if (operand.IsMap()) {
    Value out;
    bool found = operand.MapFindString(field, &out);
    if (test_only) return Value::Bool(found);
    if (!found) return Value::Error("no such key: '" + std::string(field) + "'");
    return out;
  }
  if (operand.IsOptional()) {
    // Optional chaining: none stays none (or is absent for has()); a present
    // value is selected into and the result wrapped again.
    if (!operand.OptionalHasValue()) return test_only ? Value::Bool(false) : operand;
    Value inner = SelectField(operand.OptionalValue(), field, test_only);
    if (test_only || inner.IsError()) {
      if (inner.IsError() && operand.OptionalValue().IsMap()) return Value::OptionalNone();
      return inner;
    }
    return Value::OptionalOf(inner);
  }
  return Value::Error("type '" + std::string(operand.TypeNameOf()) + "' does not support field selection" +
                      (test_only ? " in has()" : "") + " ('" + std::string(field) + "')");
}

void RegisterCollections(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k0 = 1u << 0, k1 = 1u << 1, k2 = 1u << 2, k3 = 1u << 3;
  out->insert(out->end(), {
      {"_[_]", k2, 0, Index},
      {"_[?_]", k2, 0, OptIndex},
      {"_?._", k2, 0, OptSelect},
      {"@in", k2, 0, In},
      {"optional.of", k1, 0, OptionalOf},
      {"optional.none", k0, 0, OptionalNone},
      {"optional.ofNonZeroValue", k1, 0, OptionalOfNonZero},
      {"hasValue", 0, k0, HasValue},
      {"value", 0, k0, OptValue},
      {"cel.@mapInsert", k2 | k3, 0, MapInsert},
  });
}

}  // namespace aimsgate::cel::internal
