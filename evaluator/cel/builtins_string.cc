// String functions of the CEL standard library and of the strings extension
// (cel-go ext.Strings): contains, startsWith, endsWith, matches, lowerAscii,
// upperAscii, split, join, replace, trim, indexOf, lastIndexOf, substring,
// charAt, reverse, format, strings.quote.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "evaluator/cel/builtins.h"
#include "evaluator/cel/format_util.h"
#include "evaluator/cel/time_util.h"

namespace aimsgate::cel::internal {

namespace {

using K = Value::Kind;

bool ScanCost(EvalContext& ctx, size_t bytes) { return ctx.AddCost(static_cast<int64_t>(bytes) / 100); }

Value CheckSize(std::string s, EvalContext& ctx) {
  if (static_cast<int64_t>(s.size()) > ctx.limits->max_string_bytes) {
    return ctx.Exhaust("string size limit exceeded: " + std::to_string(s.size()) + " bytes");
  }
  return Value::String(std::move(s));
}

#define REQUIRE(cond, name)                       \
  do {                                            \
    if (!(cond)) return NoOverload(name, a, n);   \
  } while (0)

Value Contains(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString(), "contains");
  if (!ScanCost(ctx, a[0].StringValue().size())) return ctx.budget_error;
  return Value::Bool(a[0].StringValue().find(a[1].StringValue()) != std::string_view::npos);
}

Value StartsWith(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString() && a[1].IsString(), "startsWith");
  std::string_view s = a[0].StringValue(), p = a[1].StringValue();
  return Value::Bool(s.substr(0, p.size()) == p);
}

Value EndsWith(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString() && a[1].IsString(), "endsWith");
  std::string_view s = a[0].StringValue(), p = a[1].StringValue();
  return Value::Bool(s.size() >= p.size() && s.substr(s.size() - p.size()) == p);
}

Value Matches(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString(), "matches");
  Value err;
  auto re = RegexForEval(a[1].StringValue(), ctx, &err);
  if (!re) return err;
  if (!ScanCost(ctx, a[0].StringValue().size())) return ctx.budget_error;
  std::string_view s = a[0].StringValue();
  return Value::Bool(re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, nullptr, 0));
}

Value LowerAscii(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "lowerAscii");
  std::string_view in = a[0].StringValue();
  const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (std::none_of(in.begin(), in.end(), upper)) return a[0];  // already lower case: no copy
  std::string s(in);
  for (char& c : s) {
    if (upper(c)) c = static_cast<char>(c - 'A' + 'a');
  }
  return Value::String(std::move(s));
}

Value UpperAscii(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "upperAscii");
  std::string_view in = a[0].StringValue();
  const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (std::none_of(in.begin(), in.end(), lower)) return a[0];  // already upper case: no copy
  std::string s(in);
  for (char& c : s) {
    if (lower(c)) c = static_cast<char>(c - 'a' + 'A');
  }
  return Value::String(std::move(s));
}

Value Split(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString() && (n == 2 || a[2].IsInt()), "split");
  std::string_view s = a[0].StringValue(), sep = a[1].StringValue();
  int64_t limit = n == 3 ? a[2].IntValue() : -1;
  if (!ScanCost(ctx, s.size())) return ctx.budget_error;
  std::vector<Value> out;
  if (limit == 0) return Value::List({});
  if (limit == 1) return Value::List({a[0]});
  if (sep.empty()) {
    auto cps = Utf8Decode(s);
    size_t pos = 0;
    for (size_t i = 0; i < cps.size(); ++i) {
      if (limit > 0 && static_cast<int64_t>(out.size()) == limit - 1) {
        out.push_back(a[0].Substring(s.substr(pos)));
        pos = s.size();
        break;
      }
      std::string one;
      Utf8Append(cps[i], &one);
      pos += one.size();
      out.push_back(Value::String(std::move(one)));
    }
    return Value::List(std::move(out));
  }
  size_t pieces = 1;  // sized once: the pieces cost no copy, only their list
  for (size_t f = s.find(sep); f != std::string_view::npos && (limit < 0 || static_cast<int64_t>(pieces) < limit);
       f = s.find(sep, f + sep.size())) {
    ++pieces;
  }
  if (static_cast<int64_t>(pieces) > ctx.limits->max_list_size) {  // over before building any of it
    return ctx.Exhaust("list size limit exceeded in split");
  }
  out.reserve(pieces);
  size_t pos = 0;
  while (true) {
    if (limit > 0 && static_cast<int64_t>(out.size()) == limit - 1) {
      out.push_back(a[0].Substring(s.substr(pos)));
      break;
    }
    size_t f = s.find(sep, pos);
    if (f == std::string_view::npos) {
      out.push_back(a[0].Substring(s.substr(pos)));
      break;
    }
    out.push_back(a[0].Substring(s.substr(pos, f - pos)));
    pos = f + sep.size();
  }
  return Value::List(std::move(out));
}

