#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace aimsgate::kernel {
namespace {

std::string_view KeyOf(const aimsgate::JsonValue::ConstMemberIterator& it) {
  return std::string_view(it->name.GetString(), it->name.GetStringLength());
}

}  // namespace

void AppendCanonicalString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // A run of bytes copied as they are, appended at once (a pack's digest
    // canonicalises every expression of the pack at start-up).
    size_t end = i;
    while (end < s.size()) {
      const unsigned char c = static_cast<unsigned char>(s[end]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
      ++end;
    }
    out->append(s.data() + i, end - i);
    if (end == s.size()) break;
    i = end;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Only well-formed UTF-8 reaches a line: the verifier rejects anything else.
      size_t n = ValidUtf8Length(s, i);
      if (n == 0) {
        out->append("\xEF\xBF\xBD");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\f': out->append("\\f"); break;
      case '\r': out->append("\\r"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf);
      }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendCanonicalJson(const aimsgate::JsonValue& value, std::string* out) {
  switch (value.GetType()) {
    case rapidjson::kNullType: out->append("null"); return;
    case rapidjson::kFalseType: out->append("false"); return;
    case rapidjson::kTrueType: out->append("true"); return;
    case rapidjson::kStringType:
      AppendCanonicalString(std::string_view(value.GetString(), value.GetStringLength()), out);
      return;
    case rapidjson::kNumberType:
      if (value.IsUint64()) {
        out->append(std::to_string(value.GetUint64()));
      } else if (value.IsInt64()) {
        out->append(std::to_string(value.GetInt64()));
      } else if (std::isnan(value.GetDouble())) {
        out->append("NaN");
      } else if (std::isinf(value.GetDouble())) {
        out->append(value.GetDouble() > 0 ? "Infinity" : "-Infinity");
      } else {
        aimsgate::JsonStringBuffer sb;
        aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
        w.Double(value.GetDouble());
        out->append(sb.GetString(), sb.GetSize());
      }
      return;
    case rapidjson::kArrayType: {
      out->push_back('[');
      bool first = true;
      for (const auto& v : value.GetArray()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalJson(v, out);
      }
      out->push_back(']');
      return;
    }
    case rapidjson::kObjectType: {
      std::vector<aimsgate::JsonValue::ConstMemberIterator> members;
      members.reserve(value.MemberCount());
      for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) members.push_back(it);
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return KeyOf(a) < KeyOf(b); });
      out->push_back('{');
      bool first = true;
      for (const auto& it : members) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalString(KeyOf(it), out);
        out->push_back(':');
        AppendCanonicalJson(it->value, out);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string CanonicalJson(const aimsgate::JsonValue& value) {
  std::string out;
  AppendCanonicalJson(value, &out);
  return out;
}

bool HasDuplicateKeys(const aimsgate::JsonValue& value) {
  if (value.IsArray()) {
    for (const auto& v : value.GetArray()) {
      if (HasDuplicateKeys(v)) return true;
    }
    return false;
  }
  if (!value.IsObject()) return false;
  std::vector<std::string_view> keys;
  keys.reserve(value.MemberCount());
  for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
    keys.push_back(KeyOf(it));
    if (HasDuplicateKeys(it->value)) return true;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

}  // namespace aimsgate::kernel
