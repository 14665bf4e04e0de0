// CEL runtime values.
//
//   cel::Value v = cel::Value::Int(42);
//   cel::Value s = cel::Value::String("hello");            // owns its bytes
//   rapidjson::Document doc; doc.Parse(manifest_json);
//   cel::Value obj = cel::Value::Json(doc);                // borrows the DOM
//   cel::Value name = obj.MapGet("metadata").MapGet("name");
//   if (name.IsString()) use(name.StringValue());
//
// CONTRACT (used by evaluator/pack, cli/ and webhook/):
//   static Value Null();  Bool(bool);  Int(int64_t);  Uint(uint64_t);  Double(double);
//   static Value String(std::string);  Bytes(std::string);
//   static Value Error(std::string message);
//   static Value Json(const rapidjson::Value& v);   // borrows v: objects and arrays
//                                                   // are NOT copied; v must outlive
//                                                   // every Value derived from it
//   bool IsError() const;  const std::string& ErrorMessage() const;
//   bool IsBool() const;   bool BoolValue() const;
//   bool IsNull() const;   bool IsString() const;  std::string_view StringValue() const;
//   std::string DebugString() const;   // CEL literal syntax, for tests and messages
//   std::string ToDisplayString() const;  // as string(): strings unquoted, for
//                                         // {{expr}} interpolation in messages
//   Kind kind() const;
//   static Value Timestamp(int64_t seconds, int32_t nanos);
//
// Representation: scalars inline; strings and bytes are a string_view that
// either borrows (JSON document, program constants) or points into a shared
// owned buffer; lists and maps are either a shared immutable vector / entry
// table or a borrowed `const rapidjson::Value*` (JSON arrays and objects).
// JSON numbers that are integers fitting int64 become int, all others double.
//
// Thread-safety: a Value is immutable once built and may be read from many
// threads; copies share aggregates (copying costs one atomic increment).
// Cost: field selection on a JSON object is a linear scan over its members and
// allocates nothing.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/kernel/json.h"

namespace aimsgate::cel {

class Value;

namespace internal {
struct Rep {
  virtual ~Rep() = default;
};
struct StringRep;
struct ListRep;
struct MapRep;
struct ErrorRep;
struct OptionalRep;
// Base of library-defined value types (Kubernetes quantity, URL, IP, CIDR):
// equality compares type name and `canonical`; DebugString shows `display`.
struct OpaqueRep : Rep {
  std::string canonical;
  std::string display;
};
}  // namespace internal

// Timestamps span 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;
// Durations are limited to an int64 count of nanoseconds (roughly +-290
// years), as the CEL specification's "Overflow" section states.
inline constexpr int64_t kMaxDurationSeconds = 9223372036;

class Value {
 public:
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kList,
    kMap,
    kTimestamp,
    kDuration,
    kType,
    kOptional,
    kError,
    kOpaque,  // library types: TypeName() says which ("kubernetes.Quantity", "net.IP", ...)
  };

