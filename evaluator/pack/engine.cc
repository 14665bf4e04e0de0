#include "evaluator/pack/engine.h"

#include <algorithm>
#include <map>

#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/exceptions.h"
#include "evaluator/kernel/json.h"
#include "evaluator/model/model_metadata.h"
#include "evaluator/pack/compiled_pack.h"
#include "evaluator/pack/evaluation.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/pack/model_signature_input.h"
#include "evaluator/pack/pack_loader.h"
#include "evaluator/pack/pack_loader_fast.h"
#include "evaluator/pack/vap.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate {

Engine::~Engine() = default;

std::vector<PackSpec> LoadPackPaths(const std::vector<std::string>& paths, std::vector<Diagnostic>* diagnostics,
                                    const std::vector<std::string>& context_paths) {
  std::vector<PackSpec> packs;
  // Documents that are not RulePacks: ValidatingAdmissionPolicies, their bindings,
  // params and Namespace objects (vap.h).  In a file named explicitly, anything
  // else is an error; directories skip it.
  std::vector<ForeignDocument> foreign;
  std::vector<size_t> explicit_foreign;
  auto add = [&](std::vector<PackSpec> more) {
    for (auto& p : more) packs.push_back(std::move(p));
  };
  std::vector<std::string> effective = paths;
  if (effective.empty()) effective.push_back(std::string("builtin:") + kBuiltinPackName);
  for (const auto& path : effective) {
    if (path.rfind("builtin:", 0) == 0) {
      auto builtin = BuiltinPackSource(path.substr(8));
      if (!builtin) {
        std::string names;
        for (const auto& n : BuiltinPackNames()) names += (names.empty() ? "builtin:" : ", builtin:") + n;
        diagnostics->push_back({path, 0, 0, "unknown built-in pack (available: " + names + ")"});
        continue;
      }
      add(LoadBuiltinPackSpecs(builtin, diagnostics));
      continue;
    }
    std::string error;
    std::vector<std::string> files = ListFiles(path, {".yaml", ".yml"}, &error);
    if (!error.empty()) {
      diagnostics->push_back({path, 0, 0, "cannot read rule pack: " + error});
      continue;
    }
    bool directory = files.size() != 1 || files[0] != path;
    const size_t packs_before = packs.size(), foreign_before = foreign.size(), diags_before = diagnostics->size();
    for (const auto& f : files) {
      auto file = SourceFile::Read(f, &error);
      if (!file) {
        diagnostics->push_back({f, 0, 0, "cannot read rule pack: " + error});
        continue;
      }
      size_t first = foreign.size();
      add(LoadPackSpecs(file, diagnostics, &foreign));
      if (!directory) {
        for (size_t i = first; i < foreign.size(); ++i) explicit_foreign.push_back(i);
      }
    }
    if (directory && files.empty()) {
      diagnostics->push_back({path, 0, 0, "no rule packs (*.yaml) in directory"});
    } else if (packs.size() == packs_before && diagnostics->size() == diags_before &&
               std::none_of(foreign.begin() + static_cast<long>(foreign_before), foreign.end(),
                            [](const ForeignDocument& d) { return IsVapDocument(d.node); })) {
      // An empty or truncated pack file must not load as "no rules" (a reload would then allow everything).
      diagnostics->push_back({path, 0, 0, directory ? "no RulePack or ValidatingAdmissionPolicy in directory"
                                                    : "no RulePack or ValidatingAdmissionPolicy in file"});
    }
  }
  // Context objects (params, Namespaces): every document is kept; a RulePack there
  // is an error, since it would not be named as a pack by the user.
  for (const auto& path : context_paths) {
    std::string error;
    std::vector<std::string> files = ListFiles(path, {".yaml", ".yml", ".json"}, &error);
    if (!error.empty()) {
      diagnostics->push_back({path, 0, 0, "cannot read context objects: " + error});
      continue;
    }
    for (const auto& f : files) {
      auto file = SourceFile::Read(f, &error);
      if (!file) {
        diagnostics->push_back({f, 0, 0, "cannot read context objects: " + error});
        continue;
      }
      for (const auto& p : LoadPackSpecs(file, diagnostics, &foreign)) {
        diagnostics->push_back({f, p.pos.line, p.pos.column, "a RulePack in a --context file: name it with --rules"});
      }
    }
  }
  bool any_vap = false;
  for (const auto& d : foreign) any_vap |= IsVapDocument(d.node);
  if (any_vap) {
    add(VapToPacks(foreign, diagnostics));
  } else {
    for (size_t i : explicit_foreign) {
      const auto& d = foreign[i];
      SourcePos p = PosOf(d.node);
      diagnostics->push_back({d.file->path(), p.line, p.column,
                              "document of kind '" + d.node["kind"].Scalar() +
                                  "' is not a RulePack (nor a ValidatingAdmissionPolicy with its binding and params)"});
    }
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

bool ParseYamlValue(const std::string& text, aimsgate::JsonDocument* out, std::string* error) {
  try {
    YAML::Node node = LoadYamlChecked(text);
    out->CopyFrom(ToJson(node, out->GetAllocator()), out->GetAllocator());
    return true;
  } catch (const YAML::Exception& e) {
    *error = e.msg;
    return false;
  }
}

const char* JsonTypeName(const aimsgate::JsonValue& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "a list";
  return "a map";
}

bool SameJsonType(const aimsgate::JsonValue& a, const aimsgate::JsonValue& b) {
  return (a.IsNumber() && b.IsNumber()) || a.GetType() == b.GetType() ||
         (a.IsBool() && b.IsBool());  // true and false are distinct rapidjson types
}

// Checks `value` against the declared default `declared`: the same JSON type
// (null declares any), list elements like the declared elements when those
// agree on one type, map entries recursively where the default has the key.
// *where gets the dotted path of the first mismatch.
bool TypeMatches(const aimsgate::JsonValue& declared, const aimsgate::JsonValue& value, std::string* where, std::string* why) {
  if (declared.IsNull()) return true;
  if (!SameJsonType(declared, value)) {
    *why = std::string("expected ") + JsonTypeName(declared) + ", got " + JsonTypeName(value);
    return false;
  }
  if (declared.IsArray() && !declared.Empty()) {
    const aimsgate::JsonValue& first = declared[0];
    bool uniform = std::all_of(declared.Begin(), declared.End(), [&](const aimsgate::JsonValue& e) { return SameJsonType(first, e); });
    for (rapidjson::SizeType i = 0; uniform && !first.IsObject() && i < value.Size(); ++i) {
      if (!SameJsonType(first, value[i])) {
        *where += "[" + std::to_string(i) + "]";
        *why = std::string("expected ") + JsonTypeName(first) + ", got " + JsonTypeName(value[i]);
        return false;
      }
    }
  }
  if (declared.IsObject()) {
    for (const auto& m : value.GetObject()) {
      auto d = declared.FindMember(m.name);
      if (d == declared.MemberEnd()) continue;
      std::string inner = *where + "." + m.name.GetString();
      if (!TypeMatches(d->value, m.value, &inner, why)) {
        *where = inner;
        return false;
      }
    }
  }
  return true;
}

// Maps merge key by key (recursively); lists and scalars replace.
void DeepMerge(aimsgate::JsonValue* target, const aimsgate::JsonValue& value, aimsgate::JsonPool& a) {
  if (!target->IsObject() || !value.IsObject()) {
    target->CopyFrom(value, a);
    return;
  }
  for (const auto& m : value.GetObject()) {
    auto t = target->FindMember(m.name);
    if (t == target->MemberEnd()) {
      target->AddMember(aimsgate::JsonValue(m.name, a), aimsgate::JsonValue(m.value, a), a);
    } else {
      DeepMerge(&t->value, m.value, a);
    }
  }
}

// Type-checks and merges one override into `params` (which declares `name`).
bool MergeParam(aimsgate::JsonDocument* params, const std::string& name, const aimsgate::JsonValue& value,
                const ParamOrigin& origin, const std::string& key, std::vector<Diagnostic>* diags) {
  auto it = params->FindMember(name.c_str());
  std::string where = key, why;
  if (!TypeMatches(it->value, value, &where, &why)) {
    if (origin.pos.line > 0) diags->push_back({origin.path, origin.pos.line, origin.pos.column, "parameter " + where + ": " + why});
    else diags->push_back({origin.path + " " + where, 0, 0, why});
    return false;
  }
  DeepMerge(&it->value, value, params->GetAllocator());
  return true;
}

bool Declares(const std::shared_ptr<aimsgate::JsonDocument>& params, const std::string& name) {
  return params && params->IsObject() && params->FindMember(name.c_str()) != params->MemberEnd();
}

bool SetParam(const std::string& key, const aimsgate::JsonValue& value, const ParamOrigin& origin,
              std::vector<PackSpec>* packs, std::vector<Diagnostic>* diags) {
  std::string pack_name, name = key;
  size_t dot = key.find('.');
  const size_t slash = key.find('/');
  if (slash != std::string::npos && dot != std::string::npos && slash < dot) {
    // PACK/RULE.KEY: one rule's own parameter.
    const std::string pack = key.substr(0, slash), rule = key.substr(slash + 1, dot - slash - 1);
    name = key.substr(dot + 1);
    for (auto& p : *packs) {
      if (p.name != pack) continue;
      for (auto& r : p.rules) {
        if (r.id == rule && Declares(r.parameters, name)) return MergeParam(r.parameters.get(), name, value, origin, key, diags);
      }
    }
    const std::string msg = "unknown parameter '" + key + "': rule '" + pack + "/" + rule + "' declares no parameter '" + name + "'";
    diags->push_back({origin.path, origin.pos.line, origin.pos.column, msg});
    return false;
  }
  if (dot != std::string::npos) {
    std::string prefix = key.substr(0, dot);
    if (std::any_of(packs->begin(), packs->end(), [&](const PackSpec& p) { return p.name == prefix; })) {
      pack_name = prefix;
      name = key.substr(dot + 1);
    }
  }
  bool applied = false, ok = true;
  for (auto& pack : *packs) {
    if (!pack_name.empty() && pack.name != pack_name) continue;
    // KEY sets the pack's parameter and every rule-scoped one of that name.
    for (auto& rule : pack.rules) {
      if (!Declares(rule.parameters, name)) continue;
      ok &= MergeParam(rule.parameters.get(), name, value, origin, key, diags);
      applied = true;
    }
    if (!Declares(pack.parameters, name)) continue;
    ok &= MergeParam(pack.parameters.get(), name, value, origin, key, diags);
    applied = true;
  }
  if (!applied) {
    if (origin.pos.line > 0) diags->push_back({origin.path, origin.pos.line, origin.pos.column, "unknown parameter '" + key + "': no loaded pack declares it"});
    else diags->push_back({origin.path, 0, 0, "unknown parameter '" + key + "': no loaded pack declares it"});
  }
  return applied && ok;
}

}  // namespace

bool ApplyParamOverrides(const std::vector<std::string>& overrides, const std::vector<std::string>& files,
                         std::vector<PackSpec>* packs, std::vector<Diagnostic>* diagnostics,
                         const std::vector<ParamOrigin>& origins) {
  size_t before = diagnostics->size();
  for (const auto& file : files) {
    std::string error;
    auto source = SourceFile::Read(file, &error);
    aimsgate::JsonDocument doc;
    if (!source) {
      diagnostics->push_back({file, 0, 0, "cannot read parameters: " + error});
    } else if (!ParseYamlValue(source->text(), &doc, &error)) {
      diagnostics->push_back({file, 0, 0, "YAML syntax error: " + error});
    } else if (!doc.IsObject()) {
      diagnostics->push_back({file, 1, 1, "a parameters file must be a mapping of key: value"});
    } else {
      for (const auto& m : doc.GetObject()) SetParam(m.name.GetString(), m.value, {file, {}}, packs, diagnostics);
    }
  }
  for (size_t i = 0; i < overrides.size(); ++i) {
    const std::string& o = overrides[i];
    const ParamOrigin origin = i < origins.size() ? origins[i] : ParamOrigin{"--param", {}};
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      diagnostics->push_back({"--param", 0, 0, "'" + o + "' is not KEY=VALUE"});
      continue;
    }
    aimsgate::JsonDocument value;
    std::string error;
    if (!ParseYamlValue(o.substr(eq + 1), &value, &error)) {
      diagnostics->push_back({"--param", 0, 0, "value of '" + o.substr(0, eq) + "' is not valid YAML: " + error});
      continue;
    }
    SetParam(o.substr(0, eq), value, origin, packs, diagnostics);
  }
  return diagnostics->size() == before;
}

