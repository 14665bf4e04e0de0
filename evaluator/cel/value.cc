#include "evaluator/cel/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "evaluator/cel/format_util.h"
#include "evaluator/cel/time_util.h"
#include "evaluator/cel/value_rep.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cel {

using internal::ErrorRep;
using internal::ListRep;
using internal::MapKey;
using internal::MapRep;
using internal::OptionalRep;
using internal::StringRep;

Value Value::Uint(uint64_t u) {
  Value v;
  v.kind_ = Kind::kUint;
  v.u_.u = u;
  return v;
}

Value Value::Double(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.u_.d = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  // '' (an absent annotation, a missing field's default) is the commonest
  // string an evaluation builds: it views a literal instead of allocating.
  if (s.empty()) {
    v.sv_ = std::string_view("", 0);
    return v;
  }
  auto rep = std::make_shared<StringRep>(std::move(s));
  v.sv_ = rep->str;
  v.heap_ = std::move(rep);
  return v;
}

Value Value::Bytes(std::string s) {
  Value v = String(std::move(s));
  v.kind_ = Kind::kBytes;
  return v;
}

Value Value::StringView(std::string_view s) {
  Value v;
  v.kind_ = Kind::kString;
  v.sv_ = s;
  return v;
}

Value Value::Error(std::string message) {
  Value v;
  v.kind_ = Kind::kError;
  v.heap_ = std::make_shared<ErrorRep>(std::move(message));
  return v;
}

Value Value::JsonScalar(const aimsgate::JsonValue& j) {
  switch (j.GetType()) {
    case rapidjson::kNullType:
      return Null();
    case rapidjson::kFalseType:
      return Bool(false);
    case rapidjson::kTrueType:
      return Bool(true);
    case rapidjson::kStringType:
      return StringView(std::string_view(j.GetString(), j.GetStringLength()));
    case rapidjson::kNumberType:
      if (j.IsInt64()) return Int(j.GetInt64());
      return Double(j.GetDouble());
    case rapidjson::kArrayType:
    case rapidjson::kObjectType: {
      Value v;
      v.kind_ = j.IsArray() ? Kind::kList : Kind::kMap;
      v.json_ = true;
      v.u_.json = &j;
      return v;
    }
  }
  return Null();
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.heap_ = std::make_shared<ListRep>(std::move(items));
  return v;
}

namespace internal {

bool ToMapKey(const Value& v, bool allow_double, MapKey* out) {
  *out = MapKey();
  switch (v.kind()) {
    case Value::Kind::kBool:
      out->tag = MapKey::kBool;
      out->num = v.BoolValue() ? 1 : 0;
      return true;
    case Value::Kind::kInt:
      out->tag = MapKey::kNumber;
      out->negative = v.IntValue() < 0;
      out->num = out->negative ? 0 - static_cast<uint64_t>(v.IntValue()) : static_cast<uint64_t>(v.IntValue());
      return true;
    case Value::Kind::kUint:
      out->tag = MapKey::kNumber;
      out->num = v.UintValue();
      return true;
    case Value::Kind::kString:
      out->tag = MapKey::kString;
      out->str = v.StringValue();
      return true;
    case Value::Kind::kDouble: {
      if (!allow_double) return false;
      double d = v.DoubleValue();
      if (!std::isfinite(d) || d != std::trunc(d)) return false;
      out->tag = MapKey::kNumber;
      if (d < 0) {
        if (d < -9223372036854775808.0) return false;
        out->negative = true;
        out->num = 0 - static_cast<uint64_t>(static_cast<int64_t>(d));
      } else {
        if (d >= 18446744073709551616.0) return false;
        out->num = static_cast<uint64_t>(d);
      }
      if (out->num == 0) out->negative = false;
      return true;
    }
    default:
      return false;
  }
}

bool MapRep::Find(const MapKey& key, Value* out) const {
  if (!index.empty() || entries.size() > kIndexThreshold) {
    auto it = index.find(key);
    if (it == index.end()) return false;
    *out = entries[it->second].second;
    return true;
  }
  for (const auto& e : entries) {
    MapKey k;
    ToMapKey(e.first, false, &k);
    if (k == key) {
      *out = e.second;
      return true;
    }
  }
  return false;
}

}  // namespace internal

