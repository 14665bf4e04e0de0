#include "evaluator/evidence/log/redact.h"

#include <algorithm>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {
namespace {

void CollectScalars(const aimsgate::JsonValue& v, std::vector<std::string>* out) {
  if (v.IsString()) {
    out->emplace_back(v.GetString(), v.GetStringLength());
  } else if (v.IsNumber() || v.IsBool()) {
    aimsgate::JsonStringBuffer sb;
    aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
    v.Accept(w);
    out->emplace_back(sb.GetString(), sb.GetSize());
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) CollectScalars(e, out);
  } else if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) CollectScalars(it->value, out);
  }
}

void Walk(const aimsgate::JsonValue& v, const std::vector<Redactor::Segment>& path, size_t i,
          std::vector<std::string>* out) {
  if (i == path.size()) {
    CollectScalars(v, out);
    return;
  }
  const Redactor::Segment& seg = path[i];
  switch (seg.kind) {
    case Redactor::Segment::kKey:
      if (v.IsObject()) {
        auto it = v.FindMember(aimsgate::JsonValue(seg.key.data(),
                                                static_cast<rapidjson::SizeType>(seg.key.size())));
        if (it != v.MemberEnd()) Walk(it->value, path, i + 1, out);
      }
      return;
    case Redactor::Segment::kIndex:
      if (v.IsArray() && seg.index < v.Size()) Walk(v[static_cast<rapidjson::SizeType>(seg.index)], path, i + 1, out);
      return;
    case Redactor::Segment::kAny:
      if (v.IsArray()) {
        for (const auto& e : v.GetArray()) Walk(e, path, i + 1, out);
      } else if (v.IsObject()) {
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) Walk(it->value, path, i + 1, out);
      }
      return;
  }
}

bool IsIdentChar(char c) {
  return c != '.' && c != '[' && c != ']' && c != '\'' && c != '"';
}

}  // namespace

bool ParseRedactPath(const std::string& path, std::vector<Redactor::Segment>* out,
                     std::string* error) {
  out->clear();
  size_t i = 0;
  const size_t n = path.size();
  if (i < n && path[i] == '$') ++i;
  bool first = true;
  while (i < n) {
    Redactor::Segment seg;
    if (path[i] == '.' || (first && path[i] != '[')) {
      if (path[i] == '.') ++i;
      size_t start = i;
      while (i < n && IsIdentChar(path[i])) ++i;
      if (i == start) {
        *error = "empty name at offset " + std::to_string(start);
        return false;
      }
      seg.key = path.substr(start, i - start);
      if (seg.key == "*") seg.kind = Redactor::Segment::kAny;
    } else if (path[i] == '[') {
      ++i;
      if (i < n && (path[i] == '\'' || path[i] == '"')) {
        char q = path[i++];
        size_t end = path.find(q, i);
        if (end == std::string::npos) {
          *error = "unterminated quoted key";
          return false;
        }
        seg.key = path.substr(i, end - i);
        i = end + 1;
      } else if (i < n && path[i] == '*') {
        seg.kind = Redactor::Segment::kAny;
        ++i;
      } else {
        size_t start = i;
        while (i < n && path[i] >= '0' && path[i] <= '9') ++i;
        if (i == start || i - start > 9) {
          *error = "expected a quoted key, an index or * after '[' at offset " + std::to_string(start);
          return false;
        }
        seg.kind = Redactor::Segment::kIndex;
        seg.index = std::stoul(path.substr(start, i - start));
      }
      if (i >= n || path[i] != ']') {
        *error = "expected ']' at offset " + std::to_string(i);
        return false;
      }
      ++i;
    } else {
      *error = "unexpected '" + std::string(1, path[i]) + "' at offset " + std::to_string(i);
      return false;
    }
    first = false;
    out->push_back(std::move(seg));
  }
  if (out->empty()) {
    *error = "empty path";
    return false;
  }
  return true;
}

Status Redactor::Create(const std::vector<std::string>& paths, Redactor* out) {
  Redactor r;
  for (const std::string& p : paths) {
    std::vector<Segment> segs;
    std::string error;
    if (!ParseRedactPath(p, &segs, &error)) {
      return Status::Error("invalid redact path '" + p + "': " + error);
    }
    r.paths_.push_back(std::move(segs));
  }
  *out = std::move(r);
  return Status::Ok();
}

std::vector<std::string> Redactor::CollectValues(const aimsgate::JsonValue& object) const {
  std::vector<std::string> values;
  if (!object.IsObject()) return values;
  for (const auto& p : paths_) Walk(object, p, 0, &values);
  auto kind = object.FindMember("kind");
  auto api = object.FindMember("apiVersion");
  if (kind != object.MemberEnd() && kind->value.IsString() &&
      std::strcmp(kind->value.GetString(), "Secret") == 0 && api != object.MemberEnd() &&
      api->value.IsString() && std::strcmp(api->value.GetString(), "v1") == 0) {
    for (const char* field : {"data", "stringData"}) {
      auto it = object.FindMember(field);
      if (it == object.MemberEnd() || !it->value.IsObject()) continue;
      for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
        if (!m->value.IsString()) continue;
        std::string v(m->value.GetString(), m->value.GetStringLength());
        std::string decoded;
        if (std::strcmp(field, "data") == 0 && Base64Decode(v, &decoded)) values.push_back(decoded);
        values.push_back(std::move(v));
      }
    }
  }
  values.erase(std::remove(values.begin(), values.end(), std::string()), values.end());
  std::sort(values.begin(), values.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

bool MaskValues(const std::vector<std::string>& values, std::string* text) {
  bool changed = false;
  for (const std::string& v : values) {
    if (v.empty()) continue;
    size_t pos = 0;
    while ((pos = text->find(v, pos)) != std::string::npos) {
      text->replace(pos, v.size(), "***");
      pos += 3;
      changed = true;
    }
  }
  return changed;
}

}  // namespace aimsgate::evidence
