#include "bench/corpus/corpus.h"
#include "evaluator/kernel/json.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <random>
#include <string_view>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace aimsgate::bench {
namespace {

using Value = aimsgate::JsonValue;
using Alloc = aimsgate::JsonPool;

constexpr const char* kDigest = "@sha256:4f7c2d8a9b1e3f5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b";

Value Str(const std::string& s, Alloc& a) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); }

void Set(Value* obj, const char* key, Value v, Alloc& a) { obj->AddMember(Str(key, a), v, a); }
void SetStr(Value* obj, const std::string& key, const std::string& v, Alloc& a) {
  obj->AddMember(Str(key, a), Str(v, a), a);
}

// What a manifest gets wrong; at most three per violating manifest.
enum Violation {
  kNoOwner, kNoRiskTier, kUnpinnedImage, kPrivileged, kNoLimits, kTooManyReplicas,
  kSystemNamespace, kNoTeamLabel, kBadEnv, kNoModelCard, kBadOwner, kNoProbe, kRunsAsRoot, kViolationCount
};

struct Shape {
  std::string kind;
  std::string name;
  std::string ns;
  bool violates[kViolationCount] = {};
  int containers = 1;
  int env_vars = 0;
  int replicas = 2;
};

Value Container(const Shape& s, int i, std::mt19937_64& rng, Alloc& a) {
  static const char* kImages[] = {"vllm/vllm-openai:v0.6.3", "ghcr.io/huggingface/text-generation-inference:2.4.0",
                                  "nvcr.io/nvidia/tritonserver:24.08-py3", "registry.example.com/ml/scorer:1.8.2",
                                  "registry.example.com/ml/feature-proxy:3.1.0"};
  Value c(rapidjson::kObjectType);
  SetStr(&c, "name", i == 0 ? "server" : "sidecar-" + std::to_string(i), a);
  std::string image = kImages[(rng() % 5)];
  if (!s.violates[kUnpinnedImage]) image += kDigest;
  SetStr(&c, "image", image, a);
  Value args(rapidjson::kArrayType);
  args.PushBack(Str("--port=8080", a), a).PushBack(Str("--max-batch-size=" + std::to_string(8 << (rng() % 4)), a), a);
  Set(&c, "args", std::move(args), a);
  Value ports(rapidjson::kArrayType);
  Value port(rapidjson::kObjectType);
  SetStr(&port, "name", "http", a);
  Set(&port, "containerPort", Value(8080 + i), a);
  SetStr(&port, "protocol", "TCP", a);
  ports.PushBack(port, a);
  Set(&c, "ports", std::move(ports), a);
  Value env(rapidjson::kArrayType);
  for (int e = 0; e < s.env_vars; ++e) {
    Value var(rapidjson::kObjectType);
    SetStr(&var, "name", "MODEL_SETTING_" + std::to_string(e), a);
    SetStr(&var, "value", "value-" + std::to_string(rng() % 100000) + "-for-setting-" + std::to_string(e), a);
    env.PushBack(var, a);
  }
  Set(&c, "env", std::move(env), a);
  Value res(rapidjson::kObjectType);
  Value req(rapidjson::kObjectType);
  SetStr(&req, "cpu", std::to_string(1 + rng() % 4), a);
  SetStr(&req, "memory", std::to_string(4 << (rng() % 3)) + "Gi", a);
  Set(&res, "requests", std::move(req), a);
  if (!s.violates[kNoLimits]) {
    Value lim(rapidjson::kObjectType);
    SetStr(&lim, "cpu", std::to_string(2 + rng() % 4), a);
    SetStr(&lim, "memory", std::to_string(8 << (rng() % 3)) + "Gi", a);
    if (i == 0) Set(&lim, "nvidia.com/gpu", Value(1 + static_cast<int>(rng() % 2)), a);
    Set(&res, "limits", std::move(lim), a);
  }
  Set(&c, "resources", std::move(res), a);
  Value sc(rapidjson::kObjectType);
  Set(&sc, "privileged", Value(s.violates[kPrivileged] && i == 0), a);
  Set(&sc, "allowPrivilegeEscalation", Value(false), a);
  Set(&sc, "runAsNonRoot", Value(!(s.violates[kRunsAsRoot] && i == 0)), a);
  Set(&c, "securityContext", std::move(sc), a);
  Value probe(rapidjson::kObjectType);
  Value get(rapidjson::kObjectType);
  SetStr(&get, "path", "/health", a);
  Set(&get, "port", Value(8080 + i), a);
  Set(&probe, "httpGet", std::move(get), a);
  Set(&probe, "periodSeconds", Value(10), a);
  if (!s.violates[kNoProbe]) Set(&c, "readinessProbe", std::move(probe), a);
  return c;
}

