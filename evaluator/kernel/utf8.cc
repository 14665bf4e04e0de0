#include "evaluator/kernel/utf8.h"

namespace aimsgate::kernel {

size_t ValidUtf8Length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return at(k) >= lo && at(k) <= hi;
  };
  unsigned char c = at(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no UTF-16 surrogates
  if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

size_t FindInvalidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = ValidUtf8Length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string ToValidUtf8(std::string_view s) {
  if (FindInvalidUtf8(s) == std::string_view::npos) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = ValidUtf8Length(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD for each byte that is not UTF-8
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

namespace {

char32_t CodePoint(std::string_view s, size_t i, size_t len) {
  static const unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t cp = static_cast<unsigned char>(s[i]) & kLeadMask[len];
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

void AppendControlEscape(char32_t cp, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  switch (cp) {
    case '\n': *out += "\\n"; return;
    case '\r': *out += "\\r"; return;
    case '\t': *out += "\\t"; return;
    default: break;
  }
  *out += cp < 0x80 ? "\\x" : "\\u00";
  *out += kHex[cp >> 4];
  *out += kHex[cp & 15];
}

// Calls emit(piece, cp) for each code point (cp = 0xFFFD and piece = the replacement for
// a byte that is not UTF-8); `kept` tells whether a control character is left alone.
template <typename Emit>
std::string MapControls(std::string_view raw, std::string_view keep, Emit emit) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    size_t n = ValidUtf8Length(raw, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
      continue;
    }
    char32_t cp = CodePoint(raw, i, n);
    if (IsControl(cp) && !(n == 1 && keep.find(raw[i]) != std::string_view::npos)) {
      emit(cp, &out);
    } else {
      out.append(raw.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace

std::string EscapeControls(std::string_view raw, std::string_view keep) {
  return MapControls(raw, keep, AppendControlEscape);
}

std::string ReplaceControls(std::string_view raw, std::string_view keep) {
  return MapControls(raw, keep, [](char32_t, std::string* out) { out->append("\xEF\xBF\xBD"); });
}

}  // namespace aimsgate::kernel
