#include "evaluator/pack/engine.h"

#include <algorithm>
#include <chrono>

#include <yaml-cpp/yaml.h>

#include "evaluator/manifest/canonical.h"
#include "evaluator/pack/compiled_pack.h"
#include "evaluator/pack/pack_loader.h"
#include "evaluator/pack/yaml_node.h"
#if __has_include("evaluator/model/model_metadata.h")
#include "evaluator/model/model_metadata.h"
#define AIMSGATE_HAVE_MODEL 1
#endif

namespace aimsgate {

const char* ToString(Outcome o) {
  switch (o) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
    case Outcome::kError: return "error";
    case Outcome::kWaived: return "waived";
  }
  return "?";
}

const char* ToString(Action a) {
  switch (a) {
    case Action::kDeny: return "deny";
    case Action::kWarn: return "warn";
    case Action::kAudit: return "audit";
  }
  return "?";
}

const char* ToString(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "?";
}

Engine::~Engine() = default;

std::vector<PackSpec> LoadPackPaths(const std::vector<std::string>& paths, std::vector<Diagnostic>* diagnostics) {
  std::vector<PackSpec> packs;
  auto add = [&](std::vector<PackSpec> more) {
    for (auto& p : more) packs.push_back(std::move(p));
  };
  std::vector<std::string> effective = paths;
  if (effective.empty()) effective.push_back(std::string("builtin:") + kBuiltinPackName);
  for (const auto& path : effective) {
    if (path.rfind("builtin:", 0) == 0) {
      if (path.substr(8) != kBuiltinPackName) {
        diagnostics->push_back({path, 0, 0, "unknown built-in pack (available: builtin:" + std::string(kBuiltinPackName) + ")"});
        continue;
      }
      add(LoadPackSpecs(BuiltinPackSource(), diagnostics));
      continue;
    }
    std::string error;
    std::vector<std::string> files = ListFiles(path, {".yaml", ".yml"}, &error);
    if (!error.empty()) {
      diagnostics->push_back({path, 0, 0, "cannot read rule pack: " + error});
      continue;
    }
    bool directory = files.size() != 1 || files[0] != path;
    for (const auto& f : files) {
      auto file = SourceFile::Read(f, &error);
      if (!file) {
        diagnostics->push_back({f, 0, 0, "cannot read rule pack: " + error});
        continue;
      }
      add(LoadPackSpecs(file, diagnostics, directory));
    }
    if (directory && files.empty()) diagnostics->push_back({path, 0, 0, "no rule packs (*.yaml) in directory"});
  }
  // Rule ids are <pack>/<id>: two packs of one name would make them ambiguous.
  for (size_t i = 0; i < packs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (packs[i].name == packs[j].name && !packs[i].name.empty()) {
        diagnostics->push_back({packs[i].source->path(), packs[i].pos.line, packs[i].pos.column,
                                "a pack named '" + packs[i].name + "' is already loaded from " + packs[j].source->path()});
      }
    }
  }
  return packs;
}

namespace {

bool ParseYamlValue(const std::string& text, rapidjson::Document* out, std::string* error) {
  try {
    YAML::Node node = YAML::Load(text);
    out->CopyFrom(ToJson(node, out->GetAllocator()), out->GetAllocator());
    return true;
  } catch (const YAML::Exception& e) {
    *error = e.msg;
    return false;
  }
}

bool SetParam(const std::string& key, const rapidjson::Value& value, const std::string& origin,
              std::vector<PackSpec>* packs, std::vector<Diagnostic>* diags) {
  std::string pack_name, name = key;
  size_t dot = key.find('.');
  if (dot != std::string::npos) {
    std::string prefix = key.substr(0, dot);
    if (std::any_of(packs->begin(), packs->end(), [&](const PackSpec& p) { return p.name == prefix; })) {
      pack_name = prefix;
      name = key.substr(dot + 1);
    }
  }
  bool applied = false;
  for (auto& pack : *packs) {
    if (!pack_name.empty() && pack.name != pack_name) continue;
    auto& doc = *pack.parameters;
    auto it = doc.FindMember(name.c_str());
    if (it == doc.MemberEnd()) continue;
    it->value.CopyFrom(value, doc.GetAllocator());
    applied = true;
  }
  if (!applied) diags->push_back({origin, 0, 0, "unknown parameter '" + key + "': no loaded pack declares it"});
  return applied;
}

}  // namespace