Value PodSpec(const Shape& s, std::mt19937_64& rng, Alloc& a) {
  Value spec(rapidjson::kObjectType);
  SetStr(&spec, "serviceAccountName", s.name, a);
  Value containers(rapidjson::kArrayType);
  for (int i = 0; i < s.containers; ++i) containers.PushBack(Container(s, i, rng, a), a);
  Set(&spec, "containers", std::move(containers), a);
  Value vols(rapidjson::kArrayType);
  Value v(rapidjson::kObjectType);
  SetStr(&v, "name", "model-cache", a);
  Value ed(rapidjson::kObjectType);
  SetStr(&ed, "sizeLimit", "20Gi", a);
  Set(&v, "emptyDir", std::move(ed), a);
  vols.PushBack(v, a);
  Set(&spec, "volumes", std::move(vols), a);
  Value ns(rapidjson::kObjectType);
  SetStr(&ns, "nvidia.com/gpu.product", "NVIDIA-A100-SXM4-40GB", a);
  Set(&spec, "nodeSelector", std::move(ns), a);
  return spec;
}

Value Metadata(const Shape& s, std::mt19937_64& rng, Alloc& a) {
  Value md(rapidjson::kObjectType);
  SetStr(&md, "name", s.name, a);
  SetStr(&md, "namespace", s.ns, a);
  Value labels(rapidjson::kObjectType);
  SetStr(&labels, "app.kubernetes.io/name", s.name, a);
  SetStr(&labels, "app.kubernetes.io/part-of", "ml-platform", a);
  if (!s.violates[kNoTeamLabel]) SetStr(&labels, "team", "ml-team-" + std::to_string(rng() % 20), a);
  SetStr(&labels, "env", s.violates[kBadEnv] ? "sandbox" : (rng() % 2 ? "prod" : "staging"), a);
  Set(&md, "labels", std::move(labels), a);
  Value ann(rapidjson::kObjectType);
  const std::string id = s.name;
  SetStr(&ann, "aimsgate.io/system-id", id, a);
  if (!s.violates[kNoOwner]) SetStr(&ann, "aimsgate.io/owner", "ml-team@example.com", a);
  if (!s.violates[kNoRiskTier]) SetStr(&ann, "aimsgate.io/risk-tier", rng() % 3 ? "limited" : "high", a);
  SetStr(&ann, "aimsgate.io/intended-purpose", "Score requests of " + s.name + " for the product team", a);
  if (!s.violates[kNoModelCard]) SetStr(&ann, "aimsgate.io/model-card", "https://models.example.com/" + id + "/card", a);
  SetStr(&ann, "aimsgate.io/incident-contact", "oncall-ml@example.com", a);
  SetStr(&ann, "aimsgate.io/model-source", "internal", a);
  SetStr(&ann, "aimsgate.io/impact-assessment", "IA-2026-" + std::to_string(100 + rng() % 800), a);
  SetStr(&ann, "aimsgate.io/human-oversight", "ml-review-board@example.com", a);
  SetStr(&ann, "aimsgate.io/validation-report", "https://models.example.com/" + id + "/validation", a);
  SetStr(&ann, "aimsgate.io/monitoring", "https://grafana.example.com/d/" + id, a);
  SetStr(&ann, "aimsgate.io/data-provenance", "https://data.example.com/lineage/" + id, a);
  SetStr(&ann, "aimsgate.io/event-logging", "loki://ml/" + id + " retention=1y", a);
  SetStr(&ann, "example.com/owner", s.violates[kBadOwner] ? "ML Team <ml@example.org>" : "ml-team@example.com", a);
  Set(&md, "annotations", std::move(ann), a);
  return md;
}

}  // namespace

