#include "webhook/admission.h"

#include <algorithm>

#include <rapidjson/error/en.h>

#include "evaluator/evidence/log/canonical_json.h"
#include "evaluator/evidence/log/redact.h"
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace aimsgate::webhook {

std::string TruncateWarning(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (char c : text) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (out.size() <= max_bytes) return out;
  size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
  // Back up over UTF-8 continuation bytes so a code point is never split.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  if (max_bytes >= 3) out += "...";
  return out;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string_view Str(const rapidjson::Value* v) {
  if (!v || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

const rapidjson::Value* Member(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// Nesting depth of a JSON text, counted without parsing (brackets outside strings).
// Stops early once `limit` is exceeded.
size_t JsonDepth(std::string_view text, size_t limit) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > limit) return max_depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// What the parser lets through but an AdmissionReview must not hold: a key twice in one
// object (readers disagree on which one counts) and strings that are not Unicode text
// (RapidJSON decodes a lone \uDC00 escape into bytes that are not UTF-8). Empty when fine.
// Recursion is bounded by the depth check before the parse.
std::string InputProblem(const rapidjson::Value& v) {
  constexpr const char* kNotText = "a string holds a lone UTF-16 surrogate escape or bytes that are not UTF-8";
  if (v.IsString()) {
    if (evidence::FindInvalidUtf8(std::string_view(v.GetString(), v.GetStringLength())) !=
        std::string_view::npos) {
      return kNotText;
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      std::string problem = InputProblem(e);
      if (!problem.empty()) return problem;
    }
  } else if (v.IsObject()) {
    std::vector<std::string_view> keys;
    keys.reserve(v.MemberCount());
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (evidence::FindInvalidUtf8(key) != std::string_view::npos) return kNotText;
      keys.push_back(key);
      std::string problem = InputProblem(it->value);
      if (!problem.empty()) return problem;
    }
    std::sort(keys.begin(), keys.end());
    auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) return "duplicate key '" + std::string(*dup) + "' in one object";
  }
  return "";
}

AdmissionResponse BadRequest(std::string message) {
  AdmissionResponse r;
  r.http_status = 400;
  r.decision = "invalid";
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("error");
  w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  r.body.assign(sb.GetString(), sb.GetSize());
  r.error = std::move(message);
  return r;
}

void WriteString(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

std::string Controls(const RuleResult& r) {
  std::string out;
  for (const auto& c : r.controls()) out += (out.empty() ? "" : ",") + c;
  return out;
}

// "[iso42001/owner-assigned A.3.2] message"
std::string Describe(const RuleResult& r, std::string_view text) {
  std::string out = "[" + r.rule();
  std::string controls = Controls(r);
  if (!controls.empty()) out += " " + controls;
  out += "] ";
  out += text;
  return out;
}

}  // namespace

AdmissionResponse HandleAdmissionReview(std::string_view body, const Engine& engine, const HandlerOptions& options,
                                        cel::EvalState* scratch) {
  if (body.empty()) return BadRequest("empty body: expected an AdmissionReview");
  if (JsonDepth(body, options.max_depth) > options.max_depth) {
    return BadRequest("JSON nested deeper than " + std::to_string(options.max_depth) + " levels");
  }
  rapidjson::Document doc;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc.Parse<kFlags>(body.data(), body.size());
  if (doc.HasParseError()) {
    // Line and column of the error, for a human reading the apiserver's log.
    size_t offset = doc.GetErrorOffset(), line = 1, col = 1;
    for (size_t i = 0; i < offset && i < body.size(); ++i) {
      if (body[i] == '\n') ++line, col = 1;
      else ++col;
    }
    return BadRequest("invalid JSON at line " + std::to_string(line) + " column " + std::to_string(col) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return BadRequest("body is not a JSON object: expected an AdmissionReview");
  if (std::string problem = InputProblem(doc); !problem.empty()) return BadRequest(problem);
  std::string_view api_version = Str(Member(doc, "apiVersion"));
  if (api_version != "admission.k8s.io/v1" && api_version != "admission.k8s.io/v1beta1") {
    return BadRequest("apiVersion must be admission.k8s.io/v1 or admission.k8s.io/v1beta1, got '" +
                      std::string(api_version) + "'");
  }
  if (Str(Member(doc, "kind")) != "AdmissionReview") return BadRequest("kind must be AdmissionReview");
  const rapidjson::Value* request = Member(doc, "request");
  if (!request || !request->IsObject()) return BadRequest("request is missing or not an object");
  std::string_view uid = Str(Member(*request, "uid"));
  if (uid.empty()) return BadRequest("request.uid is missing or not a string");
  std::string_view operation = Str(Member(*request, "operation"));
  if (operation != "CREATE" && operation != "UPDATE" && operation != "DELETE" && operation != "CONNECT") {
    return BadRequest("request.operation must be CREATE, UPDATE, DELETE or CONNECT, got '" +
                      std::string(operation) + "'");
  }
  const rapidjson::Value* user_info = Member(*request, "userInfo");
  std::string_view username = user_info ? Str(Member(*user_info, "username")) : std::string_view();
  const rapidjson::Value* dry = Member(*request, "dryRun");
  if (dry && !dry->IsBool() && !dry->IsNull()) return BadRequest("request.dryRun must be a bool");
  bool dry_run = dry && dry->IsBool() && dry->GetBool();

  const rapidjson::Value* object = Member(*request, "object");
  const rapidjson::Value* old_object = Member(*request, "oldObject");
  if (object && !object->IsObject() && !object->IsNull()) return BadRequest("request.object is not a JSON object");
  if (old_object && !old_object->IsObject() && !old_object->IsNull()) {
    return BadRequest("request.oldObject is not a JSON object");
  }
  if (old_object && old_object->IsNull()) old_object = nullptr;
  if (object && object->IsNull()) object = nullptr;
  const rapidjson::Value* target = operation == "DELETE" ? old_object : object;
  if (!target && (operation == "CREATE" || operation == "UPDATE")) {
    return BadRequest("request.object is missing for operation " + std::string(operation));
  }

  AdmissionResponse out;
  out.uid = std::string(uid);
  out.operation = std::string(operation);
  out.username = std::string(username);
  out.dry_run = dry_run;
  std::vector<std::string> notes;
  if (target) {
    EvalRequest req;
    req.request = request;
    req.old_object = old_object;
    req.now_unix = options.now_unix;
    req.digest_object = options.digest_object;
    out.evaluation = engine.Evaluate(*target, req, scratch);
    // Values that must reach neither the answer nor the evidence: Secret data of the new
    // and the old object (raw and decoded) and the --evidence-redact paths of both.
    static const evidence::Redactor kSecretDataOnly;
    const evidence::Redactor& redactor = options.redactor ? *options.redactor : kSecretDataOnly;
    std::vector<std::string>& secrets = out.evaluation.redact_values;
    for (const rapidjson::Value* o : {object, old_object}) {
      if (o == nullptr) continue;
      std::vector<std::string> found = redactor.CollectValues(*o);
      secrets.insert(secrets.end(), found.begin(), found.end());
    }
    std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;  // longest first
    });
    secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  } else {
    notes.push_back("no object to evaluate for operation " + std::string(operation));
  }
  const ResourceEvaluation& eval = out.evaluation;
  auto masked = [&eval](std::string text) {
    evidence::MaskValues(eval.redact_values, &text);
    return text;
  };

  // The texts of the decision's effects; the verdict itself is the engine's.
  std::vector<std::string> deny_reasons, warnings;
  std::string failed_ids, errored_ids, waived_ids;
  auto append_id = [](std::string* list, const std::string& id) { *list += (list->empty() ? "" : ",") + id; };
  for (const auto& r : eval.results) {
    if (r.result == Outcome::kWaived) append_id(&waived_ids, r.rule());
    if (r.result == Outcome::kFail) append_id(&failed_ids, r.rule());
    if (r.result != Outcome::kFail && r.result != Outcome::kError) continue;
    const Effect effect = EffectOf(r);
    std::string text = r.message;
    if (r.result == Outcome::kError) {
      append_id(&errored_ids, r.rule());
      const char* policy = r.failure_policy_fail() ? "Fail" : "Ignore";
      // CEL error text may quote a value of the object (e.g. a failed int() of a password).
      notes.push_back(masked("failurePolicy " + std::string(policy) + ": rule " + r.rule() + " could not be evaluated (" +
                             r.message + "); " + (effect == Effect::kDeny ? "denied" : "allowed")));
      text = std::string("could not be evaluated (failurePolicy ") + policy + "): " + r.message;
    }
    if (effect == Effect::kDeny) deny_reasons.push_back(masked(Describe(r, text)));
    if (effect == Effect::kWarn) warnings.push_back(TruncateWarning(masked(Describe(r, text)), options.max_warning_bytes));
  }
  bool allowed = !eval.denied();
  std::string decision = ToString(eval.verdict);
  std::string status_message;
  if (!allowed) {
    status_message = "aimsgate denied " + eval.resource.kind + " " +
                     (eval.resource.namespace_.empty() ? "" : eval.resource.namespace_ + "/") + eval.resource.name +
                     ": ";
    for (size_t i = 0; i < deny_reasons.size(); ++i) status_message += (i ? "; " : "") + deny_reasons[i];
    status_message = masked(std::move(status_message));
    if (status_message.size() > options.max_status_message) {
      status_message = TruncateWarning(status_message, options.max_status_message);
    }
  }

  const std::vector<PackRef> packs = engine.packs();
  if (options.record) {
    AdmissionDecision d;
    d.packs = &packs;
    d.uid = out.uid;
    d.username = out.username;
    d.operation = out.operation;
    d.dry_run = dry_run;
    d.decision = decision;
    d.evaluation = &eval;
    d.object = target;
    d.notes = notes;
    std::string error;
    bool ok = false;
    try {
      ok = options.record(d, &error);
    } catch (...) {
      error = "evidence hook threw";
    }
    if (!ok) {
      out.record_failed = true;
      if (options.deny_on_record_failure && allowed) {
        allowed = false;
        decision = "deny";
        // The cause (path, errno) is for the operator's log, not for the API user.
        status_message = "aimsgate could not record the decision as evidence; denied by "
                         "--evidence-failure deny (the webhook's log says why)";
      }
    }
  }
  out.decision = decision;

  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("apiVersion");
  WriteString(w, api_version);
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  WriteString(w, uid);
  w.Key("allowed");
  w.Bool(allowed);
  if (!allowed) {
    w.Key("status");
    w.StartObject();
    w.Key("status");
    w.String("Failure");
    w.Key("reason");
    w.String("Forbidden");
    w.Key("code");
    w.Int(403);
    w.Key("message");
    WriteString(w, status_message);
    w.EndObject();
  }
  if (!warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    for (const auto& warning : warnings) WriteString(w, warning);
    w.EndArray();
  }
  w.Key("auditAnnotations");
  w.StartObject();
  w.Key("decision");
  WriteString(w, decision);
  std::string pack_list;
  for (const auto& p : packs) pack_list += (pack_list.empty() ? "" : ",") + p.name + "@" + p.version + "=" + p.digest;
  w.Key("packs");
  WriteString(w, pack_list);
  w.Key("dry-run");
  w.String(dry_run ? "true" : "false");
  if (!failed_ids.empty()) {
    w.Key("failed-rules");
    WriteString(w, failed_ids);
  }
  if (!errored_ids.empty()) {
    w.Key("errored-rules");
    WriteString(w, errored_ids);
  }
  if (!waived_ids.empty()) {
    w.Key("waived-rules");
    WriteString(w, waived_ids);
  }
  if (out.record_failed) {
    w.Key("evidence");
    w.String("write-failed");
  }
  // ValidatingAdmissionPolicy auditAnnotations, keyed "<policy>/<key>" as the apiserver does.
  for (const auto& [key, value] : eval.audit_annotations) {
    WriteString(w, key);
    WriteString(w, masked(value));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  out.body.assign(sb.GetString(), sb.GetSize());
  return out;
}

}  // namespace aimsgate::webhook