bool ApplyParamOverrides(const std::vector<std::string>& overrides, const std::vector<std::string>& files,
                         std::vector<PackSpec>* packs, std::vector<Diagnostic>* diagnostics) {
  size_t before = diagnostics->size();
  for (const auto& file : files) {
    std::string error;
    auto source = SourceFile::Read(file, &error);
    rapidjson::Document doc;
    if (!source) {
      diagnostics->push_back({file, 0, 0, "cannot read parameters: " + error});
    } else if (!ParseYamlValue(source->text(), &doc, &error)) {
      diagnostics->push_back({file, 0, 0, "YAML syntax error: " + error});
    } else if (!doc.IsObject()) {
      diagnostics->push_back({file, 1, 1, "a parameters file must be a mapping of key: value"});
    } else {
      for (const auto& m : doc.GetObject()) SetParam(m.name.GetString(), m.value, file, packs, diagnostics);
    }
  }
  for (const auto& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      diagnostics->push_back({"--param", 0, 0, "'" + o + "' is not KEY=VALUE"});
      continue;
    }
    rapidjson::Document value;
    std::string error;
    if (!ParseYamlValue(o.substr(eq + 1), &value, &error)) {
      diagnostics->push_back({"--param", 0, 0, "value of '" + o.substr(0, eq) + "' is not valid YAML: " + error});
      continue;
    }
    SetParam(o.substr(0, eq), value, "--param", packs, diagnostics);
  }
  return diagnostics->size() == before;
}

std::shared_ptr<const Engine> Engine::Load(const EngineOptions& options, std::vector<Diagnostic>* diagnostics) {
  size_t before = diagnostics->size();
  std::vector<PackSpec> specs = LoadPackPaths(options.rule_paths, diagnostics);
  if (diagnostics->size() != before) return nullptr;
  if (!ApplyParamOverrides(options.param_overrides, options.params_files, &specs, diagnostics)) return nullptr;
  std::shared_ptr<Engine> engine(new Engine());
  for (auto& spec : specs) {
    auto pack = CompilePack(std::move(spec), options.limits, diagnostics);
    if (pack) engine->packs_.push_back(std::move(pack));
  }
  if (!options.inventory_path.empty()) engine->inventory_ = LoadInventory(options.inventory_path, diagnostics);
  if (!options.waiver_paths.empty()) engine->waivers_ = LoadWaivers(options.waiver_paths, diagnostics);
  engine->model_ = std::make_shared<rapidjson::Document>();
  if (!options.model_card_path.empty() || !options.bom_path.empty()) {
#ifdef AIMSGATE_HAVE_MODEL
    std::vector<model::ModelMetadataError> errors;
    if (!model::LoadModelMetadata(options.model_card_path, options.bom_path, engine->model_.get(), &errors)) {
      for (const auto& e : errors) diagnostics->push_back({e.source, e.line, e.column, e.message});
    }
#else
    diagnostics->push_back({"--model-card", 0, 0, "model metadata is not supported by this build"});
#endif
  }
  engine->synthetic_request_ = std::make_shared<rapidjson::Document>();
  engine->synthetic_request_->Parse(
      R"({"operation":"CREATE","userInfo":{"username":"aimsgate-ci"},"namespace":"","dryRun":false})");
  engine->audit_only_ = options.audit_only;
  if (diagnostics->size() != before) return nullptr;
  return engine;
}

std::vector<PackRef> Engine::packs() const {
  std::vector<PackRef> refs;
  for (const auto& p : packs_) refs.push_back({p->spec().name, p->spec().version, p->spec().digest});
  return refs;
}

std::vector<Engine::RuleInfo> Engine::rules() const {
  std::vector<RuleInfo> out;
  for (const auto& p : packs_) {
    for (const auto& r : p->rules()) out.push_back({&p->spec(), r.spec, r.full_id});
  }
  return out;
}

