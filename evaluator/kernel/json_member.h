// Reading a member of a parsed JSON document without assuming its shape: the
// one helper for "this key of this object, if it is an object and has it".
//
//   const rapidjson::Value* metadata = kernel::Member(object, "metadata");
//   std::string_view name = metadata ? kernel::StringMember(*metadata, "name") : "";
//   auto [name, ns] = kernel::Members<2>(*metadata, {"name", "namespace"});  // one scan for both
//
// Thread-safety: reads only. Cost: a scan of the members, comparing lengths first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::kernel {

// Whether the `n` bytes at `a` and `b` are equal: inline, overlapping word
// compares for up to 32 bytes (most JSON keys), memcmp beyond.
[[gnu::always_inline]] inline bool BytesEqual(const char* a, const char* b, size_t n) {
  auto word = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  if (n >= 8) {
    if (n > 32) return std::memcmp(a, b, n) == 0;
    if (word(a) != word(b) || word(a + n - 8) != word(b + n - 8)) return false;
    return n <= 16 || (word(a + 8) == word(b + 8) && word(a + n - 16) == word(b + n - 16));
  }
  if (n >= 4) {
    uint32_t x, y, u, w;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    std::memcpy(&u, a + n - 4, 4);
    std::memcpy(&w, b + n - 4, 4);
    return x == y && u == w;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The members of `v` named `names`, found in one scan of its members (reading
// several keys of one object costs one scan, not one per key): element i is the
// first member named names[i], or null.  All null when `v` is not an object.
// Inline, so that names known at the call site compare as constants.
template <size_t N>
[[gnu::always_inline]] inline std::array<const aimsgate::JsonValue*, N> Members(const aimsgate::JsonValue& v, const std::array<std::string_view, N>& names) {
  std::array<const aimsgate::JsonValue*, N> found{};
  if (!v.IsObject()) return found;
  size_t missing = N;
  for (const auto& m : v.GetObject()) {
    const size_t size = m.name.GetStringLength();
    const char* key = m.name.GetString();
    for (size_t i = 0; i < N; ++i) {
      if (found[i] == nullptr && names[i].size() == size && BytesEqual(key, names[i].data(), size)) {
        found[i] = &m.value;
        if (--missing == 0) return found;
        break;
      }
    }
  }
  return found;
}

// The member `key` of `v`, or null when `v` is not an object or has no such member.
inline const aimsgate::JsonValue* Member(const aimsgate::JsonValue& v, std::string_view key) {
  return Members<1>(v, {key})[0];
}

// The string member `key` of `v`, or "" (absent, not a string, or `v` not an object).
inline std::string_view StringMember(const aimsgate::JsonValue& v, std::string_view key) {
  const aimsgate::JsonValue* m = Member(v, key);
  return m && m->IsString() ? std::string_view(m->GetString(), m->GetStringLength()) : std::string_view();
}

// The string `v` points at, or "" (null, or not a string).
inline std::string_view StringOf(const aimsgate::JsonValue* v) {
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

}  // namespace aimsgate::kernel