  Value() = default;

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Uint(uint64_t u);
  static Value Double(double d);
  static Value String(std::string s);
  static Value Bytes(std::string s);
  // Borrowed: `s` must outlive the Value and everything derived from it.
  static Value StringView(std::string_view s);
  // A string of `part`, which lies within this string's bytes: shares their
  // storage (or borrows them, as this value does) instead of copying them.
  Value Substring(std::string_view part) const {
    Value v = *this;
    v.sv_ = part;
    return v;
  }
  static Value Error(std::string message);
  // Inline below, and forced: bound per object, read per node (GCC's heuristics
  // leave it out of line in larger callers, callgrind: +0.3 M on typical10).
  [[gnu::always_inline]] static Value Json(const aimsgate::JsonValue& v);
  static Value List(std::vector<Value> items);
  // Builds a map; keys must be bool, int, uint or string and distinct (int and
  // uint keys of equal value are the same key).  Returns an error Value otherwise.
  static Value Map(std::vector<std::pair<Value, Value>> entries);
  static Value Timestamp(int64_t seconds, int32_t nanos);  // caller checks range
  static Value Duration(int64_t seconds, int32_t nanos);   // normalised by the callee
  // `name` must be a string with static storage (the CEL type names).
  static Value Type(std::string_view name);
  static Value OptionalOf(Value v);
  static Value OptionalNone();
  // `type_name` must have static storage.
  static Value Opaque(std::string_view type_name, std::shared_ptr<internal::OpaqueRep> rep);

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  // In place, without a temporary (the engine rebinds variables per object):
  // Clear makes this null, AssignJson makes it Json(j).
  void Clear() {
    heap_.reset();
    kind_ = Kind::kNull;
    json_ = false;
    nanos_ = 0;
    u_ = {};
    sv_ = {};
  }
  void AssignJson(const aimsgate::JsonValue& j) {
    if (!j.IsObject() && !j.IsArray()) {
      *this = JsonScalar(j);
      return;
    }
    Clear();
    kind_ = j.IsArray() ? Kind::kList : Kind::kMap;
    json_ = true;
    u_.json = &j;
  }
  // The JSON array or object this value borrows, or null (any other value).
  const aimsgate::JsonValue* BorrowedJson() const { return json_ ? u_.json : nullptr; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsInt() const { return kind_ == Kind::kInt; }
  bool IsUint() const { return kind_ == Kind::kUint; }
  bool IsDouble() const { return kind_ == Kind::kDouble; }
  bool IsNumber() const { return kind_ == Kind::kInt || kind_ == Kind::kUint || kind_ == Kind::kDouble; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsBytes() const { return kind_ == Kind::kBytes; }
  bool IsList() const { return kind_ == Kind::kList; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  bool IsTimestamp() const { return kind_ == Kind::kTimestamp; }
  bool IsDuration() const { return kind_ == Kind::kDuration; }
  bool IsType() const { return kind_ == Kind::kType; }
  bool IsOptional() const { return kind_ == Kind::kOptional; }
  bool IsError() const { return kind_ == Kind::kError; }
  bool IsOpaque() const { return kind_ == Kind::kOpaque; }
  bool IsOpaque(std::string_view type_name) const { return kind_ == Kind::kOpaque && sv_ == type_name; }
  const internal::OpaqueRep* OpaqueValue() const {
    return kind_ == Kind::kOpaque ? static_cast<const internal::OpaqueRep*>(heap_.get()) : nullptr;
  }

  bool BoolValue() const { return kind_ == Kind::kBool && u_.b; }
  int64_t IntValue() const { return u_.i; }
  uint64_t UintValue() const { return u_.u; }
  double DoubleValue() const { return u_.d; }
  // Strings and bytes; for type and opaque values, the type name.
  std::string_view StringValue() const { return sv_; }
  std::string_view BytesValue() const { return sv_; }
  std::string_view TypeName() const { return sv_; }
  const std::string& ErrorMessage() const;
  int64_t Seconds() const { return u_.i; }  // timestamps and durations
  int32_t Nanos() const { return nanos_; }

  // Lists (JSON arrays included).
  size_t ListSize() const;
  Value ListAt(size_t i) const;

  // Maps (JSON objects included).
  size_t MapSize() const;
  // The i-th entry in iteration order.
  void MapEntryAt(size_t i, Value* key, Value* value) const;
  // Heterogeneous numeric keys: 1, 1u and 1.0 find the same entry.
  bool MapFind(const Value& key, Value* out) const;
  bool MapFindString(std::string_view key, Value* out) const;
  // Convenience: the value under a string key, or an error "no such key".
  Value MapGet(std::string_view key) const;

  // Optionals.
  bool OptionalHasValue() const { return heap_ != nullptr; }
  Value OptionalValue() const;

  // The JSON node a list or map borrows, or null for owned aggregates.
  const aimsgate::JsonValue* json() const { return json_ ? u_.json : nullptr; }

  std::string DebugString() const;
  std::string ToDisplayString() const;
  std::string_view TypeNameOf() const;  // "int", "list", "google.protobuf.Timestamp", ...

  // Internal: owned list items, for in-place append by the runtime when the
  // list is not shared.  Returns null for borrowed or shared lists.
  std::vector<Value>* MutableListIfUnique();

 private:
  static Value JsonScalar(const aimsgate::JsonValue& v);
  friend struct internal::MapRep;
  Kind kind_ = Kind::kNull;
  bool json_ = false;  // list/map borrows a rapidjson node
  int32_t nanos_ = 0;
  union Scalar {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    const aimsgate::JsonValue* json;
  } u_{};
  std::string_view sv_;
  std::shared_ptr<internal::Rep> heap_;
};

// CEL equality (==): heterogeneous numeric comparison, NaN != NaN, deep list
// and map equality, values of different types are unequal.  Neither side may be
// an error.
bool Equal(const Value& a, const Value& b);

// CEL ordering.  kUnordered for NaN; kError for types that do not order.
enum class Ordering { kLess, kEqual, kGreater, kUnordered, kError };
Ordering Compare(const Value& a, const Value& b);

// Structural equality for tests: kinds must match (1 != 1u), NaN == NaN, and
// doubles are equal within a relative 1e-15 (decimal test data).
bool StrictEqual(const Value& a, const Value& b);

// The constructors on the evaluator's hot paths, inline.
inline Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.u_.b = b;
  return v;
}

inline Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.u_.i = i;
  return v;
}

inline Value Value::Timestamp(int64_t seconds, int32_t nanos) {
  Value v;
  v.kind_ = Kind::kTimestamp;
  v.u_.i = seconds;
  v.nanos_ = nanos;
  return v;
}

[[gnu::always_inline]] inline Value Value::Json(const aimsgate::JsonValue& j) {
  if (!j.IsObject() && !j.IsArray()) return JsonScalar(j);
  Value v;
  v.kind_ = j.IsArray() ? Kind::kList : Kind::kMap;
  v.json_ = true;
  v.u_.json = &j;
  return v;
}

}  // namespace aimsgate::cel