namespace {

std::string_view StringField(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

const rapidjson::Value* Field(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

bool KindMatches(const std::vector<KindPattern>& kinds, std::string_view group, std::string_view version,
                 const std::string& kind) {
  if (kinds.empty()) return true;
  for (const auto& k : kinds) {
    if ((k.group == "*" || GlobMatch(k.group, std::string(group))) &&
        (k.version == "*" || GlobMatch(k.version, std::string(version))) && GlobMatch(k.kind, kind)) {
      return true;
    }
  }
  return false;
}

bool NamespaceMatches(const MatchSpec& m, const std::string& ns) {
  if (!m.namespaces_include.empty() &&
      std::none_of(m.namespaces_include.begin(), m.namespaces_include.end(),
                   [&](const std::string& g) { return GlobMatch(g, ns); })) {
    return false;
  }
  return std::none_of(m.namespaces_exclude.begin(), m.namespaces_exclude.end(),
                      [&](const std::string& g) { return GlobMatch(g, ns); });
}

bool LabelsMatch(const std::vector<LabelRequirement>& reqs, const rapidjson::Value* labels) {
  for (const auto& r : reqs) {
    const rapidjson::Value* v = labels ? Field(*labels, r.key.c_str()) : nullptr;
    bool present = v != nullptr;
    std::string value = v && v->IsString() ? v->GetString() : "";
    bool in = present && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    if (r.op == "In" && !in) return false;
    if (r.op == "NotIn" && in) return false;
    if (r.op == "Exists" && !present) return false;
    if (r.op == "DoesNotExist" && present) return false;
  }
  return true;
}

// Evaluates a Program expecting a bool; anything else is an error outcome.
bool EvalBool(const cel::Program& program, const cel::Activation& act, cel::EvalState* state, const char* what,
              bool* result, std::string* error) {
  cel::Value v = program.Evaluate(act, state);
  if (v.IsError()) {
    *error = std::string(what) + ": " + v.ErrorMessage();
    return false;
  }
  if (!v.IsBool()) {
    *error = std::string(what) + " must evaluate to a bool, got " + v.DebugString();
    return false;
  }
  *result = v.BoolValue();
  return true;
}

std::string RenderMessage(const CompiledRule& rule, const cel::Activation& act, cel::EvalState* state) {
  if (rule.message_expression) {
    cel::Value v = rule.message_expression->Evaluate(act, state);
    if (!v.IsError() && v.IsString()) return std::string(v.StringValue());
    // Kubernetes falls back to the static message when messageExpression fails.
  }
  std::string out;
  for (const auto& part : rule.message) {
    if (!part.program) {
      out += part.text;
      continue;
    }
    cel::Value v = part.program->Evaluate(act, state);
    out += v.IsError() ? "<" + v.ErrorMessage() + ">" : v.ToDisplayString();
  }
  if (out.empty()) out = rule.spec->title.empty() ? rule.full_id + " failed" : rule.spec->title;
  return out;
}

}  // namespace

ResourceEvaluation Engine::Evaluate(const rapidjson::Value& object, const EvalRequest& request,
                                    cel::EvalState* scratch) const {
  ResourceEvaluation out;
  ResourceRef& ref = out.resource;
  std::string_view api = StringField(object, "apiVersion");
  ref.api_version = std::string(api);
  ref.kind = std::string(StringField(object, "kind"));
  const rapidjson::Value* metadata = Field(object, "metadata");
  const rapidjson::Value* labels = nullptr;
  const rapidjson::Value* annotations = nullptr;
  if (metadata) {
    ref.name = std::string(StringField(*metadata, "name"));
    if (ref.name.empty()) ref.name = std::string(StringField(*metadata, "generateName"));
    ref.namespace_ = std::string(StringField(*metadata, "namespace"));
    labels = Field(*metadata, "labels");
    annotations = Field(*metadata, "annotations");
  }
  // The system id is read with the first pack's prefix; packs agree on it in practice.
  if (annotations) {
    std::string prefix = packs_.empty() ? "aimsgate.io/" : packs_.front()->annotation_prefix();
    ref.system_id = std::string(StringField(*annotations, (prefix + "system-id").c_str()));
  }
  const rapidjson::Value& req = request.request ? *request.request : *synthetic_request_;
  if (ref.namespace_.empty() && request.request) ref.namespace_ = std::string(StringField(req, "namespace"));
  ref.source = request.source;
  ref.line = request.line;
  ref.document_index = request.document_index;
  ref.item_index = request.item_index;
  size_t slash = api.find('/');
  std::string_view group = slash == std::string_view::npos ? std::string_view() : api.substr(0, slash);
  std::string_view version = slash == std::string_view::npos ? api : api.substr(slash + 1);

  int64_t now = request.now_unix;
  if (now == 0) {
    now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  static const rapidjson::Value kNull;
  size_t candidates = 0;
  for (const auto& pack : packs_) candidates += pack->RulesForKind(ref.kind).size();
  out.results.reserve(candidates);
  for (const auto& pack : packs_) {
    const PackSpec& spec = pack->spec();
    std::unique_ptr<cel::Activation> act;  // built when the first rule of this pack matches
    for (size_t index : pack->RulesForKind(ref.kind)) {
      const CompiledRule& rule = pack->rules()[index];
      const MatchSpec& m = rule.spec->match;
      if (!KindMatches(m.kinds, group, version, ref.kind) || !NamespaceMatches(m, ref.namespace_) ||
          !LabelsMatch(m.label_selector, labels)) {
        continue;
      }
      if (!act) {
        const PackSlots& s = pack->slots();
        act = std::make_unique<cel::Activation>(pack->env());
        act->Set(s.object, cel::Value::Json(object));
        act->Set(s.old_object, request.old_object ? cel::Value::Json(*request.old_object) : cel::Value::Null());
        act->Set(s.request, cel::Value::Json(req));
        act->Set(s.params, cel::Value::Json(*spec.parameters));
        const rapidjson::Value* entry = nullptr;
        if (inventory_ && annotations) {
          auto id = annotations->FindMember((pack->annotation_prefix() + "system-id").c_str());
          if (id != annotations->MemberEnd() && id->value.IsString()) entry = inventory_->Find(id->value.GetString());
        }
        act->Set(s.inventory, entry ? cel::Value::Json(*entry) : cel::Value::Null());
        act->Set(s.inventory_all, inventory_ ? cel::Value::Json(inventory_->document()) : cel::Value::Null());
        act->Set(s.model, model_->IsNull() ? cel::Value::Null() : cel::Value::Json(*model_));
        act->Set(s.now, cel::Value::Timestamp(now, 0));
        act->Set(s.namespace_object, cel::Value::Json(kNull));
      }
      RuleResult r;
      r.rule = rule.full_id;
      r.title = rule.spec->title;
      r.controls = rule.spec->controls;
      r.severity = rule.spec->severity;
      r.action = audit_only_ && rule.spec->action == Action::kDeny ? Action::kAudit : rule.spec->action;
      r.remediation = rule.spec->remediation;
      r.pack = spec.name;
      r.failure_policy_fail = spec.failure_policy_fail;
      bool ok = true;
      std::string error;
      if (rule.when) {
        bool applies = false;
        ok = EvalBool(*rule.when, *act, scratch, "match.when", &applies, &error);
        if (ok && !applies) {
          r.result = Outcome::kSkip;
          out.results.push_back(std::move(r));
          continue;
        }
      }
      bool passed = false;
      if (ok) ok = EvalBool(*rule.assert_program, *act, scratch, "assert", &passed, &error);
      if (!ok) {
        r.result = Outcome::kError;
        r.message = error;
      } else if (passed) {
        r.result = Outcome::kPass;
      } else {
        r.result = Outcome::kFail;
        r.message = RenderMessage(rule, *act, scratch);
        if (waivers_) {
          std::string expired;
          if (const Waiver* w = waivers_->Find(r.rule, ref, now, &expired)) {
            r.result = Outcome::kWaived;
            r.waiver = {w->name, w->justification, w->approved_by, w->expires};
          } else if (!expired.empty()) {
            r.expired_waiver = expired;
          }
        }
      }
      if (r.action == Action::kDeny &&
          (r.result == Outcome::kFail || (r.result == Outcome::kError && r.failure_policy_fail))) {
        out.denied = true;
      }
      if (r.action == Action::kWarn && r.result == Outcome::kFail) out.warned = true;
      out.results.push_back(std::move(r));
    }
  }
  if (request.digest_object) out.object_sha256 = manifest::Sha256Hex(manifest::CanonicalJson(object));
  return out;
}

}  // namespace aimsgate
