#include "evaluator/pack/evaluation.h"

#include <chrono>

#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/pack/k8s_resources.h"

namespace aimsgate {

namespace {

// The pod template's annotations (a CronJob's job template's), which the packs
// read when the workload's own metadata does not set a key (charts that expose
// only podAnnotations).
const aimsgate::JsonValue* TemplateAnnotations(const aimsgate::JsonValue& object, std::string_view kind) {
  const aimsgate::JsonValue* spec = kernel::Member(object, "spec");
  if (spec && kind == "CronJob") {
    const aimsgate::JsonValue* job = kernel::Member(*spec, "jobTemplate");
    spec = job ? kernel::Member(*job, "spec") : nullptr;
  }
  const aimsgate::JsonValue* tmpl = spec && kind != "Pod" ? kernel::Member(*spec, "template") : nullptr;
  const aimsgate::JsonValue* tmeta = tmpl ? kernel::Member(*tmpl, "metadata") : nullptr;
  return tmeta ? kernel::Member(*tmeta, "annotations") : nullptr;
}

// The members Identify reads of an object and of its metadata, each found in
// one scan that compares a key's length before its bytes (with constant names,
// which compile to word compares): the kernel's Members<N> loops over its names
// for every key, and these scans run for every object evaluated.
struct TopLevel {
  const aimsgate::JsonValue* api_version = nullptr;
  const aimsgate::JsonValue* kind = nullptr;
  const aimsgate::JsonValue* metadata = nullptr;
};

TopLevel ScanTopLevel(const aimsgate::JsonValue& object) {
  TopLevel t;
  if (!object.IsObject()) return t;
  for (const auto& m : object.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const aimsgate::JsonValue** slot = nullptr;
    switch (key.size()) {
      case 10: slot = key == "apiVersion" ? &t.api_version : nullptr; break;
      case 4: slot = key == "kind" ? &t.kind : nullptr; break;
      case 8: slot = key == "metadata" ? &t.metadata : nullptr; break;
      default: break;
    }
    if (slot && !*slot) {  // the first of duplicate keys, as FindMember
      *slot = &m.value;
      if (t.api_version && t.kind && t.metadata) break;
    }
  }
  return t;
}

struct Metadata {
  const aimsgate::JsonValue* name = nullptr;
  const aimsgate::JsonValue* ns = nullptr;
  const aimsgate::JsonValue* labels = nullptr;
  const aimsgate::JsonValue* annotations = nullptr;
  const aimsgate::JsonValue* uid = nullptr;
  const aimsgate::JsonValue* owner_references = nullptr;
  const aimsgate::JsonValue* generate_name = nullptr;
};

Metadata ScanMetadata(const aimsgate::JsonValue& metadata) {
  Metadata md;
  if (!metadata.IsObject()) return md;
  for (const auto& m : metadata.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const aimsgate::JsonValue** slot = nullptr;
    switch (key.size()) {
      case 4: slot = key == "name" ? &md.name : nullptr; break;
      case 9: slot = key == "namespace" ? &md.ns : nullptr; break;
      case 6: slot = key == "labels" ? &md.labels : nullptr; break;
      case 11: slot = key == "annotations" ? &md.annotations : nullptr; break;
      case 3: slot = key == "uid" ? &md.uid : nullptr; break;
      case 15: slot = key == "ownerReferences" ? &md.owner_references : nullptr; break;
      case 12: slot = key == "generateName" ? &md.generate_name : nullptr; break;
      default: break;
    }
    if (slot && !*slot) *slot = &m.value;
  }
  return md;
}

// Evaluates a Program expecting a bool; anything else is an error, described in *error.
enum class Truth { kFalse, kTrue, kError };
inline Truth EvalBool(const cel::Program& program, const cel::Activation& act, cel::EvalState* state, const char* what,
                      std::string* error) {
  cel::Value v;
  switch (program.EvaluateCondition(act, state, &v)) {
    case cel::Condition::kTrue: return Truth::kTrue;
    case cel::Condition::kFalse: return Truth::kFalse;
    case cel::Condition::kOther: break;
  }
  *error = std::string(what) + (v.IsError() ? ": " + v.ErrorMessage() : " must evaluate to a bool, got " + v.DebugString());
  return Truth::kError;
}

// The effective action of a rule in a pack enforced in `mode`: shadow modes turn deny
// into warn or audit.
inline Action EffectiveAction(Action action, EnforcementMode mode) {
  if (action != Action::kDeny || mode == EnforcementMode::kEnforce) return action;
  return mode == EnforcementMode::kWarn ? Action::kWarn : Action::kAudit;
}

std::string RenderMessage(const CompiledRule& rule, const cel::Activation& act, cel::EvalState* state) {
  if (rule.message_expression) {
    cel::Value v = rule.message_expression->Evaluate(act, state);
    if (!v.IsError() && v.IsString()) return std::string(v.StringValue());
    // Kubernetes falls back to the static message when messageExpression fails.
  }
  std::string out;
  out.reserve(rule.message_literal_size + 32);  // one allocation for most messages
  for (const auto& part : rule.message) {
    if (!part.program) {
      out += part.text;
      continue;
    }
    cel::Value v = part.program->Evaluate(act, state);
    if (v.IsError()) {
      out.append("<").append(v.ErrorMessage()).append(">");
    } else if (v.IsString()) {
      out += v.StringValue();
    } else {
      out += v.ToDisplayString();
    }
  }
  if (out.empty()) out = rule.spec->title.empty() ? rule.info.id + " failed" : rule.spec->title;
  return out;
}

}  // namespace

Evaluation::Evaluation(const EngineInputs& engine, const aimsgate::JsonValue& object, const EvalRequest& request,
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

// The resource's identity for reports and evidence, and the view the matchers read:
// one scan of the object's top-level members, one of its metadata and one of its
// annotations (the pod template's only when the object's own lack a key).
void Evaluation::Identify() {
  ResourceRef& ref = out_.resource;
  ResourceRef::Fields id;  // views into the object and the request, copied into `ref` at once
  const TopLevel top = ScanTopLevel(object_);
  const std::string_view api = kernel::StringOf(top.api_version);
  id.api_version = api;
  id.kind = kernel::StringOf(top.kind);
  const aimsgate::JsonValue* labels = nullptr;
  if (top.metadata) {
    const Metadata md = ScanMetadata(*top.metadata);
    id.name = kernel::StringOf(md.name);
    if (id.name.empty()) id.name = kernel::StringOf(md.generate_name);
    id.namespace_ = kernel::StringOf(md.ns);
    labels = md.labels;
    annotations_ = md.annotations;
    if (md.uid) id.uid = kernel::StringOf(md.uid);
    if (const aimsgate::JsonValue* owners = md.owner_references; owners && owners->IsArray()) {
      for (const aimsgate::JsonValue& owner : owners->GetArray()) {
        const aimsgate::JsonValue* controller = kernel::Member(owner, "controller");
        if (controller && controller->IsBool() && controller->GetBool()) {
          id.controller_uid = kernel::StringMember(owner, "uid");
          break;
        }
      }
    }
  }
  // Read with the first pack's keys; packs agree on the prefix in practice.
  // Only AI systems (a system id) have an owner and a tier worth recording.
  const std::array<std::string_view, 3>& keys = engine_.identity_keys;
  std::array<std::string_view, 3> values{};
  if (annotations_) {
    const auto found = kernel::Members<3>(*annotations_, keys);
    for (size_t i = 0; i < keys.size(); ++i) values[i] = kernel::StringOf(found[i]);
  }
  own_system_id_ = values[0];
  if (values[0].empty() || values[1].empty() || values[2].empty()) {
    if (const aimsgate::JsonValue* tmpl = TemplateAnnotations(object_, id.kind)) {
      const auto found = kernel::Members<3>(*tmpl, keys);
      for (size_t i = 0; i < keys.size(); ++i) {
        if (values[i].empty()) values[i] = kernel::StringOf(found[i]);
      }
    }
  }
  id.system_id = values[0];
  if (!id.system_id.empty()) {
    id.owner = values[1];
    id.risk_tier = values[2];
  }
  if (id.namespace_.empty() && request_.request) id.namespace_ = kernel::StringMember(req_, "namespace");
  id.source = request_.source;
  ref.Assign(id);
  ref.line = request_.line;
  ref.document_index = request_.document_index;
  ref.item_index = request_.item_index;

  size_t slash = api.find('/');
  match_.group = slash == std::string_view::npos ? std::string_view() : api.substr(0, slash);
  match_.version = slash == std::string_view::npos ? api : api.substr(slash + 1);
  match_.kind = ref.kind();
  match_.name = ref.name();
  match_.ns = ref.namespace_();
  // (the synthetic request of CI is a CREATE, MatchObject's default)
  if (request_.request) match_.operation = kernel::StringMember(req_, "operation");
  match_.labels = labels;
}

void Evaluation::FindCandidates(const std::vector<std::shared_ptr<const CompiledPack>>& packs) {
  size_t candidates = 0;
  for (size_t i = 0; i < packs.size(); ++i) {
    const CandidateList list = packs[i]->matcher().Candidates(match_);
    if (i < candidates_.size()) candidates_[i] = list;
    candidates += list.size();
  }
  out_.results.reserve(candidates);
}

// VAP expressions read request.kind, request.resource, request.name...: in CI
// (no request) they get a CREATE request describing this object, built once.
const aimsgate::JsonValue& Evaluation::SyntheticVapRequest() {
  if (vap_request_) return *vap_request_;
  const ResourceRef& ref = out_.resource;
  vap_request_.emplace();
  auto& a = vap_request_->GetAllocator();
  vap_request_->CopyFrom(req_, a);
  // (an empty string_view may hold a null pointer, which rapidjson asserts against)
  auto str = [&](std::string_view v) {
    return aimsgate::JsonValue(v.empty() ? "" : v.data(), static_cast<rapidjson::SizeType>(v.size()), a);
  };
  aimsgate::JsonValue kind(rapidjson::kObjectType), resource(rapidjson::kObjectType);
  kind.AddMember("group", str(match_.group), a)
      .AddMember("version", str(match_.version), a)
      .AddMember("kind", str(ref.kind()), a);
  const std::string plural = ResourceForKind(match_.group, ref.kind());
  resource.AddMember("group", str(match_.group), a)
      .AddMember("version", str(match_.version), a)
      .AddMember("resource", str(plural), a);
  vap_request_->AddMember("kind", kind, a);
  vap_request_->AddMember("resource", resource, a);
  vap_request_->AddMember("name", str(ref.name()), a);
  vap_request_->RemoveMember("namespace");
  vap_request_->AddMember("namespace", str(ref.namespace_()), a);
  return *vap_request_;
}

// The variables a pack's expressions read, bound for this object into a fresh
// or Reset activation: every slot null but the kept ones (PackSlots), so null
// values are not set again, and every kept slot is set unless it is the same.
void Evaluation::Bind(const CompiledPack& pack, cel::Activation* act) {
  const PackSpec& spec = pack.spec();
  const PackSlots& s = pack.slots();
  auto set = [act](int slot, const aimsgate::JsonValue* json) {
    if (json) act->SetJson(slot, *json);
  };
  set(s.object, &object_);
  set(s.old_object, request_.old_object);
  act->SetJsonUnlessSame(s.request, &RequestFor(spec));
  act->SetJsonUnlessSame(s.params, spec.parameters.get());
  act->SetJsonUnlessSame(s.inventory_all, engine_.inventory ? &engine_.inventory->document() : nullptr);
  const aimsgate::JsonValue* entry = nullptr;
  if (engine_.inventory) {
    const std::string_view id_key = engine_.identity_keys[0];
    const std::string_view prefix = pack.annotation_prefix();
    // The system id of the object's own annotations that Identify read, unless
    // this pack's prefix differs from the first pack's.
    std::string_view id = own_system_id_;
    if (id_key.size() != prefix.size() + 9 || id_key.compare(0, prefix.size(), prefix) != 0) {
      id = annotations_ ? kernel::StringMember(*annotations_, (std::string(prefix) + "system-id").c_str()) : std::string_view();
    }
    if (!id.empty()) entry = engine_.inventory->Find(std::string(id));
    set(s.inventory, entry);
  }
  BindModel(engine_.models, object_, pack.annotation_prefix(), entry, engine_.model, &model_binding_);
  set(s.model, model_binding_.model);
  set(s.model_ref, model_binding_.ref ? &*model_binding_.ref : nullptr);
  act->SetTimestampUnlessSame(s.now, now_);
  if (spec.namespaces) {
    const std::string_view ns = out_.resource.namespace_();
    set(s.namespace_object, spec.namespaces->Find(ns.empty() ? "default" : ns));
  }
  for (size_t i : pack.rules_with_params()) {
    const CompiledRule& scoped = pack.rules()[i];
    act->Set(scoped.params_slot, cel::Value::Json(*scoped.params));
  }
}

void Evaluation::RunPack(size_t index, const CompiledPack& pack, EnforcementMode mode) {
  cel::Activation* act = nullptr;  // bound when the first rule of this pack matches
  std::optional<cel::Activation> own;  // without a scratch state to reuse one from
  const Matcher& matcher = pack.matcher();
  const std::vector<CompiledRule>& rules = pack.rules();
  const CandidateList candidates = index < candidates_.size() ? candidates_[index] : matcher.Candidates(match_);
  last_when_ = nullptr;  // a new activation
  for (const MatchCandidate& candidate : candidates) {
    if (!matcher.Matches(candidate, &match_)) continue;
    if (!act) {
      act = scratch_ ? &scratch_->ReusableActivation(index, pack.env(), pack.slots().kept_across_objects) : &own.emplace(pack.env());
      Bind(pack, act);
    }
    const CompiledRule& rule = rules[candidate.rule];
    if (__builtin_expect(!rule.plain, 0) && !rule.spec->audit_annotation_key.empty()) {
      RecordAuditAnnotation(pack, rule, *act);
      continue;
    }
    RuleResult& r = out_.results.emplace_back();  // room reserved by FindCandidates
    r.info = &rule.info;
    r.action = rule.spec->action;
    if (__builtin_expect(mode != EnforcementMode::kEnforce, 0)) r.action = EffectiveAction(r.action, mode);
    if (__builtin_expect(!rule.plain, 0) && !Applies(rule, *act, &r)) continue;
    cel::Value other;  // (null, unless the assert is not a bool)
    const cel::Condition passed = rule.assert_program->EvaluateCondition(*act, scratch_, &other);
    if (__builtin_expect(passed == cel::Condition::kTrue, 1)) continue;  // r.result is kPass
    NotPassed(rule, *act, passed == cel::Condition::kFalse ? cel::Value::Bool(false) : std::move(other), &r);
  }
}

// A VAP auditAnnotation: a string value is recorded, null omits the key, and an
// error records nothing (it cannot decide admission).
void Evaluation::RecordAuditAnnotation(const CompiledPack& pack, const CompiledRule& rule, const cel::Activation& act) {
  cel::Value v = rule.assert_program->Evaluate(act, scratch_);
  if (!v.IsError() && v.IsString() && !v.StringValue().empty()) {
    out_.audit_annotations.emplace_back(pack.spec().name + "/" + rule.spec->audit_annotation_key,
                                        std::string(v.StringValue()));
  }
}

// Whether the rule applies now (appliesFrom) and to this object (match.when);
// otherwise *r is settled as a skip, or an error of `when`.
bool Evaluation::Applies(const CompiledRule& rule, const cel::Activation& act, RuleResult* r) {
  if (rule.spec->applies_from_unix > now_) {
    ++not_passed_;
    r->result = Outcome::kSkip;
    r->message = "not yet applicable: applies from " + rule.spec->applies_from;
    return false;
  }
  if (!rule.when) return true;
  Truth applies;
  if (rule.when.get() == last_when_) {
    applies = last_when_true_ ? Truth::kTrue : Truth::kFalse;
  } else {
    applies = EvalBool(*rule.when, act, scratch_, "match.when", &r->message);
    // An error is not kept: a budget error belongs to that evaluation.
    last_when_ = applies == Truth::kError ? nullptr : rule.when.get();
    last_when_true_ = applies == Truth::kTrue;
  }
  if (applies == Truth::kTrue) return true;
  ++not_passed_;
  r->result = applies == Truth::kFalse ? Outcome::kSkip : Outcome::kError;
  return false;
}

// An assert that did not evaluate to true: false fails (with the rendered message
// and a waiver that covers it), anything else is an error.
void Evaluation::NotPassed(const CompiledRule& rule, const cel::Activation& act, const cel::Value& assert_value,
                           RuleResult* r) {
  ++not_passed_;
  if (!assert_value.IsBool()) {
    r->result = Outcome::kError;
    r->message = assert_value.IsError() ? "assert: " + assert_value.ErrorMessage()
                                        : "assert must evaluate to a bool, got " + assert_value.DebugString();
    return;
  }
  r->result = Outcome::kFail;
  r->message = RenderMessage(rule, act, scratch_);
  if (engine_.waivers) {
    const Waiver* expired = nullptr;
    if (const Waiver* w = engine_.waivers->Find(r->rule(), out_.resource, now_, &expired)) {
      r->result = Outcome::kWaived;
      r->waiver = w;
    } else {
      r->expired_waiver = expired;
    }
  }
}

void Evaluation::Finish() {
  // Only results other than pass have an effect; without any, the decision's
  // default (allow, no warnings) is what Settle would compute.
  if (not_passed_ != 0) Settle(&out_);
  if (request_.digest_object) out_.object_sha256 = kernel::Sha256Hex(kernel::CanonicalJson(object_));
}

}  // namespace aimsgate
