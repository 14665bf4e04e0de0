// Text-level scanning of CEL expressions, for rewrites that must not touch
// string literals or member names: VAP `variables.x` (vap.cc) and the inlining
// of pack functions on export (vap_export.cc).
//
//   std::string out = cel_text::MapIdentifiers(expr, [&](size_t s, size_t e, size_t* end, std::string* r) {
//     if (expr.compare(s, e - s, "params") != 0) return false;
//     *r = "{}";
//     return true;
//   });
//
// Pure functions; linear in the expression.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>

namespace aimsgate::cel_text {

inline bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
inline bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Index just past the string literal that starts at e[i] (a quote).
inline size_t SkipString(const std::string& e, size_t i) {
  const char q = e[i];
  const bool triple = e.compare(i, 3, std::string(3, q)) == 0;
  const std::string close = triple ? std::string(3, q) : std::string(1, q);
  size_t j = i + close.size();
  while (j < e.size() && e.compare(j, close.size(), close) != 0) j += e[j] == '\\' ? 2 : 1;
  return std::min(e.size(), j + close.size());
}

// The previous non-space character before i, or 0.
inline char PrevChar(const std::string& e, size_t i) {
  while (i > 0) {
    --i;
    if (!std::isspace(static_cast<unsigned char>(e[i]))) return e[i];
  }
  return 0;
}

// Calls `visit(start, end, &consumed_end, &replacement)` for every identifier
// outside string literals that is not a member name (not after '.') nor a
// string prefix (r'..', b'..').  When visit returns true, `replacement` stands
// for e[start, consumed_end) (consumed_end starts at end); otherwise the
// identifier is kept.
template <typename Visit>
std::string MapIdentifiers(const std::string& e, Visit visit) {
  std::string out;
  size_t i = 0;
  while (i < e.size()) {
    const char c = e[i];
    if (c == '"' || c == '\'') {
      const size_t j = SkipString(e, i);
      out.append(e, i, j - i);
      i = j;
      continue;
    }
    if (IsIdentStart(c) && (i == 0 || !IsIdentChar(e[i - 1]))) {
      size_t j = i;
      while (j < e.size() && IsIdentChar(e[j])) ++j;
      if (PrevChar(e, i) != '.' && !(j < e.size() && (e[j] == '"' || e[j] == '\''))) {  // not r'..', b'..'
        size_t end = j;
        std::string replacement;
        if (visit(i, j, &end, &replacement)) {
          out += replacement;
          i = end;
          continue;
        }
      }
      out.append(e, i, j - i);
      i = j;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace aimsgate::cel_text