Value Value::Map(std::vector<std::pair<Value, Value>> entries) {
  auto rep = std::make_shared<MapRep>();
  rep->entries = std::move(entries);
  const bool indexed = rep->entries.size() > MapRep::kIndexThreshold;
  for (size_t i = 0; i < rep->entries.size(); ++i) {
    const Value& k = rep->entries[i].first;
    if (k.IsError()) return k;
    MapKey mk;
    if (!internal::ToMapKey(k, false, &mk)) {
      return Error("unsupported key type in map: " + std::string(k.TypeNameOf()));
    }
    if (indexed) {
      if (!rep->index.emplace(mk, i).second) return Error("Failed with repeated key: " + k.DebugString());
    } else {
      for (size_t j = 0; j < i; ++j) {
        MapKey other;
        internal::ToMapKey(rep->entries[j].first, false, &other);
        if (other == mk) return Error("Failed with repeated key: " + k.DebugString());
      }
    }
  }
  Value v;
  v.kind_ = Kind::kMap;
  v.heap_ = std::move(rep);
  return v;
}

Value Value::Duration(int64_t seconds, int32_t nanos) {
  int64_t s = seconds, n = nanos;
  NormalizeDuration(&s, &n);
  Value v;
  v.kind_ = Kind::kDuration;
  v.u_.i = s;
  v.nanos_ = static_cast<int32_t>(n);
  return v;
}

Value Value::Type(std::string_view name) {
  Value v;
  v.kind_ = Kind::kType;
  v.sv_ = name;
  return v;
}

Value Value::OptionalOf(Value inner) {
  Value v;
  v.kind_ = Kind::kOptional;
  v.heap_ = std::make_shared<OptionalRep>(std::move(inner));
  return v;
}

Value Value::OptionalNone() {
  Value v;
  v.kind_ = Kind::kOptional;
  return v;
}

Value Value::Opaque(std::string_view type_name, std::shared_ptr<internal::OpaqueRep> rep) {
  Value v;
  v.kind_ = Kind::kOpaque;
  v.sv_ = type_name;
  v.heap_ = std::move(rep);
  return v;
}

const std::string& Value::ErrorMessage() const {
  static const std::string kEmpty;
  if (kind_ != Kind::kError || !heap_) return kEmpty;
  return static_cast<const ErrorRep*>(heap_.get())->message;
}

Value Value::OptionalValue() const {
  if (kind_ != Kind::kOptional || !heap_) return Error("optional.none() dereference");
  return static_cast<const OptionalRep*>(heap_.get())->value;
}

size_t Value::ListSize() const {
  if (kind_ != Kind::kList) return 0;
  if (json_) return u_.json->Size();
  return static_cast<const ListRep*>(heap_.get())->items.size();
}

Value Value::ListAt(size_t i) const {
  if (json_) return Json((*u_.json)[static_cast<rapidjson::SizeType>(i)]);
  return static_cast<const ListRep*>(heap_.get())->items[i];
}

std::vector<Value>* Value::MutableListIfUnique() {
  if (kind_ != Kind::kList || json_ || heap_.use_count() != 1) return nullptr;
  return &static_cast<ListRep*>(heap_.get())->items;
}

size_t Value::MapSize() const {
  if (kind_ != Kind::kMap) return 0;
  if (json_) return u_.json->MemberCount();
  return static_cast<const MapRep*>(heap_.get())->entries.size();
}

void Value::MapEntryAt(size_t i, Value* key, Value* value) const {
  if (json_) {
    const auto& m = *(u_.json->MemberBegin() + static_cast<std::ptrdiff_t>(i));
    if (key) *key = StringView(std::string_view(m.name.GetString(), m.name.GetStringLength()));
    if (value) *value = Json(m.value);
    return;
  }
  const auto& e = static_cast<const MapRep*>(heap_.get())->entries[i];
  if (key) *key = e.first;
  if (value) *value = e.second;
}