std::shared_ptr<const Engine> Engine::Load(const EngineOptions& options, std::vector<Diagnostic>* diagnostics) {
  try {
    return LoadOrThrow(options, diagnostics);
  } catch (const std::exception& e) {
    diagnostics->push_back({"rule packs", 0, 0, kernel::ExceptionText(e) + " while loading"});
  }
  return nullptr;
}

std::shared_ptr<const Engine> Engine::LoadOrThrow(const EngineOptions& options, std::vector<Diagnostic>* diagnostics) {
  size_t before = diagnostics->size();
  std::vector<PackSpec> specs = LoadPackPaths(options.rule_paths, diagnostics, options.context_paths);
  // Warnings (an inert policy without binding) are reported, errors stop the load.
  auto errors_since = [&](size_t from) {
    return std::any_of(diagnostics->begin() + static_cast<long>(from), diagnostics->end(),
                       [](const Diagnostic& d) { return d.level == Diagnostic::Level::kError; });
  };
  if (errors_since(before)) return nullptr;
  before = diagnostics->size();
  if (!ApplyParamOverrides(options.param_overrides, options.params_files, &specs, diagnostics,
                           options.param_override_origins)) {
    return nullptr;
  }
  if (!options.framework.empty()) {
    if (!IsKnownFramework(options.framework)) {
      diagnostics->push_back({"--framework", 0, 0, "unknown framework '" + options.framework + "' (expected one of: " +
                                                       FrameworkIdList() + ")"});
      return nullptr;
    }
    size_t kept = 0;
    for (auto& spec : specs) {
      auto& rules = spec.rules;
      rules.erase(std::remove_if(rules.begin(), rules.end(),
                                 [&](const RuleSpec& r) { return r.framework_controls.count(options.framework) == 0; }),
                  rules.end());
      kept += rules.size();
    }
    if (kept == 0) {
      diagnostics->push_back({"--framework", 0, 0, "no loaded rule maps to framework '" + options.framework + "'"});
      return nullptr;
    }
  }
  if (!options.only_rule.empty()) {
    for (auto& spec : specs) {
      auto& rules = spec.rules;
      rules.erase(std::remove_if(rules.begin(), rules.end(),
                                 [&](const RuleSpec& r) { return spec.name + "/" + r.id != options.only_rule; }),
                  rules.end());
    }
    specs.erase(std::remove_if(specs.begin(), specs.end(), [](const PackSpec& p) { return p.rules.empty(); }), specs.end());
    if (specs.empty()) {
      diagnostics->push_back({"--rule", 0, 0, "no loaded pack declares rule '" + options.only_rule + "'"});
      return nullptr;
    }
  }
  std::shared_ptr<Engine> engine(new Engine());
  std::map<std::string, const CompiledPack*> programs;  // by PackSpec::program_key: compiled once
  for (auto& spec : specs) {
    const std::string key = spec.program_key;
    auto found = key.empty() ? programs.end() : programs.find(key);
    auto pack = CompilePack(std::move(spec), options.limits, diagnostics, found == programs.end() ? nullptr : found->second);
    if (!pack) continue;
    if (!key.empty() && found == programs.end()) programs.emplace(key, pack.get());
    engine->packs_.push_back(std::move(pack));
  }
  if (!options.inventory_path.empty()) engine->inventory_ = LoadInventory(options.inventory_path, diagnostics);
  if (!options.waiver_paths.empty()) engine->waivers_ = LoadWaivers(options.waiver_paths, diagnostics);
  engine->model_ = std::make_shared<aimsgate::JsonDocument>();
  if (!options.model_card_path.empty() || !options.bom_path.empty()) {
    std::vector<Diagnostic> errors;
    if (!model::LoadModelMetadata(options.model_card_path, options.bom_path, engine->model_.get(), &errors)) {
      for (const auto& e : errors) diagnostics->push_back({e.source, e.line, e.column, e.message});
    }
  }
  if (!options.model_signature.signature.empty() && !LoadModelSignature(options.model_signature, engine->model_.get(), diagnostics)) {
    return nullptr;
  }
  if (!options.models_path.empty()) {
    engine->models_ = LoadModelCatalogueInput(options.models_path, options.model_signature.now_unix, diagnostics);
    if (!engine->models_) return nullptr;
  }
  engine->synthetic_request_ = std::make_shared<aimsgate::JsonDocument>();
  engine->synthetic_request_->Parse(
      R"({"operation":"CREATE","userInfo":{"username":"aimsgate-ci"},"namespace":"","dryRun":false})");
  for (const auto& pack : engine->packs_) engine->pack_modes_.push_back(options.enforcement.For(pack->spec().name));
  const std::string prefix = engine->packs_.empty() ? "aimsgate.io/" : engine->packs_.front()->annotation_prefix();
  engine->system_id_key_ = prefix + "system-id";
  engine->owner_key_ = prefix + "owner";
  engine->risk_tier_key_ = prefix + "risk-tier";
  if (diagnostics->size() != before) return nullptr;
  struct ResultTargets {
    std::vector<std::shared_ptr<const CompiledPack>> packs;
    std::shared_ptr<const WaiverSet> waivers;
  };
  engine->results_keep_alive_ = std::make_shared<const ResultTargets>(ResultTargets{engine->packs_, engine->waivers_});
  EngineInputs& inputs = engine->inputs_;
  inputs.inventory = engine->inventory_.get();
  inputs.waivers = engine->waivers_.get();
  inputs.model = engine->model_.get();
  inputs.models = engine->models_.get();
  inputs.synthetic_request = engine->synthetic_request_.get();
  inputs.identity_keys = {engine->system_id_key_, engine->owner_key_, engine->risk_tier_key_};
  return engine;
}

