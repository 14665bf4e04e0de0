#include "evaluator/cel/parser/unescape.h"

namespace aimsgate::cel::parser {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Reads `count` hex digits at body[pos]; -1 if they are not all there.
int64_t ReadHex(std::string_view body, size_t pos, int count) {
  if (pos + count > body.size()) return -1;
  int64_t value = 0;
  for (int i = 0; i < count; ++i) {
    int h = HexValue(body[pos + i]);
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

bool Fail(UnescapeError* error, size_t offset, std::string message) {
  error->offset = static_cast<int32_t>(offset);
  error->message = std::move(message);
  return false;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Unescape(std::string_view body, bool bytes, std::string* out, UnescapeError* error) {
  out->clear();
  out->reserve(body.size());
  size_t i = 0;
  const size_t n = body.size();
  while (i < n) {
    char c = body[i];
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    const size_t start = i;
    if (i + 1 >= n) return Fail(error, start, "invalid escape sequence at end of literal");
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a': out->push_back('\a'); continue;
      case 'b': out->push_back('\b'); continue;
      case 'f': out->push_back('\f'); continue;
      case 'n': out->push_back('\n'); continue;
      case 'r': out->push_back('\r'); continue;
      case 't': out->push_back('\t'); continue;
      case 'v': out->push_back('\v'); continue;
      case '\\':
      case '\'':
      case '"':
      case '`':
      case '?':
        out->push_back(e);
        continue;
      default:
        break;
    }
    int64_t value = -1;
    if (e >= '0' && e <= '3') {
      if (i + 2 > n || !IsOctal(body[i]) || !IsOctal(body[i + 1])) {
        return Fail(error, start, "invalid octal escape sequence (want \\ooo, 000 to 377)");
      }
      value = (e - '0') * 64 + (body[i] - '0') * 8 + (body[i + 1] - '0');
      i += 2;
    } else if (e == 'x' || e == 'X') {
      value = ReadHex(body, i, 2);
      if (value < 0) return Fail(error, start, "invalid \\x escape sequence (want two hex digits)");
      i += 2;
    } else if (e == 'u' || e == 'U') {
      const int digits = e == 'u' ? 4 : 8;
      if (bytes) {
        return Fail(error, start,
                    std::string("\\") + e + " escape sequences are not allowed in bytes literals");
      }
      value = ReadHex(body, i, digits);
      if (value < 0) {
        return Fail(error, start,
                    std::string("invalid \\") + e + " escape sequence (want " +
                        std::to_string(digits) + " hex digits)");
      }
      i += digits;
      if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
        return Fail(error, start, "invalid unicode code point in escape sequence");
      }
    } else {
      std::string shown(1, e);
      if (static_cast<unsigned char>(e) < 0x20 || static_cast<unsigned char>(e) >= 0x7F) {
        shown = "\\x" + std::string(1, "0123456789abcdef"[(e >> 4) & 0xF]) +
                "0123456789abcdef"[e & 0xF];
      }
      return Fail(error, start, "invalid escape sequence '\\" + shown + "'");
    }
    if (bytes) {
      out->push_back(static_cast<char>(value));
    } else {
      AppendUtf8(static_cast<uint32_t>(value), out);
    }
  }
  return true;
}

}  // namespace aimsgate::cel::parser
