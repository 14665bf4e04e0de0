// Shared helpers for the libFuzzer targets: input caps and splitting.
//
//   if (data_size > kMaxInput) return 0;          // every target caps its input
//   auto [expr, doc] = SplitAt(data, size, '|');  // "expression|document"
//
// Thread-safety: pure functions.  Cost: linear in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace aimsgate::fuzz {

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