void GenerateObject(const CorpusOptions& options, uint64_t index, aimsgate::JsonDocument* doc) {
  std::mt19937_64 rng(options.seed * 0x9E3779B97F4A7C15ull + index);
  Alloc& a = doc->GetAllocator();
  static const char* kKinds[] = {"Deployment", "Deployment", "StatefulSet", "InferenceService", "Pod"};
  Shape s;
  s.kind = kKinds[rng() % 5];
  char name[64];
  std::snprintf(name, sizeof name, "model-%06llu", static_cast<unsigned long long>(index));
  s.name = name;
  s.ns = "ml-" + std::to_string(rng() % 12);
  s.containers = 1 + static_cast<int>(rng() % 2);
  s.env_vars = 3 + static_cast<int>(rng() % 22);  // the 2-6 KB spread
  s.replicas = 1 + static_cast<int>(rng() % 8);
  if (static_cast<int>(rng() % 100) < options.violating_percent) {
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) s.violates[rng() % kViolationCount] = true;
  }
  if (s.violates[kTooManyReplicas]) s.replicas = 25;
  if (s.violates[kSystemNamespace]) s.ns = "kube-system";

  doc->SetObject();
  if (s.kind == "InferenceService") {
    SetStr(doc, "apiVersion", "serving.kserve.io/v1beta1", a);
  } else if (s.kind == "Pod") {
    SetStr(doc, "apiVersion", "v1", a);
  } else {
    SetStr(doc, "apiVersion", "apps/v1", a);
  }
  SetStr(doc, "kind", s.kind, a);
  Set(doc, "metadata", Metadata(s, rng, a), a);
  Value spec(rapidjson::kObjectType);
  if (s.kind == "Pod") {
    spec = PodSpec(s, rng, a);
  } else if (s.kind == "InferenceService") {
    Value predictor = PodSpec(s, rng, a);
    Set(&predictor, "minReplicas", Value(1), a);
    Set(&predictor, "maxReplicas", Value(s.replicas), a);
    Value model(rapidjson::kObjectType);
    Value fmt(rapidjson::kObjectType);
    SetStr(&fmt, "name", "sklearn", a);
    Set(&model, "modelFormat", std::move(fmt), a);
    SetStr(&model, "storageUri", "s3://models.example.com/" + s.name + "/v3", a);
    Set(&predictor, "model", std::move(model), a);
    Value logger(rapidjson::kObjectType);
    SetStr(&logger, "mode", "all", a);
    SetStr(&logger, "url", "http://inference-logger.ml", a);
    Set(&predictor, "logger", std::move(logger), a);
    Set(&spec, "predictor", std::move(predictor), a);
  } else {
    Set(&spec, "replicas", Value(s.replicas), a);
    if (s.kind == "StatefulSet") SetStr(&spec, "serviceName", s.name, a);
    Value sel(rapidjson::kObjectType);
    Value ml(rapidjson::kObjectType);
    SetStr(&ml, "app.kubernetes.io/name", s.name, a);
    Set(&sel, "matchLabels", std::move(ml), a);
    Set(&spec, "selector", std::move(sel), a);
    Value tmpl(rapidjson::kObjectType);
    Value tmd(rapidjson::kObjectType);
    Value tl(rapidjson::kObjectType);
    SetStr(&tl, "app.kubernetes.io/name", s.name, a);
    Set(&tmd, "labels", std::move(tl), a);
    Set(&tmpl, "metadata", std::move(tmd), a);
    Set(&tmpl, "spec", PodSpec(s, rng, a), a);
    Set(&spec, "template", std::move(tmpl), a);
  }
  Set(doc, "spec", std::move(spec), a);
}

namespace {

bool PlainKey(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/' || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string JsonText(const Value& v) {
  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// Strings written plain where YAML 1.1 reads them back as the same string (as
// people write manifests), double-quoted otherwise.
bool PlainString(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0])) || s.back() == ':' || s.back() == ' ') return false;
  static const char* kWords[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const char* w : kWords) {
    if (lower == w) return false;
  }
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("./_@:=+ -", c) != nullptr)) return false;
  }
  return s.find(": ") == std::string_view::npos && s.find(" #") == std::string_view::npos;
}

std::string ScalarText(const Value& v) {
  if (v.IsString()) {
    const std::string_view s(v.GetString(), v.GetStringLength());
    if (PlainString(s)) return std::string(s);
  }
  return JsonText(v);
}

bool IsScalar(const Value& v) { return !v.IsObject() && !v.IsArray(); }
bool IsEmptyCollection(const Value& v) {
  return (v.IsObject() && v.MemberCount() == 0) || (v.IsArray() && v.Empty());
}

void EmitYaml(const Value& v, int indent, std::string* out);

void EmitValueAfterKey(const Value& v, int indent, std::string* out) {
  if (IsScalar(v) || IsEmptyCollection(v)) {
    *out += ' ';
    *out += ScalarText(v);
    *out += '\n';
  } else {
    *out += '\n';
    EmitYaml(v, v.IsArray() ? indent : indent + 2, out);
  }
}

void EmitYaml(const Value& v, int indent, std::string* out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string key(m->name.GetString(), m->name.GetStringLength());
      *out += pad;
      *out += PlainKey(key) ? key : JsonText(m->name);
      *out += ':';
      EmitValueAfterKey(m->value, indent, out);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      *out += pad;
      *out += "- ";
      if (e.IsObject() && e.MemberCount() > 0) {
        // First member on the dash line, the rest aligned under it.
        std::string nested;
        EmitYaml(e, indent + 2, &nested);
        *out += nested.substr(static_cast<size_t>(indent) + 2);
      } else if (IsScalar(e) || IsEmptyCollection(e)) {
        *out += ScalarText(e);
        *out += '\n';
      } else {
        *out += '\n';
        EmitYaml(e, indent + 2, out);
      }
    }
  } else {
    *out += pad + JsonText(v) + '\n';
  }
}

}  // namespace

std::string ToYaml(const Value& value) {
  std::string out;
  EmitYaml(value, 0, &out);
  return out;
}

std::string GenerateManifest(const CorpusOptions& options, uint64_t index, Format format) {
  aimsgate::JsonDocument doc;
  GenerateObject(options, index, &doc);
  return format == Format::kJson ? JsonText(doc) + "\n" : ToYaml(doc);
}

}  // namespace aimsgate::bench
