// Reading a member of a parsed JSON document without assuming its shape: the
// one helper for "this key of this object, if it is an object and has it".
//
//   const rapidjson::Value* metadata = kernel::Member(object, "metadata");
//   std::string_view name = metadata ? kernel::StringMember(*metadata, "name") : "";
//   auto [name, ns] = kernel::Members<2>(*metadata, {"name", "namespace"});  // one scan for both
//
// Thread-safety: reads only. Cost: RapidJSON's FindMember (a scan of the members).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <rapidjson/document.h>

namespace aimsgate::kernel {

// The member `key` of `v`, or null when `v` is not an object or has no such member.
inline const rapidjson::Value* Member(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// The string member `key` of `v`, or "" (absent, not a string, or `v` not an object).
inline std::string_view StringMember(const rapidjson::Value& v, const char* key) {
  const rapidjson::Value* m = Member(v, key);
  return m && m->IsString() ? std::string_view(m->GetString(), m->GetStringLength()) : std::string_view();
}

// The members of `v` named `names`, found in one scan of its members (reading
// several keys of one object costs one scan, not one per key): element i is the
// first member named names[i], or null.  All null when `v` is not an object.
template <size_t N>
std::array<const rapidjson::Value*, N> Members(const rapidjson::Value& v, const std::array<std::string_view, N>& names) {
  std::array<const rapidjson::Value*, N> found{};
  if (!v.IsObject()) return found;
  size_t missing = N;
  for (const auto& m : v.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    for (size_t i = 0; i < N; ++i) {
      if (found[i] == nullptr && key == names[i]) {
        found[i] = &m.value;
        if (--missing == 0) return found;
        break;
      }
    }
  }
  return found;
}

// The string `v` points at, or "" (null, or not a string).
inline std::string_view StringOf(const rapidjson::Value* v) {
  return v && v->IsString() ? std::string_view(v->GetString(), v->GetStringLength()) : std::string_view();
}

}  // namespace aimsgate::kernel
