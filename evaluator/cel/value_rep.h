// Heap representations behind cel::Value (internal to the CEL runtime).
//
// Thread-safety: immutable once published inside a Value; MapRep builds its
// index at construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "evaluator/cel/value.h"

namespace aimsgate::cel::internal {

struct StringRep : Rep {
  explicit StringRep(std::string s) : str(std::move(s)) {}
  std::string str;
};

struct ErrorRep : Rep {
  explicit ErrorRep(std::string m) : message(std::move(m)) {}
  std::string message;
};

struct ListRep : Rep {
  explicit ListRep(std::vector<Value> v) : items(std::move(v)) {}
  std::vector<Value> items;
};

struct OptionalRep : Rep {
  explicit OptionalRep(Value v) : value(std::move(v)) {}
  Value value;
};

// A normalised map key: bool, number (int and uint of equal value are equal)
// or string.  `str` views bytes owned by the key's Value.
struct MapKey {
  enum Tag : uint8_t { kBool, kNumber, kString } tag = kBool;
  bool negative = false;  // kNumber: value < 0, magnitude in `num`
  uint64_t num = 0;
  std::string_view str;
  bool operator==(const MapKey& o) const {
    return tag == o.tag && negative == o.negative && num == o.num && str == o.str;
  }
};

struct MapKeyHash {
  size_t operator()(const MapKey& k) const {
    size_t h = std::hash<std::string_view>()(k.str);
    return h ^ (std::hash<uint64_t>()(k.num) * 31 + k.tag * 7 + (k.negative ? 1 : 0));
  }
};

// Converts a Value to a map key.  Returns false for values that cannot be keys
// (doubles are converted when integral, for lookups only: `allow_double`).
bool ToMapKey(const Value& v, bool allow_double, MapKey* out);

struct MapRep : Rep {
  std::vector<std::pair<Value, Value>> entries;
  std::unordered_map<MapKey, size_t, MapKeyHash> index;  // only for larger maps
  static constexpr size_t kIndexThreshold = 8;
  bool Find(const MapKey& key, Value* out) const;
};

}  // namespace aimsgate::cel::internal
