#include "evaluator/evidence/log/entry.h"

#include <algorithm>
#include <vector>

#include "evaluator/evidence/log/crypto.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::evidence {
namespace {

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string GetString(const aimsgate::JsonValue& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string CanonicalWithout(const aimsgate::JsonValue& object, std::string_view skip1,
                             std::string_view skip2) {
  std::vector<aimsgate::JsonValue::ConstMemberIterator> members;
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    std::string_view k(it->name.GetString(), it->name.GetStringLength());
    if (k == skip1 || (!skip2.empty() && k == skip2)) continue;
    members.push_back(it);
  }
  std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
    return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
           std::string_view(b->name.GetString(), b->name.GetStringLength());
  });
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out.push_back(',');
    kernel::AppendCanonicalString(
        std::string_view(members[i]->name.GetString(), members[i]->name.GetStringLength()), &out);
    out.push_back(':');
    kernel::AppendCanonicalJson(members[i]->value, &out);
  }
  out.push_back('}');
  return out;
}

bool ParseEntry(std::string_view line, Entry* e) {
  e->type.clear();
  e->prev.clear();
  e->hash.clear();
  e->error.clear();
  e->seq = 0;
  e->doc.SetNull();
  e->doc.GetAllocator().Clear();
  e->doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag>(
      line.data(), line.size());
  if (e->doc.HasParseError()) {
    e->error = "not valid JSON (offset " + std::to_string(e->doc.GetErrorOffset()) + ")";
    return false;
  }
  if (!e->doc.IsObject()) {
    e->error = "not a JSON object";
    return false;
  }
  if (kernel::HasDuplicateKeys(e->doc)) {
    e->error = "duplicate key";
    return false;
  }
  std::string canonical = kernel::CanonicalJson(e->doc);
  if (canonical != line) {
    e->error = "not in canonical form (the line was edited)";
    return false;
  }
  auto seq = e->doc.FindMember("seq");
  if (seq == e->doc.MemberEnd() || !seq->value.IsUint64() || seq->value.GetUint64() == 0) {
    e->error = "missing or invalid 'seq'";
    return false;
  }
  e->seq = seq->value.GetUint64();
  e->type = GetString(e->doc, "type");
  if (e->type != "decision" && e->type != "checkpoint" && e->type != "start") {
    e->error = "missing or unknown 'type'";
    return false;
  }
  e->prev = GetString(e->doc, "prev");
  e->hash = GetString(e->doc, "hash");
  if (!IsHex64(e->prev)) {
    e->error = "missing or invalid 'prev'";
    return false;
  }
  if (!IsHex64(e->hash)) {
    e->error = "missing or invalid 'hash'";
    return false;
  }
  if (kernel::Sha256Hex(CanonicalWithout(e->doc, "hash")) != e->hash) {
    e->error = "hash mismatch: the record was edited";
    return false;
  }
  return true;
}

}  // namespace aimsgate::evidence