Value Join(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsList() && (n == 1 || a[1].IsString()), "join");
  std::string_view sep = n == 2 ? a[1].StringValue() : std::string_view();
  const size_t count = a[0].ListSize();
  if (count <= 1) {  // nothing to join: the element itself (or ''), without a copy
    if (count == 0) return Value::StringView("");
    Value e = a[0].ListAt(0);
    if (!e.IsString()) return Value::Error("join: list element is " + std::string(e.TypeNameOf()) + ", not string");
    if (static_cast<int64_t>(e.StringValue().size()) > ctx.limits->max_string_bytes) {
      return ctx.Exhaust("string size limit exceeded in join");
    }
    if (!ScanCost(ctx, e.StringValue().size())) return ctx.budget_error;
    return e;
  }
  std::string out;
  for (size_t i = 0; i < a[0].ListSize(); ++i) {
    Value e = a[0].ListAt(i);
    if (!e.IsString()) return Value::Error("join: list element is " + std::string(e.TypeNameOf()) + ", not string");
    if (i) out.append(sep);
    out.append(e.StringValue());
    if (static_cast<int64_t>(out.size()) > ctx.limits->max_string_bytes) {
      return ctx.Exhaust("string size limit exceeded in join");
    }
  }
  if (!ScanCost(ctx, out.size())) return ctx.budget_error;
  return Value::String(std::move(out));
}

Value Replace(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsString() && a[2].IsString() && (n == 3 || a[3].IsInt()), "replace");
  std::string_view s = a[0].StringValue(), from = a[1].StringValue(), to = a[2].StringValue();
  int64_t limit = n == 4 ? a[3].IntValue() : -1;
  if (!ScanCost(ctx, s.size())) return ctx.budget_error;
  std::string out;
  size_t pos = 0;
  int64_t count = 0;
  if (from.empty()) {
    // Go semantics: insert `to` before every code point and at the end.
    auto cps = Utf8Decode(s);
    for (char32_t cp : cps) {
      if (limit < 0 || count < limit) {
        out.append(to);
        ++count;
      }
      Utf8Append(cp, &out);
      if (static_cast<int64_t>(out.size()) > ctx.limits->max_string_bytes) break;
    }
    if (limit < 0 || count < limit) out.append(to);
    return CheckSize(std::move(out), ctx);
  }
  while (limit < 0 || count < limit) {
    size_t f = s.find(from, pos);
    if (f == std::string_view::npos) break;
    out.append(s.substr(pos, f - pos)).append(to);
    pos = f + from.size();
    ++count;
    if (static_cast<int64_t>(out.size()) > ctx.limits->max_string_bytes) break;
  }
  out.append(s.substr(pos));
  return CheckSize(std::move(out), ctx);
}

bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

Value Trim(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "trim");
  // Fast path (strAt in the ISO pack trims every annotation it reads): an
  // ASCII, non-space first and last byte means nothing to trim.
  const std::string_view sv = a[0].StringValue();
  if (NothingToTrim(sv)) return a[0];
  auto cps = Utf8Decode(sv);
  size_t b = 0, e = cps.size();
  while (b < e && IsUnicodeSpace(cps[b])) ++b;
  while (e > b && IsUnicodeSpace(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) Utf8Append(cps[i], &out);
  return Value::String(std::move(out));
}

// Code-point based search used by indexOf / lastIndexOf.
Value IndexOf(const Value* a, size_t n, EvalContext& ctx) {
  if (a[0].IsList()) return ListIndexOf(a, n, ctx, false);
  REQUIRE(a[0].IsString() && a[1].IsString() && (n == 2 || a[2].IsInt()), "indexOf");
  auto s = Utf8Decode(a[0].StringValue());
  auto sub = Utf8Decode(a[1].StringValue());
  if (!ScanCost(ctx, s.size())) return ctx.budget_error;
  int64_t start = n == 3 ? a[2].IntValue() : 0;
  if (start < 0 || start > static_cast<int64_t>(s.size())) return Value::Error("indexOf: index out of range");
  if (sub.empty()) return Value::Int(start);
  for (size_t i = static_cast<size_t>(start); i + sub.size() <= s.size(); ++i) {
    if (std::equal(sub.begin(), sub.end(), s.begin() + static_cast<std::ptrdiff_t>(i))) {
      return Value::Int(static_cast<int64_t>(i));
    }
  }
  return Value::Int(-1);
}

