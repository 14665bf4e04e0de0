// The ten rules of bench/micro/typical10.yaml written by hand in C++ over the
// RapidJSON DOM: the baseline the engine's overhead is measured against (the
// cel-cpp BM_PolicyNative vs BM_PolicySymbolic pattern).  Like the engine it
// produces a result per matching rule and a message for each failure.
//
//   std::vector<NativeResult> out;
//   bench::EvaluateTypical10(object, &out);   // out[i].rule == kTypical10Ids[i]
//
// Thread-safe (the regexes are compiled once, re2 is thread-safe).
#pragma once

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::bench {

inline constexpr const char* kTypical10Ids[] = {
    "labels-present", "env-in-set",   "owner-annotation-format", "image-digest",    "limits-set",
    "not-privileged", "replicas-bounded", "namespace-not-system", "run-as-non-root", "probes-set"};

struct NativeResult {
  const char* rule = nullptr;
  bool pass = false;
  std::string message;  // set on failure
};

// Appends one result per rule that applies to the object's kind (replicas-bounded
// not on Pods; nothing for other kinds), in the pack's order.
void EvaluateTypical10(const aimsgate::JsonValue& object, std::vector<NativeResult>* out);

}  // namespace aimsgate::bench
