// The admission decision as a pure function: AdmissionReview JSON in, HTTP status and
// AdmissionReview JSON out.  No sockets, no globals: the HTTP server (server.h), the
// unit tests and the fuzzer all call this one function.
//
//   EngineOptions eo;
//   eo.enforcement.per_pack["experimental"] = EnforcementMode::kAudit;  // shadow rollout
//   auto engine = Engine::Load(eo, &diags);
//   HandlerOptions opts;
//   cel::EvalState scratch;                         // one per thread, reused
//   AdmissionResponse r = HandleAdmissionReview(body, *engine, opts, &scratch);
//   reply(r.http_status, r.body);                   // r.decision, r.evaluation for metrics/logs
//
// Behaviour (SPEC §4):
//   * admission.k8s.io/v1 and v1beta1 AdmissionReview; the answer uses the version asked.
//   * request.object is evaluated (request.oldObject for DELETE); `request` and `oldObject`
//     are visible to the rules' expressions.
//   * a failed deny rule denies (status 403 naming each rule, its controls and message);
//     a failed warn rule adds a warning (<= 120 bytes); an errored rule follows its pack's
//     failurePolicy (Fail = deny, Ignore = allow with a warning), and says so.
//   * auditAnnotations on every answer: decision, packs (name@version=digest), failed-rules,
//     errored-rules, dry-run.  Keys carry no prefix: the apiserver prefixes them with the
//     webhook's name (workloads.aimsgate.io/decision).
//   * a body that is not an AdmissionReview gets HTTP 400 and {"error": "..."}.
//   * the verdict is the engine's (Decision::verdict, evaluator/decision/decision.h), enforcement
//     (EngineOptions::enforcement) and waivers applied: the handler reads it and never recomputes
//     it, so `check`, `test` and `serve` decide alike (tests/parity).
//   * `record` (optional) is called with the decision before the answer is built: the
//     evidence hook.  When it fails and `deny_on_record_failure` is set, the request is denied.
//
// Never throws; nesting beyond `max_depth` is refused, counted as the body is parsed, so
// the parser recurses at most max_depth levels (up to 256; a larger max_depth takes the
// iterative parser: deep nesting cannot overflow the stack).  Thread-safety: reentrant;
// `engine` is shared read-only, `scratch` belongs to the calling thread.  Cost: one parse
// of the body plus one Engine::Evaluate (a body that is not valid JSON is parsed twice:
// the second parse words the error).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/evidence/log/redact.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::webhook {

// Enforcement is the engine's (one mechanism for check, test and serve); the names stay
// visible here for the webhook's callers.
using aimsgate::Enforcement;
using aimsgate::EnforcementMode;
using aimsgate::ToString;

// What the evidence hook sees of a decision.
struct AdmissionDecision {
  std::string uid;
  std::string username;
  std::string operation;
  bool dry_run = false;
  std::string decision;  // ToString(evaluation->verdict): "allow" | "deny" | "warn" | "audit"
  const ResourceEvaluation* evaluation = nullptr;
  const aimsgate::JsonValue* object = nullptr;  // the evaluated object (never copied into evidence)
  const std::vector<PackRef>* packs = nullptr;  // the packs that decided
  std::vector<std::string> notes;            // failure-policy choices
};

struct HandlerOptions {
  int64_t now_unix = 0;           // 0 = the current time
  size_t max_depth = 128;         // JSON nesting limit of the body
  size_t max_status_message = 4096;
  size_t max_warning_bytes = 120;
  bool digest_object = false;     // evidence records carry the object's SHA-256
  // Evidence hook: returns false (with `error`) when the decision could not be recorded.
  std::function<bool(const AdmissionDecision&, std::string* error)> record;
  bool deny_on_record_failure = true;  // --evidence-failure deny|allow
  // --evidence-redact paths; values found there (and Secret data, always) in the object
  // and oldObject are masked in the answer and in what the evidence hook receives.
  std::shared_ptr<const evidence::Redactor> redactor;
};

struct AdmissionResponse {
  int http_status = 200;
  std::string body;         // JSON: the AdmissionReview, or {"error": "..."} for 400
  std::string error;        // set when http_status != 200
  // For metrics and logs:
  // allow | deny | warn | audit (the evaluation's verdict) | invalid; deny also when the
  // evidence hook failed under deny_on_record_failure.
  std::string decision;
  std::string uid;
  std::string operation;
  std::string username;
  bool dry_run = false;
  bool record_failed = false;  // the evidence hook failed
  ResourceEvaluation evaluation;  // the engine's decision, as evaluated
};

AdmissionResponse HandleAdmissionReview(std::string_view body, const Engine& engine, const HandlerOptions& options,
                                        cel::EvalState* scratch);

// Shortens `text` to at most `max_bytes` bytes on a UTF-8 boundary, ending in "..." when
// cut, and replaces control characters by spaces (Kubernetes warning rules).
std::string TruncateWarning(std::string_view text, size_t max_bytes);

}  // namespace aimsgate::webhook
