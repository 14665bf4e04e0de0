// Shared helpers for the libFuzzer targets: input caps, splitting, JSON depth.
//
//   if (data_size > kMaxInput) return 0;          // every target caps its input
//   auto [expr, doc] = SplitAt(data, size, '|');  // "expression|document"
//   if (!DepthOk(parsed, 0)) return 0;            // nesting as the webhook allows
//
// Thread-safety: pure functions.  Cost: linear in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include <rapidjson/document.h>

#include "evaluator/kernel/json.h"

namespace aimsgate::fuzz {

inline constexpr int kMaxJsonDepth = 128;  // HandlerOptions::max_depth

// True if `v` nests no deeper than kMaxJsonDepth (the webhook rejects deeper documents).
inline bool DepthOk(const aimsgate::JsonValue& v, int depth) {
  if (depth > kMaxJsonDepth) return false;
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (!DepthOk(m.value, depth + 1)) return false;
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (!DepthOk(e, depth + 1)) return false;
    }
  }
  return true;
}

// Splits the input at the first `sep` (the separator is dropped); no separator =
// everything goes to the first part.
inline std::pair<std::string_view, std::string_view> SplitAt(const uint8_t* data, size_t size, char sep) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t at = all.find(sep);
  if (at == std::string_view::npos) return {all, std::string_view()};
  return {all.substr(0, at), all.substr(at + 1)};
}

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace aimsgate::fuzz
