// Helpers shared by the manifest tests.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest::testing {

// "null", "true", "int:5", "uint:5", "float:1.5", "float:inf", "str:abc", "map", "seq".
inline std::string Describe(const aimsgate::JsonValue& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsString()) return "str:" + std::string(v.GetString(), v.GetStringLength());
  if (v.IsObject()) return "map";
  if (v.IsArray()) return "seq";
  if (v.IsDouble()) {
    double d = v.GetDouble();
    if (std::isnan(d)) return "float:nan";
    if (std::isinf(d)) return d > 0 ? "float:inf" : "float:-inf";
    char buf[64];
    std::snprintf(buf, sizeof(buf), "float:%.17g", d);
    return buf;
  }
  if (v.IsInt64()) return "int:" + std::to_string(v.GetInt64());
  if (v.IsUint64()) return "uint:" + std::to_string(v.GetUint64());
  return "?";
}

inline std::string Errors(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.ToString() + "\n";
  return s;
}

}  // namespace aimsgate::manifest::testing
