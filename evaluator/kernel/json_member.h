// Reading a member of a parsed JSON document without assuming its shape: the
// one helper for "this key of this object, if it is an object and has it".
//
//   const rapidjson::Value* metadata = kernel::Member(object, "metadata");
//   std::string_view name = metadata ? kernel::StringMember(*metadata, "name") : "";
//
// Thread-safety: reads only. Cost: RapidJSON's FindMember (a scan of the members).
#pragma once

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

}  // namespace aimsgate::kernel
