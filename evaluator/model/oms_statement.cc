#include "evaluator/model/oms_statement.h"

#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::model {
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

std::string String(const aimsgate::JsonValue& object, const char* name) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

const aimsgate::JsonValue* Find(const aimsgate::JsonValue& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// allow_symlinks is a JSON bool in v1.0 bundles; older writers used "true"/"false".
bool Flag(const aimsgate::JsonValue* v) {
  if (v == nullptr) return false;
  if (v->IsBool()) return v->GetBool();
  return v->IsString() && std::string(v->GetString()) == "true";
}

}  // namespace

bool ParseOmsStatement(std::string_view payload, OmsManifest* out, std::string* problem, StatementProblem* kind) {
  auto fail = [&](StatementProblem k, std::string message) {
    *kind = k;
    *problem = std::move(message);
    return false;
  };
  *out = OmsManifest();
  aimsgate::JsonDocument doc;
  doc.Parse(payload.data(), payload.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return fail(StatementProblem::kMalformed,
                std::string("the DSSE payload is not a JSON object") +
                    (doc.HasParseError() ? std::string(": ") + rapidjson::GetParseError_En(doc.GetParseError()) : ""));
  }
  std::string type = String(doc, "_type");
  if (type != kInTotoStatementType) {
    return fail(StatementProblem::kWrongType,
                "the payload's _type is '" + type + "', expected '" + kInTotoStatementType + "'");
  }
  std::string predicate_type = String(doc, "predicateType");
  if (predicate_type != kOmsPredicateType) {
    return fail(StatementProblem::kWrongPredicate,
                "the predicateType is '" + predicate_type + "', expected '" + kOmsPredicateType + "'");
  }
  const aimsgate::JsonValue* subjects = Find(doc, "subject");
  if (subjects == nullptr || !subjects->IsArray() || subjects->Size() != 1) {
    return fail(StatementProblem::kMalformed, "the statement must have exactly one subject (the model)");
  }
  const aimsgate::JsonValue& subject = (*subjects)[0];
  out->model_name = String(subject, "name");
  const aimsgate::JsonValue* digest = Find(subject, "digest");
  out->root_digest = digest != nullptr ? String(*digest, "sha256") : "";
  if (!IsHex64(out->root_digest)) {
    return fail(StatementProblem::kMalformed, "the subject has no sha256 digest of 64 lower-case hex digits");
  }
  const aimsgate::JsonValue* predicate = Find(doc, "predicate");
  const aimsgate::JsonValue* serialization = predicate != nullptr ? Find(*predicate, "serialization") : nullptr;
  const aimsgate::JsonValue* resources = predicate != nullptr ? Find(*predicate, "resources") : nullptr;
  if (serialization == nullptr || !serialization->IsObject() || resources == nullptr || !resources->IsArray()) {
    return fail(StatementProblem::kMalformed, "the predicate lacks its serialization object or resources list");
  }
  out->method = String(*serialization, "method");
  if (out->method != "files" && out->method != "shards") {
    return fail(StatementProblem::kUnsupported, "serialization method '" + out->method + "' is not supported "
                                                "(files and shards are)");
  }
  std::string hash_type = String(*serialization, "hash_type");
  if (hash_type != "sha256") {
    return fail(StatementProblem::kUnsupported, "hash_type '" + hash_type + "' is not supported (sha256 is)");
  }
  out->allow_symlinks = Flag(Find(*serialization, "allow_symlinks"));
  if (out->method == "shards") {
    const aimsgate::JsonValue* size = Find(*serialization, "shard_size");
    if (size == nullptr || !size->IsUint64() || size->GetUint64() == 0) {
      return fail(StatementProblem::kMalformed, "shard serialization without a positive integer shard_size");
    }
    out->shard_size = size->GetUint64();
  }
  if (const aimsgate::JsonValue* ignore = Find(*serialization, "ignore_paths"); ignore != nullptr && ignore->IsArray()) {
    for (const auto& p : ignore->GetArray()) {
      if (p.IsString()) out->ignore_paths.emplace_back(p.GetString(), p.GetStringLength());
    }
  }

  kernel::Sha256 root;
  std::unordered_set<std::string> names;
  bool ok = true;
  std::string message;
  for (const auto& r : resources->GetArray()) {
    OmsResource res{String(r, "name"), String(r, "digest")};
    std::string algorithm = String(r, "algorithm");
    if (res.name.empty() || !IsHex64(res.digest)) {
      ok = false;
      message = "a resource lacks its name or a sha256 digest of 64 lower-case hex digits";
      break;
    }
    if (algorithm != "sha256") {
      ok = false;
      message = "resource '" + res.name + "' uses algorithm '" + algorithm + "' (sha256 is supported)";
      break;
    }
    if (!names.insert(res.name).second) {
      ok = false;
      message = "resource '" + res.name + "' is listed twice";
      break;
    }
    unsigned char raw[32];
    for (int i = 0; i < 32; ++i) raw[i] = static_cast<unsigned char>(HexValue(res.digest[2 * i]) * 16 + HexValue(res.digest[2 * i + 1]));
    root.Update(raw, sizeof raw);
    out->resources.push_back(std::move(res));
  }
  if (!ok) return fail(StatementProblem::kMalformed, message);
  const std::string computed = root.HexDigest();
  if (computed != out->root_digest) {
    return fail(StatementProblem::kRootDigest, "the subject digest " + out->root_digest +
                                                   " does not match the resources, which hash to " + computed);
  }
  return true;
}

}  // namespace aimsgate::model