size_t Engine::compiled_expressions() const {
  size_t n = 0;
  for (const auto& p : packs_) n += p->compiled_expressions();
  return n;
}

const aimsgate::JsonValue* Engine::model_signature() const {
  if (!model_->IsObject()) return nullptr;
  auto it = model_->FindMember("signature");
  return it == model_->MemberEnd() ? nullptr : &it->value;
}

std::vector<PackRef> Engine::packs() const {
  std::vector<PackRef> refs;
  for (const auto& p : packs_) refs.push_back({p->spec().name, p->spec().version, p->spec().digest.value()});
  return refs;
}

std::vector<Engine::RuleListing> Engine::rules() const {
  std::vector<RuleListing> out;
  for (const auto& p : packs_) {
    for (const auto& r : p->rules()) {
      if (r.spec->audit_annotation_key.empty()) out.push_back({&p->spec(), r.spec, r.info.id});
    }
  }
  return out;
}

ResourceEvaluation Engine::Evaluate(const aimsgate::JsonValue& object, const EvalRequest& request,
                                    cel::EvalState* scratch) const {
  ResourceEvaluation decision;
  decision.owner = results_keep_alive_;
  Evaluation evaluation(inputs_, object, request, scratch, &decision);
  evaluation.FindCandidates(packs_);
  for (size_t i = 0; i < packs_.size(); ++i) evaluation.RunPack(i, *packs_[i], pack_modes_[i]);
  evaluation.Finish();
  return decision;
}

}  // namespace aimsgate
