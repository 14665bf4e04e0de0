#include "evaluator/manifest/scalar.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace aimsgate::manifest {
namespace {

constexpr std::string_view kLongTagPrefix = "tag:yaml.org,2002:";

// go-yaml's hint table: which first bytes may start a non-string.
enum Hint : char { kNone = 0, kSign = 'S', kDigit = 'D', kMap = 'M', kDot = '.' };

Hint HintOf(std::string_view text) {
  if (text.empty()) return kMap;  // "" is null
  switch (text[0]) {
    case '+': case '-': return kSign;
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return kDigit;
    case 'y': case 'Y': case 'n': case 'N': case 't': case 'T':
    case 'f': case 'F': case 'o': case 'O': case '~': return kMap;
    case '.': return kDot;
    default: return kNone;
  }
}

// go-yaml v2's resolveMap: the fixed spellings of null, bools and float specials.
bool LookupFixed(std::string_view t, ScalarValue* out) {
  auto is_any = [&t](std::initializer_list<std::string_view> l) {
    for (std::string_view s : l) {
      if (t == s) return true;
    }
    return false;
  };
  switch (t.size()) {
    case 0: out->kind = ScalarValue::kNull; return true;
    default: break;
  }
  if (is_any({"~", "null", "Null", "NULL"})) {
    out->kind = ScalarValue::kNull;
    return true;
  }
  if (is_any({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    out->kind = ScalarValue::kBool;
    out->b = true;
    return true;
  }
  if (is_any({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    out->kind = ScalarValue::kBool;
    out->b = false;
    return true;
  }
  if (is_any({".nan", ".NaN", ".NAN"})) {
    out->kind = ScalarValue::kFloat;
    out->d = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (is_any({".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    out->kind = ScalarValue::kFloat;
    out->d = std::numeric_limits<double>::infinity();
    return true;
  }
  if (is_any({"-.inf", "-.Inf", "-.INF"})) {
    out->kind = ScalarValue::kFloat;
    out->d = -std::numeric_limits<double>::infinity();
    return true;
  }
  return false;
}

// Go's strconv.ParseUint/ParseInt with base 0 on `s` (underscores already removed):
// optional sign (ints only), 0x/0o/0b prefixes, a leading 0 meaning octal.
// Sets *negative, *magnitude; returns false on syntax error or overflow of uint64.
bool ParseGoInteger(std::string_view s, bool* negative, uint64_t* magnitude, bool* had_sign) {
  *negative = false;
  *had_sign = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    *negative = s[0] == '-';
    *had_sign = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s[0] == '0' && s.size() > 1) {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return false;
  }
  uint64_t v = 0;
  for (char c : s) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    if (digit >= base) return false;
    if (v > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(digit)) /
                static_cast<uint64_t>(base)) {
      return false;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  *magnitude = v;
  return true;
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&]() {
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < n && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// Go's ParseFloat on a string that IsYamlStyleFloat accepted: fails on overflow only.
bool ParseFloat(std::string_view s, double* out) {
  char stack_buf[64];
  std::string heap_buf;
  const char* cstr;
  if (s.size() < sizeof(stack_buf)) {
    std::memcpy(stack_buf, s.data(), s.size());
    stack_buf[s.size()] = '\0';
    cstr = stack_buf;
  } else {
    heap_buf.assign(s.data(), s.size());
    cstr = heap_buf.c_str();
  }
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(cstr, &end);
  if (std::isinf(d)) return false;  // out of range (underflow to 0 is fine, as in Go)
  *out = d;
  return true;
}

void ResolveNumber(std::string_view in, ScalarValue* out) {
  // go-yaml removes every '_' before parsing numbers.
  char stack_buf[128];
  std::string heap_buf;
  std::string_view plain = in;
  if (in.find('_') != std::string_view::npos) {
    char* dst = stack_buf;
    if (in.size() > sizeof(stack_buf)) {
      heap_buf.resize(in.size());
      dst = heap_buf.data();
    }
    size_t k = 0;
    for (char c : in) {
      if (c != '_') dst[k++] = c;
    }
    plain = std::string_view(dst, k);
  }
  bool negative, had_sign;
  uint64_t mag;
  if (ParseGoInteger(plain, &negative, &mag, &had_sign)) {
    if (!negative && mag <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      out->kind = ScalarValue::kInt;
      out->i = static_cast<int64_t>(mag);
      return;
    }
    if (negative && mag <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      out->kind = ScalarValue::kInt;
      out->i = static_cast<int64_t>(0 - mag);
      return;
    }
    if (!had_sign) {  // ParseUint accepts no sign
      out->kind = ScalarValue::kUint;
      out->u = mag;
      return;
    }
  }
  double d;
  if (IsYamlStyleFloat(plain) && ParseFloat(plain, &d)) {
    out->kind = ScalarValue::kFloat;
    out->d = d;
    return;
  }
  out->kind = ScalarValue::kString;
}

std::string ShortTag(std::string_view tag) {
  if (tag.substr(0, kLongTagPrefix.size()) == kLongTagPrefix) {
    return "!!" + std::string(tag.substr(kLongTagPrefix.size()));
  }
  return std::string(tag);
}

const char* KindTag(ScalarValue::Kind k) {
  switch (k) {
    case ScalarValue::kNull: return "!!null";
    case ScalarValue::kBool: return "!!bool";
    case ScalarValue::kInt:
    case ScalarValue::kUint: return "!!int";
    case ScalarValue::kFloat: return "!!float";
    case ScalarValue::kString: return "!!str";
  }
  return "!!str";
}

// go-yaml's parseTimestamp quick check plus a shape check of the date part
// (YYYY-M-D, optionally followed by a time); enough to honour !!timestamp.
bool LooksLikeTimestamp(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return false;
  ++i;
  size_t m = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i - m < 1 || i - m > 2 || i == s.size() || s[i] != '-') return false;
  ++i;
  size_t d = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i - d < 1 || i - d > 2) return false;
  return i == s.size() || s[i] == 'T' || s[i] == 't' || s[i] == ' ';
}

}  // namespace

void ResolvePlain(std::string_view text, ScalarValue* out) {
  out->kind = ScalarValue::kString;
  Hint hint = HintOf(text);
  if (hint == kNone) return;
  // The fixed spellings are at most 6 bytes and none starts with a digit.
  if (hint != kDigit && text.size() <= 6 && LookupFixed(text, out)) return;
  switch (hint) {
    case kDot:
      // Go's ParseFloat on the raw text: only ".5", ".5e3" shapes can start with '.'.
      if (text.find('_') == std::string_view::npos && IsYamlStyleFloat(text)) {
        double d;
        if (ParseFloat(text, &d)) {
          out->kind = ScalarValue::kFloat;
          out->d = d;
        }
      }
      return;
    case kDigit:
    case kSign:
      // Timestamps (2001-12-14) stay strings: go-yaml v2 keeps them as strings when
      // decoding into interface{}, and none of them parses as a number below.
      ResolveNumber(text, out);
      return;
    default:
      return;
  }
}

bool ResolveTagged(std::string_view tag, std::string_view text, ScalarValue* out,
                   std::string* error) {
  std::string stag = ShortTag(tag);
  out->kind = ScalarValue::kString;
  if (stag == "!!str" || stag == "!!binary") return true;
  bool resolvable = stag == "!!bool" || stag == "!!int" || stag == "!!float" ||
                    stag == "!!null" || stag == "!!timestamp" || stag == "!!merge";
  if (!resolvable) return true;  // unknown or custom tag: the text as a string
  if (stag == "!!merge") {
    if (text == "<<") return true;
    *error = "cannot decode `" + std::string(text) + "` as a !!merge";
    return false;
  }
  ResolvePlain(text, out);
  if (stag == "!!timestamp") {
    out->kind = ScalarValue::kString;
    if (LooksLikeTimestamp(text)) return true;
  } else if (stag == KindTag(out->kind)) {
    return true;
  } else if (stag == "!!float" && out->kind == ScalarValue::kInt) {
    out->kind = ScalarValue::kFloat;
    out->d = static_cast<double>(out->i);
    return true;
  }
  *error = std::string("cannot decode ") + KindTag(out->kind) + " `" + std::string(text) +
           "` as a " + stag;
  out->kind = ScalarValue::kString;
  return false;
}

namespace {

// Go's strconv.FormatFloat(f, 'g', -1, 32).
std::string GoFormatFloat32(double value) {
  float f = static_cast<float>(value);
  if (std::isnan(f)) return ".nan";
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // "-d.ddde+XX"
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(epos + 1)).c_str());
  int nd = static_cast<int>(digits.size());
  int dp = exp + 1;  // position of the decimal point
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {  // %e with nd-1 decimals, exponent at least 2 digits
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exp < 0 ? "e-" : "e+";
    int ae = exp < 0 ? -exp : exp;
    if (ae < 10) out += '0';
    out += std::to_string(ae);
    return out;
  }
  // %f with max(nd-dp, 0) decimals.
  if (dp <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-dp), '0');
    out += digits;
  } else if (dp >= nd) {
    out += digits;
    out.append(static_cast<size_t>(dp - nd), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(dp));
    out += '.';
    out += digits.substr(static_cast<size_t>(dp));
  }
  return out;
}

}  // namespace

bool KeyString(const ScalarValue& v, std::string_view text, std::string* key) {
  switch (v.kind) {
    case ScalarValue::kNull: return false;
    case ScalarValue::kBool: *key = v.b ? "true" : "false"; return true;
    case ScalarValue::kInt: *key = std::to_string(v.i); return true;
    case ScalarValue::kUint: *key = std::to_string(v.u); return true;
    case ScalarValue::kFloat: *key = GoFormatFloat32(v.d); return true;
    case ScalarValue::kString: key->assign(text.data(), text.size()); return true;
  }
  return false;
}

}  // namespace aimsgate::manifest
