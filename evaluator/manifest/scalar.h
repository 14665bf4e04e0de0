// Typing of YAML scalars as Kubernetes types them: sigs.k8s.io/yaml decodes with
// go-yaml v2, whose resolver follows YAML 1.1 (see manifest.h for the table).
//
//   ScalarValue v;
//   std::string err;
//   ResolvePlain("0x1F", &v);                       // v.kind == kInt, v.i == 31
//   ResolveTagged("tag:yaml.org,2002:str", "1", &v, &err);   // kString
//   std::string key = KeyString(v, "1.5");          // map keys become strings
//
// Pure functions; thread-safe; no allocation except for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aimsgate::manifest {

struct ScalarValue {
  enum Kind { kNull, kBool, kInt, kUint, kFloat, kString };
  Kind kind = kString;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
};

// An untagged plain scalar.
void ResolvePlain(std::string_view text, ScalarValue* out);

// A scalar with an explicit tag (long form "tag:yaml.org,2002:int" or short "!!int";
// any other tag gives a string). Returns false with a message when the text cannot
// be decoded as the tag's type ("cannot decode !!str `abc` as a !!int").
bool ResolveTagged(std::string_view tag, std::string_view text, ScalarValue* out,
                   std::string* error);

// The JSON key that sigs.k8s.io/yaml makes of a resolved key scalar: strings as
// they are, ints in decimal, bools "true"/"false", floats in Go's %g of float32
// (".inf", "-.inf", ".nan" for the specials). Returns false for null keys.
bool KeyString(const ScalarValue& v, std::string_view text, std::string* key);

}  // namespace aimsgate::manifest