Value LastIndexOf(const Value* a, size_t n, EvalContext& ctx) {
  if (a[0].IsList()) return ListIndexOf(a, n, ctx, true);
  REQUIRE(a[0].IsString() && a[1].IsString() && (n == 2 || a[2].IsInt()), "lastIndexOf");
  auto s = Utf8Decode(a[0].StringValue());
  auto sub = Utf8Decode(a[1].StringValue());
  if (!ScanCost(ctx, s.size())) return ctx.budget_error;
  int64_t start = n == 3 ? a[2].IntValue() : static_cast<int64_t>(s.size());
  if (start < 0 || start > static_cast<int64_t>(s.size())) return Value::Error("lastIndexOf: index out of range");
  if (sub.empty()) return Value::Int(start);
  if (sub.size() > s.size()) return Value::Int(-1);
  int64_t i = std::min<int64_t>(start, static_cast<int64_t>(s.size() - sub.size()));
  for (; i >= 0; --i) {
    if (std::equal(sub.begin(), sub.end(), s.begin() + i)) return Value::Int(i);
  }
  return Value::Int(-1);
}

Value Substring(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString() && a[1].IsInt() && (n == 2 || a[2].IsInt()), "substring");
  auto s = Utf8Decode(a[0].StringValue());
  int64_t b = a[1].IntValue();
  int64_t e = n == 3 ? a[2].IntValue() : static_cast<int64_t>(s.size());
  if (b < 0 || b > static_cast<int64_t>(s.size()) || e < b || e > static_cast<int64_t>(s.size())) {
    return Value::Error("substring: index out of range [" + std::to_string(b) + ", " + std::to_string(e) + ")");
  }
  std::string out;
  for (int64_t i = b; i < e; ++i) Utf8Append(s[static_cast<size_t>(i)], &out);
  return Value::String(std::move(out));
}

Value CharAt(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString() && a[1].IsInt(), "charAt");
  auto s = Utf8Decode(a[0].StringValue());
  int64_t i = a[1].IntValue();
  if (i < 0 || i > static_cast<int64_t>(s.size())) return Value::Error("charAt: index out of range");
  if (i == static_cast<int64_t>(s.size())) return Value::String("");
  std::string out;
  Utf8Append(s[static_cast<size_t>(i)], &out);
  return Value::String(std::move(out));
}

Value Reverse(const Value* a, size_t n, EvalContext&) {
  if (a[0].IsList()) {
    std::vector<Value> items;
    for (size_t i = a[0].ListSize(); i > 0; --i) items.push_back(a[0].ListAt(i - 1));
    return Value::List(std::move(items));
  }
  REQUIRE(a[0].IsString(), "reverse");
  auto s = Utf8Decode(a[0].StringValue());
  std::string out;
  for (size_t i = s.size(); i > 0; --i) Utf8Append(s[i - 1], &out);
  return Value::String(std::move(out));
}

Value Quote(const Value* a, size_t n, EvalContext&) {
  REQUIRE(a[0].IsString(), "strings.quote");
  std::string out = "\"";
  for (char32_t c : Utf8Decode(a[0].StringValue())) {
    switch (c) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: Utf8Append(c, &out);
    }
  }
  out += "\"";
  return Value::String(std::move(out));
}

// ---- format ----

std::string FormatFloatSpecial(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

bool FormatAsString(const Value& v, std::string* out, int depth) {
  if (depth > 32) return false;
  switch (v.kind()) {
    case K::kDouble:
      if (!std::isfinite(v.DoubleValue())) {
        *out += FormatFloatSpecial(v.DoubleValue());
      } else {
        *out += FormatDouble(v.DoubleValue());
      }
      return true;
    case K::kNull: *out += "null"; return true;
    case K::kBool: *out += v.BoolValue() ? "true" : "false"; return true;
    case K::kType: *out += v.TypeName(); return true;
    case K::kList:
      *out += "[";
      for (size_t i = 0; i < v.ListSize(); ++i) {
        if (i) *out += ", ";
        if (!FormatAsString(v.ListAt(i), out, depth + 1)) return false;
      }
      *out += "]";
      return true;
    case K::kMap: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (size_t i = 0; i < v.MapSize(); ++i) {
        Value k, val;
        v.MapEntryAt(i, &k, &val);
        std::string ks, vs;
        if (!FormatAsString(k, &ks, depth + 1) || !FormatAsString(val, &vs, depth + 1)) return false;
        entries.emplace_back(std::move(ks), std::move(vs));
      }
      std::sort(entries.begin(), entries.end());
      *out += "{";
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i) *out += ", ";
        *out += entries[i].first + ": " + entries[i].second;
      }
      *out += "}";
      return true;
    }
    case K::kError:
    case K::kOptional: return false;
    default: *out += v.ToDisplayString(); return true;
  }
}

