// CEL conformance runner: evaluates the cases of the CEL specification's
// conformance suite (tests/conformance/cel/*.json, format in its README.md)
// and reports passed/total per section (= file stem).
//
//   cel_conformance [--json] [--verbose] [--min-pass-rate R --sections a,b,c] FILE...
//
// With --json the last line is
//   {"sections": {"<name>": {"passed": n, "total": m}}, "passed": N, "total": M}
// With --min-pass-rate the exit code is 1 when a listed section (all sections
// if --sections is absent) passes fewer than R of its cases.
#include <rapidjson/document.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/kernel/json.h"

namespace cel = aimsgate::cel;

namespace {

std::string Base64Decode(const std::string& in) {
  static const std::string kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t val = 0;
  int bits = -8;
  for (char c : in) {
    size_t p = kChars.find(c);
    if (p == std::string::npos) continue;
    val = ((val << 6) + static_cast<uint32_t>(p)) & 0xFFFFFFu;
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string_view StaticTypeName(const std::string& name) {
  static const std::set<std::string> kNames = {"int",       "uint", "double", "bool", "string", "bytes",
                                               "list",      "map",  "null_type", "type",
                                               "google.protobuf.Timestamp", "google.protobuf.Duration"};
  auto it = kNames.find(name);
  return it == kNames.end() ? std::string_view("unknown") : std::string_view(*it);
}

// Converts a cel.expr.Value in protobuf JSON form.
bool ToValue(const aimsgate::JsonValue& j, cel::Value* out) {
  if (!j.IsObject() || j.MemberCount() == 0) return false;
  const auto& m = *j.MemberBegin();
  std::string kind = m.name.GetString();
  const aimsgate::JsonValue& v = m.value;
  if (kind == "nullValue") {
    *out = cel::Value::Null();
  } else if (kind == "boolValue") {
    *out = cel::Value::Bool(v.GetBool());
  } else if (kind == "int64Value") {
    *out = cel::Value::Int(v.IsString() ? std::stoll(v.GetString()) : v.GetInt64());
  } else if (kind == "uint64Value") {
    *out = cel::Value::Uint(v.IsString() ? std::stoull(v.GetString()) : v.GetUint64());
  } else if (kind == "doubleValue") {
    if (v.IsString()) {
      std::string s = v.GetString();
      *out = cel::Value::Double(s == "NaN" ? NAN : (s == "-Infinity" ? -INFINITY : INFINITY));
    } else {
      *out = cel::Value::Double(v.GetDouble());
    }
  } else if (kind == "stringValue") {
    *out = cel::Value::String(std::string(v.GetString(), v.GetStringLength()));
  } else if (kind == "bytesValue") {
    *out = cel::Value::Bytes(Base64Decode(v.GetString()));
  } else if (kind == "typeValue") {
    *out = cel::Value::Type(StaticTypeName(v.GetString()));
  } else if (kind == "listValue") {
    std::vector<cel::Value> items;
    if (v.HasMember("values")) {
      for (const auto& e : v["values"].GetArray()) {
        cel::Value x;
        if (!ToValue(e, &x)) return false;
        items.push_back(x);
      }
    }
    *out = cel::Value::List(std::move(items));
  } else if (kind == "mapValue") {
    std::vector<std::pair<cel::Value, cel::Value>> entries;
    if (v.HasMember("entries")) {
      for (const auto& e : v["entries"].GetArray()) {
        cel::Value k, x;
        if (!ToValue(e["key"], &k) || !ToValue(e["value"], &x)) return false;
        entries.emplace_back(k, x);
      }
    }
    *out = cel::Value::Map(std::move(entries));
  } else {
    return false;
  }
  return true;
}

struct Counts {
  int passed = 0;
  int total = 0;
};

// Runs one case; returns true when it passes and sets *why otherwise.
bool RunCase(const aimsgate::JsonValue& c, std::string* why) {
  std::string expr(c["expr"].GetString(), c["expr"].GetStringLength());
  bool disable_check = c.HasMember("disableCheck") && c["disableCheck"].GetBool();
  bool expect_error = c.HasMember("evalError");
  cel::Env env;
  std::vector<std::pair<int, cel::Value>> bindings;
  if (c.HasMember("bindings")) {
    for (const auto& b : c["bindings"].GetObject()) {
      int slot = env.DeclareVariable(b.name.GetString());
      cel::Value v;
      if (!b.value.HasMember("value") || !ToValue(b.value["value"], &v)) {
        *why = "unsupported binding";
        return false;
      }
      bindings.emplace_back(slot, v);
    }
  }
  cel::CompileOptions options;
  options.check = !disable_check;
  cel::CompileResult r = env.Compile(expr, options);
  if (!r.ok()) {
    if (expect_error) return true;
    *why = "compile error: " + (r.diagnostics.empty() ? std::string("?") : r.diagnostics[0].message);
    return false;
  }
  cel::Activation act(env);
  for (auto& b : bindings) act.Set(b.first, b.second);
  cel::EvalState state;
  cel::Value got = r.program->Evaluate(act, &state);
  if (expect_error) {
    if (got.IsError()) return true;
    *why = "expected an error, got " + got.DebugString();
    return false;
  }
  cel::Value want = cel::Value::Bool(true);
  if (c.HasMember("value") && !ToValue(c["value"], &want)) {
    *why = "unsupported expected value";
    return false;
  }
  if (cel::StrictEqual(got, want) && !got.IsError()) return true;
  *why = "got " + got.DebugString() + ", want " + want.DebugString();
  return false;
}

std::string Stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false, verbose = false;
  double min_rate = -1;
  std::set<std::string> gated;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a == "--min-pass-rate" && i + 1 < argc) {
      min_rate = std::atof(argv[++i]);
    } else if (a == "--sections" && i + 1 < argc) {
      std::stringstream ss(argv[++i]);
      std::string s;
      while (std::getline(ss, s, ',')) {
        if (!s.empty()) gated.insert(s);
      }
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: cel_conformance [--json] [--verbose] [--min-pass-rate R [--sections a,b]] FILE...\n");
      return 0;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "cel_conformance: no input files\n");
    return 2;
  }
  std::map<std::string, Counts> sections;
  for (const auto& f : files) {
    std::ifstream in(f);
    if (!in) {
      std::fprintf(stderr, "cel_conformance: cannot read %s\n", f.c_str());
      return 2;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    aimsgate::JsonDocument doc;
    doc.Parse(buf.str().c_str());
    if (doc.HasParseError() || !doc.IsArray()) {
      std::fprintf(stderr, "cel_conformance: %s is not a JSON array of cases\n", f.c_str());
      return 2;
    }
    Counts& counts = sections[Stem(f)];
    for (const auto& c : doc.GetArray()) {
      ++counts.total;
      std::string why;
      if (RunCase(c, &why)) {
        ++counts.passed;
      } else if (verbose) {
        std::printf("FAIL %s/%s/%s: %s\n    %s\n", Stem(f).c_str(), c["suite"].GetString(), c["name"].GetString(),
                    c["expr"].GetString(), why.c_str());
      }
    }
  }
  int passed = 0, total = 0;
  bool below = false;
  for (const auto& [name, c] : sections) {
    passed += c.passed;
    total += c.total;
    double rate = c.total ? static_cast<double>(c.passed) / c.total : 1.0;
    bool is_gated = min_rate >= 0 && (gated.empty() || gated.count(name));
    if (is_gated && rate < min_rate) below = true;
    std::printf("%-14s %4d/%-4d %6.1f%%%s\n", name.c_str(), c.passed, c.total, 100 * rate,
                is_gated ? (rate < min_rate ? "  BELOW THRESHOLD" : "  (gated)") : "");
  }
  std::printf("%-14s %4d/%-4d\n", "total", passed, total);
  if (json) {
    std::string out = "{\"sections\": {";
    bool first = true;
    for (const auto& [name, c] : sections) {
      if (!first) out += ", ";
      first = false;
      out += "\"" + name + "\": {\"passed\": " + std::to_string(c.passed) + ", \"total\": " + std::to_string(c.total) +
             "}";
    }
    out += "}, \"passed\": " + std::to_string(passed) + ", \"total\": " + std::to_string(total) + "}";
    std::printf("%s\n", out.c_str());
  }
  return below ? 1 : 0;
}