bool Value::MapFindString(std::string_view key, Value* out) const {
  if (kind_ != Kind::kMap) return false;
  if (json_) {
    // Compare the first byte inline before calling memcmp: most members differ there.
    for (auto m = u_.json->MemberBegin(); m != u_.json->MemberEnd(); ++m) {
      if (m->name.GetStringLength() != key.size()) continue;
      const char* name = m->name.GetString();
      if (!key.empty() && name[0] != key[0]) continue;
      if (std::memcmp(name, key.data(), key.size()) == 0) {
        *out = Json(m->value);
        return true;
      }
    }
    return false;
  }
  MapKey mk;
  mk.tag = MapKey::kString;
  mk.str = key;
  return static_cast<const MapRep*>(heap_.get())->Find(mk, out);
}

bool Value::MapFind(const Value& key, Value* out) const {
  if (kind_ != Kind::kMap) return false;
  if (json_) {
    if (!key.IsString()) return false;
    return MapFindString(key.StringValue(), out);
  }
  MapKey mk;
  if (!internal::ToMapKey(key, true, &mk)) return false;
  return static_cast<const MapRep*>(heap_.get())->Find(mk, out);
}

Value Value::MapGet(std::string_view key) const {
  Value out;
  if (kind_ == Kind::kError) return *this;
  if (kind_ != Kind::kMap) return Error("no such key: '" + std::string(key) + "' (not a map)");
  if (!MapFindString(key, &out)) return Error("no such key: '" + std::string(key) + "'");
  return out;
}

std::string_view Value::TypeNameOf() const {
  switch (kind_) {
    case Kind::kNull: return "null_type";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUint: return "uint";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
    case Kind::kTimestamp: return "google.protobuf.Timestamp";
    case Kind::kDuration: return "google.protobuf.Duration";
    case Kind::kType: return "type";
    case Kind::kOptional: return "optional_type";
    case Kind::kError: return "error";
    case Kind::kOpaque: return sv_;
  }
  return "unknown";
}