std::string ToBase(uint64_t v, int base, bool upper) {
  if (v == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  while (v) {
    s.push_back(digits[v % static_cast<uint64_t>(base)]);
    v /= static_cast<uint64_t>(base);
  }
  std::reverse(s.begin(), s.end());
  return s;
}

Value FormatError(const std::string& m) { return Value::Error("format: " + m); }

Value Format(const Value* a, size_t n, EvalContext& ctx) {
  REQUIRE(a[0].IsString() && a[1].IsList(), "format");
  std::string_view f = a[0].StringValue();
  const Value& args = a[1];
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out.push_back(f[i]);
      continue;
    }
    if (++i >= f.size()) return FormatError("trailing '%'");
    if (f[i] == '%') {
      out.push_back('%');
      continue;
    }
    int precision = -1;
    if (f[i] == '.') {
      precision = 0;
      ++i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        precision = precision * 10 + (f[i] - '0');
        if (precision > 100) return FormatError("precision too large");
        ++i;
      }
      if (i >= f.size()) return FormatError("missing verb");
    }
    char verb = f[i];
    if (next >= args.ListSize()) return FormatError("not enough arguments for the format string");
    Value v = args.ListAt(next++);
    char buf[512];
    switch (verb) {
      case 's':
        if (!FormatAsString(v, &out, 0)) return FormatError("cannot format " + std::string(v.TypeNameOf()));
        break;
      case 'd':
        if (v.IsInt()) {
          out += std::to_string(v.IntValue());
        } else if (v.IsUint()) {
          out += std::to_string(v.UintValue());
        } else if (v.IsDouble() && !std::isfinite(v.DoubleValue())) {
          out += FormatFloatSpecial(v.DoubleValue());
        } else {
          return FormatError("%d needs an integer, got " + std::string(v.TypeNameOf()));
        }
        break;
      case 'f':
      case 'e': {
        double d;
        if (v.IsDouble()) {
          d = v.DoubleValue();
        } else if (v.IsInt()) {
          d = static_cast<double>(v.IntValue());
        } else if (v.IsUint()) {
          d = static_cast<double>(v.UintValue());
        } else {
          return FormatError(std::string("%") + verb + " needs a number, got " + std::string(v.TypeNameOf()));
        }
        if (!std::isfinite(d)) {
          out += FormatFloatSpecial(d);
          break;
        }
        std::snprintf(buf, sizeof(buf), verb == 'f' ? "%.*f" : "%.*e", precision < 0 ? 6 : precision, d);
        out += buf;
        break;
      }
      case 'b':
      case 'o':
      case 'x':
      case 'X': {
        int base = verb == 'b' ? 2 : (verb == 'o' ? 8 : 16);
        bool upper = verb == 'X';
        if (v.IsInt()) {
          int64_t i64 = v.IntValue();
          if (i64 < 0) out.push_back('-');
          out += ToBase(i64 < 0 ? 0 - static_cast<uint64_t>(i64) : static_cast<uint64_t>(i64), base, upper);
        } else if (v.IsUint()) {
          out += ToBase(v.UintValue(), base, upper);
        } else if (v.IsBool() && base == 2) {
          out += v.BoolValue() ? "1" : "0";
        } else if ((v.IsString() || v.IsBytes()) && base == 16) {
          for (unsigned char c : v.StringValue()) {
            std::snprintf(buf, sizeof(buf), upper ? "%02X" : "%02x", c);
            out += buf;
          }
        } else {
          return FormatError(std::string("%") + verb + " cannot format " + std::string(v.TypeNameOf()));
        }
        break;
      }
      default: return FormatError(std::string("unsupported verb %") + verb);
    }
    if (static_cast<int64_t>(out.size()) > ctx.limits->max_string_bytes) {
      return ctx.Exhaust("string size limit exceeded in format");
    }
  }
  if (next < args.ListSize()) return FormatError("too many arguments for the format string");
  return Value::String(std::move(out));
}

}  // namespace

void RegisterString(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k0 = 1u << 0, k1 = 1u << 1, k2 = 1u << 2, k3 = 1u << 3;
  out->insert(out->end(), {
      {"contains", 0, k1, Contains},
      {"startsWith", 0, k1, StartsWith},
      {"endsWith", 0, k1, EndsWith},
      {"matches", k2, k1, Matches},
      {"lowerAscii", 0, k0, LowerAscii},
      {"upperAscii", 0, k0, UpperAscii},
      {"split", 0, k1 | k2, Split},
      {"join", 0, k0 | k1, Join},
      {"replace", 0, k2 | k3, Replace},
      {"trim", 0, k0, Trim},
      {"indexOf", 0, k1 | k2, IndexOf},
      {"lastIndexOf", 0, k1 | k2, LastIndexOf},
      {"substring", 0, k1 | k2, Substring},
      {"charAt", 0, k1, CharAt},
      {"reverse", 0, k0, Reverse},
      {"format", 0, k1, Format},
      {"strings.quote", k1, 0, Quote},
  });
}

}  // namespace aimsgate::cel::internal
