#include "evaluator/pack/evaluation.h"

#include <chrono>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/pack/k8s_resources.h"

namespace aimsgate {

namespace {

// The pod template's annotations (a CronJob's job template's), which the packs
// read when the workload's own metadata does not set a key (charts that expose
// only podAnnotations).
const rapidjson::Value* TemplateAnnotations(const rapidjson::Value& object, std::string_view kind) {
  const rapidjson::Value* spec = kernel::Member(object, "spec");
  if (spec && kind == "CronJob") {
    const rapidjson::Value* job = kernel::Member(*spec, "jobTemplate");
    spec = job ? kernel::Member(*job, "spec") : nullptr;
  }
  const rapidjson::Value* tmpl = spec && kind != "Pod" ? kernel::Member(*spec, "template") : nullptr;
  const rapidjson::Value* tmeta = tmpl ? kernel::Member(*tmpl, "metadata") : nullptr;
  return tmeta ? kernel::Member(*tmeta, "annotations") : nullptr;
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
  if (out.empty()) out = rule.spec->title.empty() ? rule.info.id + " failed" : rule.spec->title;
  return out;
}

}  // namespace

Evaluation::Evaluation(const EngineInputs& engine, const rapidjson::Value& object, const EvalRequest& request,
                       cel::EvalState* scratch, ResourceEvaluation* out)
    : engine_(engine),
      object_(object),
      request_(request),
      scratch_(scratch),
      out_(*out),
      req_(request.request ? *request.request : *engine.synthetic_request),
      now_(request.now_unix) {
  if (now_ == 0) {
    now_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
               .count();
  }
  Identify();
}

// The resource's identity for reports and evidence, and the view the matchers read.
void Evaluation::Identify() {
  ResourceRef& ref = out_.resource;
  std::string_view api = kernel::StringMember(object_, "apiVersion");
  ref.api_version = std::string(api);
  ref.kind = std::string(kernel::StringMember(object_, "kind"));
  const rapidjson::Value* metadata = kernel::Member(object_, "metadata");
  const rapidjson::Value* labels = nullptr;
  if (metadata) {
    ref.name = std::string(kernel::StringMember(*metadata, "name"));
    if (ref.name.empty()) ref.name = std::string(kernel::StringMember(*metadata, "generateName"));
    ref.namespace_ = std::string(kernel::StringMember(*metadata, "namespace"));
    labels = kernel::Member(*metadata, "labels");
    annotations_ = kernel::Member(*metadata, "annotations");
    ref.uid = std::string(kernel::StringMember(*metadata, "uid"));
    const rapidjson::Value* owners = kernel::Member(*metadata, "ownerReferences");
    if (owners && owners->IsArray()) {
      for (const rapidjson::Value& owner : owners->GetArray()) {
        const rapidjson::Value* controller = kernel::Member(owner, "controller");
        if (controller && controller->IsBool() && controller->GetBool()) {
          ref.controller_uid = std::string(kernel::StringMember(owner, "uid"));
          break;
        }
      }
    }
  }
  // Read with the first pack's keys; packs agree on the prefix in practice.
  const rapidjson::Value* template_annotations = nullptr;
  bool template_read = false;
  auto vocabulary = [&](const std::string& key) {
    const char* k = key.c_str();
    std::string_view value = annotations_ ? kernel::StringMember(*annotations_, k) : std::string_view();
    if (value.empty()) {
      if (!template_read) {
        template_read = true;
        template_annotations = TemplateAnnotations(object_, ref.kind);
      }
      if (template_annotations) value = kernel::StringMember(*template_annotations, k);
    }
    return std::string(value);
  };
  ref.system_id = vocabulary(*engine_.system_id_key);
  if (!ref.system_id.empty()) {  // only AI systems have an owner and a tier worth recording
    ref.owner = vocabulary(*engine_.owner_key);
    ref.risk_tier = vocabulary(*engine_.risk_tier_key);
  }
  if (ref.namespace_.empty() && request_.request) ref.namespace_ = std::string(kernel::StringMember(req_, "namespace"));
  ref.source = request_.source;
  ref.line = request_.line;
  ref.document_index = request_.document_index;
  ref.item_index = request_.item_index;

  size_t slash = api.find('/');
  match_.group = slash == std::string_view::npos ? std::string_view() : api.substr(0, slash);
  match_.version = slash == std::string_view::npos ? api : api.substr(slash + 1);
  match_.kind = ref.kind;
  match_.name = ref.name;
  match_.ns = ref.namespace_;
  match_.operation = kernel::StringMember(req_, "operation");
  match_.labels = labels;
}

void Evaluation::Reserve(const std::vector<std::shared_ptr<const CompiledPack>>& packs) {
  size_t candidates = 0;
  for (const auto& pack : packs) candidates += pack->matcher().Candidates(match_).size();
  out_.results.reserve(candidates);
}

// VAP expressions read request.kind, request.resource, request.name...: in CI
// (no request) they get a CREATE request describing this object, built once.
const rapidjson::Value& Evaluation::RequestFor(const PackSpec& spec) {
  if (request_.request || !spec.namespaces) return req_;
  if (vap_request_) return *vap_request_;
  const ResourceRef& ref = out_.resource;
  vap_request_.emplace();
  auto& a = vap_request_->GetAllocator();
  vap_request_->CopyFrom(req_, a);
  // (an empty string_view may hold a null pointer, which rapidjson asserts against)
  auto str = [&](std::string_view v) {
    return rapidjson::Value(v.empty() ? "" : v.data(), static_cast<rapidjson::SizeType>(v.size()), a);
  };
  rapidjson::Value kind(rapidjson::kObjectType), resource(rapidjson::kObjectType);
  kind.AddMember("group", str(match_.group), a)
      .AddMember("version", str(match_.version), a)
      .AddMember("kind", str(ref.kind), a);
  const std::string plural = ResourceForKind(match_.group, ref.kind);
  resource.AddMember("group", str(match_.group), a)
      .AddMember("version", str(match_.version), a)
      .AddMember("resource", str(plural), a);
  vap_request_->AddMember("kind", kind, a);
  vap_request_->AddMember("resource", resource, a);
  vap_request_->AddMember("name", str(ref.name), a);
  vap_request_->RemoveMember("namespace");
  vap_request_->AddMember("namespace", str(ref.namespace_), a);
  return *vap_request_;
}

// The variables a pack's expressions read, bound for this object.
std::unique_ptr<cel::Activation> Evaluation::Bind(const CompiledPack& pack) {
  const PackSpec& spec = pack.spec();
  const PackSlots& s = pack.slots();
  auto act = std::make_unique<cel::Activation>(pack.env());
  act->Set(s.object, cel::Value::Json(object_));
  act->Set(s.old_object, request_.old_object ? cel::Value::Json(*request_.old_object) : cel::Value::Null());
  act->Set(s.request, cel::Value::Json(RequestFor(spec)));
  act->Set(s.params, cel::Value::Json(*spec.parameters));
  const rapidjson::Value* entry = nullptr;
  if (engine_.inventory && annotations_) {
    auto id = annotations_->FindMember((pack.annotation_prefix() + "system-id").c_str());
    if (id != annotations_->MemberEnd() && id->value.IsString()) entry = engine_.inventory->Find(id->value.GetString());
  }
  act->Set(s.inventory, entry ? cel::Value::Json(*entry) : cel::Value::Null());
  act->Set(s.inventory_all, engine_.inventory ? cel::Value::Json(engine_.inventory->document()) : cel::Value::Null());
  BindModel(engine_.models, object_, pack.annotation_prefix(), entry, engine_.model, &model_binding_);
  act->Set(s.model, model_binding_.model ? cel::Value::Json(*model_binding_.model) : cel::Value::Null());
  act->Set(s.model_ref, model_binding_.ref ? cel::Value::Json(*model_binding_.ref) : cel::Value::Null());
  act->Set(s.now, cel::Value::Timestamp(now_, 0));
  const std::string& ns = out_.resource.namespace_;
  const rapidjson::Value* ns_object = spec.namespaces ? spec.namespaces->Find(ns.empty() ? "default" : ns) : nullptr;
  act->Set(s.namespace_object, ns_object ? cel::Value::Json(*ns_object) : cel::Value::Null());
  for (size_t i : pack.rules_with_params()) {
    const CompiledRule& scoped = pack.rules()[i];
    act->Set(scoped.params_slot, cel::Value::Json(*scoped.params));
  }
  return act;
}

void Evaluation::RunPack(const CompiledPack& pack, EnforcementMode mode) {
  std::unique_ptr<cel::Activation> act;  // bound when the first rule of this pack matches
  const Matcher& matcher = pack.matcher();
  for (const MatchCandidate& candidate : matcher.Candidates(match_)) {
    if (!matcher.Matches(candidate, &match_)) continue;
    if (!act) act = Bind(pack);
    Evaluate(pack, pack.rules()[candidate.rule], mode, *act);
  }
}

void Evaluation::Evaluate(const CompiledPack& pack, const CompiledRule& rule, EnforcementMode mode,
                          const cel::Activation& act) {
  if (!rule.spec->audit_annotation_key.empty()) {
    // A VAP auditAnnotation: a string value is recorded, null omits the key,
    // and an error records nothing (it cannot decide admission).
    cel::Value v = rule.assert_program->Evaluate(act, scratch_);
    if (!v.IsError() && v.IsString() && !v.StringValue().empty()) {
      out_.audit_annotations.emplace_back(pack.spec().name + "/" + rule.spec->audit_annotation_key,
                                          std::string(v.StringValue()));
    }
    return;
  }
  RuleResult& r = out_.results.emplace_back();
  r.info = &rule.info;
  r.action = rule.spec->action;
  if (r.action == Action::kDeny && mode != EnforcementMode::kEnforce) {
    r.action = mode == EnforcementMode::kWarn ? Action::kWarn : Action::kAudit;
  }
  if (rule.spec->applies_from_unix > now_) {
    r.result = Outcome::kSkip;
    r.message = "not yet applicable: applies from " + rule.spec->applies_from;
    return;
  }
  std::string error;
  if (rule.when) {
    bool applies = false;
    if (!EvalBool(*rule.when, act, scratch_, "match.when", &applies, &error)) {
      r.result = Outcome::kError;
      r.message = error;
      return;
    }
    if (!applies) {
      r.result = Outcome::kSkip;
      return;
    }
  }
  bool passed = false;
  if (!EvalBool(*rule.assert_program, act, scratch_, "assert", &passed, &error)) {
    r.result = Outcome::kError;
    r.message = error;
    return;
  }
  if (passed) {
    r.result = Outcome::kPass;
    return;
  }
  r.result = Outcome::kFail;
  r.message = RenderMessage(rule, act, scratch_);
  if (engine_.waivers) {
    const Waiver* expired = nullptr;
    if (const Waiver* w = engine_.waivers->Find(r.rule(), out_.resource, now_, &expired)) {
      r.result = Outcome::kWaived;
      r.waiver = w;
    } else {
      r.expired_waiver = expired;
    }
  }
}

void Evaluation::Finish() {
  Settle(&out_);
  if (request_.digest_object) out_.object_sha256 = kernel::Sha256Hex(kernel::CanonicalJson(object_));
}

}  // namespace aimsgate