namespace {

void AppendDebug(const Value& v, std::string* out, int depth);

void AppendQuoted(std::string_view s, bool bytes, std::string* out) {
  if (bytes) out->push_back('b');
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
          static const char kHex[] = "0123456789abcdef";
          out->append("\\x");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendDebug(const Value& v, std::string* out, int depth) {
  if (depth > 64) {
    out->append("...");
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNull: out->append("null"); return;
    case Value::Kind::kBool: out->append(v.BoolValue() ? "true" : "false"); return;
    case Value::Kind::kInt: out->append(std::to_string(v.IntValue())); return;
    case Value::Kind::kUint: out->append(std::to_string(v.UintValue())).push_back('u'); return;
    case Value::Kind::kDouble: {
      std::string d = FormatDouble(v.DoubleValue());
      if (std::isfinite(v.DoubleValue()) && d.find_first_of(".eE") == std::string::npos) d += ".0";
      out->append(d);
      return;
    }
    case Value::Kind::kString: AppendQuoted(v.StringValue(), false, out); return;
    case Value::Kind::kBytes: AppendQuoted(v.BytesValue(), true, out); return;
    case Value::Kind::kList: {
      out->push_back('[');
      for (size_t i = 0; i < v.ListSize(); ++i) {
        if (i) out->append(", ");
        AppendDebug(v.ListAt(i), out, depth + 1);
      }
      out->push_back(']');
      return;
    }
    case Value::Kind::kMap: {
      out->push_back('{');
      for (size_t i = 0; i < v.MapSize(); ++i) {
        if (i) out->append(", ");
        Value k, val;
        v.MapEntryAt(i, &k, &val);
        AppendDebug(k, out, depth + 1);
        out->append(": ");
        AppendDebug(val, out, depth + 1);
      }
      out->push_back('}');
      return;
    }
    case Value::Kind::kTimestamp:
      out->append("timestamp(\"" + FormatTimestamp(v.Seconds(), v.Nanos()) + "\")");
      return;
    case Value::Kind::kDuration:
      out->append("duration(\"" + FormatDuration(v.Seconds(), v.Nanos()) + "\")");
      return;
    case Value::Kind::kType: out->append(v.TypeName()); return;
    case Value::Kind::kOptional:
      if (v.OptionalHasValue()) {
        out->append("optional.of(");
        AppendDebug(v.OptionalValue(), out, depth + 1);
        out->push_back(')');
      } else {
        out->append("optional.none()");
      }
      return;
    case Value::Kind::kError: out->append("error: " + v.ErrorMessage()); return;
    case Value::Kind::kOpaque: out->append(v.OpaqueValue()->display); return;
  }
}

}  // namespace

std::string Value::DebugString() const {
  std::string out;
  AppendDebug(*this, &out, 0);
  return out;
}

std::string Value::ToDisplayString() const {
  switch (kind_) {
    case Kind::kString:
    case Kind::kBytes: return std::string(sv_);
    case Kind::kInt: return std::to_string(u_.i);
    case Kind::kUint: return std::to_string(u_.u);
    case Kind::kDouble: return FormatDouble(u_.d);
    case Kind::kTimestamp: return FormatTimestamp(u_.i, nanos_);
    case Kind::kDuration: return FormatDuration(u_.i, nanos_);
    case Kind::kError: return ErrorMessage();
    case Kind::kOpaque: return OpaqueValue()->display;
    default: return DebugString();
  }
}

// ---- equality and ordering ----

namespace {

// int/uint versus double compare as cel-go does: out-of-range doubles are
// below/above every integer; otherwise the integer is converted to double.
Ordering CompareDoubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return Ordering::kUnordered;
  if (a < b) return Ordering::kLess;
  if (a > b) return Ordering::kGreater;
  return Ordering::kEqual;
}

Ordering CompareIntDouble(int64_t i, double d) {
  if (std::isnan(d)) return Ordering::kUnordered;
  if (d < -9223372036854775808.0) return Ordering::kGreater;
  if (d > 9223372036854775807.0) return Ordering::kLess;
  return CompareDoubles(static_cast<double>(i), d);
}

Ordering CompareUintDouble(uint64_t u, double d) {
  if (std::isnan(d)) return Ordering::kUnordered;
  if (d < 0) return Ordering::kGreater;
  if (d > 18446744073709551615.0) return Ordering::kLess;
  return CompareDoubles(static_cast<double>(u), d);
}

Ordering Flip(Ordering o) {
  if (o == Ordering::kLess) return Ordering::kGreater;
  if (o == Ordering::kGreater) return Ordering::kLess;
  return o;
}

template <typename T>
Ordering Cmp(T a, T b) {
  if (a < b) return Ordering::kLess;
  if (b < a) return Ordering::kGreater;
  return Ordering::kEqual;
}

Ordering CompareNumbers(const Value& a, const Value& b) {
  using K = Value::Kind;
  switch (a.kind()) {
    case K::kInt:
      if (b.IsInt()) return Cmp(a.IntValue(), b.IntValue());
      if (b.IsUint()) return a.IntValue() < 0 ? Ordering::kLess : Cmp<uint64_t>(a.IntValue(), b.UintValue());
      return CompareIntDouble(a.IntValue(), b.DoubleValue());
    case K::kUint:
      if (b.IsUint()) return Cmp(a.UintValue(), b.UintValue());
      if (b.IsInt()) return Flip(CompareNumbers(b, a));
      return CompareUintDouble(a.UintValue(), b.DoubleValue());
    default:
      if (b.IsDouble()) {
        if (std::isnan(a.DoubleValue()) || std::isnan(b.DoubleValue())) return Ordering::kUnordered;
        return Cmp(a.DoubleValue(), b.DoubleValue());
      }
      return Flip(CompareNumbers(b, a));
  }
}

bool EqualDepth(const Value& a, const Value& b, int depth) {
  if (depth > 200) return false;
  if (a.IsNumber() && b.IsNumber()) return CompareNumbers(a, b) == Ordering::kEqual;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kNull: return true;
    case Value::Kind::kBool: return a.BoolValue() == b.BoolValue();
    case Value::Kind::kString:
    case Value::Kind::kBytes:
    case Value::Kind::kType: return a.StringValue() == b.StringValue();
    case Value::Kind::kTimestamp:
    case Value::Kind::kDuration: return a.Seconds() == b.Seconds() && a.Nanos() == b.Nanos();
    case Value::Kind::kList: {
      size_t n = a.ListSize();
      if (n != b.ListSize()) return false;
      for (size_t i = 0; i < n; ++i) {
        if (!EqualDepth(a.ListAt(i), b.ListAt(i), depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      size_t n = a.MapSize();
      if (n != b.MapSize()) return false;
      for (size_t i = 0; i < n; ++i) {
        Value k, va, vb;
        a.MapEntryAt(i, &k, &va);
        if (!b.MapFind(k, &vb)) return false;
        if (!EqualDepth(va, vb, depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::kOptional:
      if (a.OptionalHasValue() != b.OptionalHasValue()) return false;
      return !a.OptionalHasValue() || EqualDepth(a.OptionalValue(), b.OptionalValue(), depth + 1);
    case Value::Kind::kOpaque:
      return a.TypeName() == b.TypeName() && a.OpaqueValue()->canonical == b.OpaqueValue()->canonical;
    case Value::Kind::kError: return false;
    default: return false;
  }
}

}  // namespace

bool Equal(const Value& a, const Value& b) { return EqualDepth(a, b, 0); }

Ordering Compare(const Value& a, const Value& b) {
  if (a.IsNumber() && b.IsNumber()) return CompareNumbers(a, b);
  if (a.kind() != b.kind()) return Ordering::kError;
  switch (a.kind()) {
    case Value::Kind::kBool: return Cmp<int>(a.BoolValue(), b.BoolValue());
    case Value::Kind::kString:
    case Value::Kind::kBytes: {
      int c = a.StringValue().compare(b.StringValue());
      return c < 0 ? Ordering::kLess : (c > 0 ? Ordering::kGreater : Ordering::kEqual);
    }
    case Value::Kind::kTimestamp:
    case Value::Kind::kDuration: {
      Ordering o = Cmp(a.Seconds(), b.Seconds());
      return o == Ordering::kEqual ? Cmp(a.Nanos(), b.Nanos()) : o;
    }
    default: return Ordering::kError;
  }
}

bool StrictEqual(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kDouble:
      if (std::isnan(a.DoubleValue())) return std::isnan(b.DoubleValue());
      if (a.DoubleValue() == b.DoubleValue()) return true;
      // Within a few units in the last place (test data written in decimal).
      return std::fabs(a.DoubleValue() - b.DoubleValue()) <=
             1e-15 * std::max(std::fabs(a.DoubleValue()), std::fabs(b.DoubleValue()));
    case Value::Kind::kInt: return a.IntValue() == b.IntValue();
    case Value::Kind::kUint: return a.UintValue() == b.UintValue();
    case Value::Kind::kList: {
      if (a.ListSize() != b.ListSize()) return false;
      for (size_t i = 0; i < a.ListSize(); ++i) {
        if (!StrictEqual(a.ListAt(i), b.ListAt(i))) return false;
      }
      return true;
    }
    case Value::Kind::kMap: {
      if (a.MapSize() != b.MapSize()) return false;
      for (size_t i = 0; i < a.MapSize(); ++i) {
        Value k, va, vb;
        a.MapEntryAt(i, &k, &va);
        bool found = false;
        for (size_t j = 0; j < b.MapSize() && !found; ++j) {
          Value kb;
          b.MapEntryAt(j, &kb, &vb);
          if (StrictEqual(k, kb)) found = true;
        }
        if (!found || !StrictEqual(va, vb)) return false;
      }
      return true;
    }
    case Value::Kind::kError: return true;
    default: return Equal(a, b);
  }
}

}  // namespace aimsgate::cel
