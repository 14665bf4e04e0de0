// The decision of one evaluation: the verdict (allow / audit / warn / deny, with the
// enforcement mode and waivers applied) and the per-rule results it was reached from.
// Only the evaluator (Engine::Evaluate) computes a verdict; `check`, `test`, `serve`,
// the evidence record and every report read it and never recompute it.
//
//   Decision d = engine->Evaluate(object, request, &scratch);
//   if (d.denied()) ...                       // verdict == Verdict::kDeny
//   for (const RuleResult& r : d.results) {
//     switch (EffectOf(r)) { case Effect::kWarn: warn about r; ... }
//   }
//
// The verdict rule (Settle): a result's effect follows its effective action (after
// enforcement) when it failed; an errored rule denies only as a deny rule of a pack
// with failurePolicy Fail, is recorded as audit for an audit rule, and is otherwise a
// warning (failurePolicy Ignore, or a warn rule): an error is never silent, and only
// Fail lets it block.  The verdict is the strongest effect: deny > warn > audit > allow.
//
// Thread-safety: plain values.  Enforcement is immutable once parsed.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aimsgate {

enum class Outcome { kPass, kFail, kSkip, kError, kWaived };
enum class Action { kDeny, kWarn, kAudit };
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
// Ordered by strength: the verdict of a decision is its strongest effect.
enum class Verdict { kAllow, kAudit, kWarn, kDeny };

const char* ToString(Outcome o);   // pass | fail | skip | error | waived
const char* ToString(Action a);    // deny | warn | audit
const char* ToString(Severity s);  // info | low | medium | high | critical
const char* ToString(Verdict v);   // allow | audit | warn | deny

// Shadow rollout (Envoy's EnforcementMode, Gatekeeper's enforcementAction): deny
// rules of a pack deny (enforce), warn, or are only recorded (audit).  The same
// mechanism serves `check --enforcement/--audit-only`, `test` (spec.enforcement) and
// `serve --enforcement`; the engine applies it (EngineOptions::enforcement).
enum class EnforcementMode { kEnforce, kWarn, kAudit };
const char* ToString(EnforcementMode m);  // enforce | warn | audit

struct Enforcement {
  EnforcementMode mode = EnforcementMode::kEnforce;
  std::map<std::string, EnforcementMode> per_pack;  // pack name -> mode; overrides `mode`

  // Parses an --enforcement value: "enforce|warn|audit" (global) or "PACK=MODE".
  // Returns false with `error` set on an invalid value.
  bool Add(std::string_view spec, std::string* error);
  EnforcementMode For(const std::string& pack) const;
  // The action a rule of `pack` declared as `declared` takes under this enforcement.
  Action Apply(Action declared, const std::string& pack) const;
};

struct PackRef {
  std::string name;
  std::string version;
  std::string digest;  // "sha256:<hex>"
};

// The identity of an evaluated object, for reports and evidence.  Its ten strings
// live back to back in one buffer, so filling one costs one allocation at most
// (none when they fit the small-string buffer) instead of one per field: every
// evaluation fills one (Evaluation::Identify).
//
//   ResourceRef::Fields f;
//   f.api_version = "apps/v1";
//   f.kind = "Deployment";
//   f.name = "scorer";
//   ref.Assign(f);                          // every field at once (the rest empty)
//   ref.set_namespace_("ml");               // one field (rebuilds the buffer)
//   std::string_view kind = ref.kind();     // valid until the next Assign or set_*
//
// The accessors return views into the ref: not NUL-terminated, and invalidated by
// any setter or Assign (of any field) and by the ref's destruction; a moved or
// copied ref keeps its values (the offsets are relative to its own buffer).  A view
// of an empty field is empty but never null.
// Thread-safety: a plain value.
class ResourceRef {
 public:
  // Views of every string field, by name: what Assign takes and fields() returns.
  struct Fields {
    std::string_view api_version;
    std::string_view kind;
    std::string_view namespace_;
    std::string_view name;
    std::string_view source;
    std::string_view system_id;
    std::string_view uid;
    std::string_view controller_uid;
    std::string_view owner;
    std::string_view risk_tier;
  };

  // Replaces every string field with `f`'s (which may view this ref): one buffer of
  // the total size, each field copied in.  Leaves line and the indexes alone.
  void Assign(const Fields& f);
  Fields fields() const;  // views into this ref, as the accessors'

  std::string_view api_version() const { return Get(kApiVersion); }
  std::string_view kind() const { return Get(kKind); }
  std::string_view namespace_() const { return Get(kNamespace); }  // empty for cluster-scoped or unset
  std::string_view name() const { return Get(kName); }
  std::string_view source() const { return Get(kSource); }     // file in CI, empty in admission
  // annotation aimsgate.io/system-id, empty when absent (evidence, reports)
  std::string_view system_id() const { return Get(kSystemId); }
  std::string_view uid() const { return Get(kUid); }  // metadata.uid when the object has one (listed from a cluster)
  // uid of its ownerReference with controller: true, if any
  std::string_view controller_uid() const { return Get(kControllerUid); }
  // annotation aimsgate.io/owner, as system_id is read (evidence: current state)
  std::string_view owner() const { return Get(kOwner); }
  std::string_view risk_tier() const { return Get(kRiskTier); }  // annotation aimsgate.io/risk-tier, likewise

  // One field each (the others kept); `v` may view this ref.
  void set_api_version(std::string_view v) { Set(&Fields::api_version, v); }
  void set_kind(std::string_view v) { Set(&Fields::kind, v); }
  void set_namespace_(std::string_view v) { Set(&Fields::namespace_, v); }
  void set_name(std::string_view v) { Set(&Fields::name, v); }
  void set_source(std::string_view v) { Set(&Fields::source, v); }
  void set_system_id(std::string_view v) { Set(&Fields::system_id, v); }
  void set_uid(std::string_view v) { Set(&Fields::uid, v); }
  void set_controller_uid(std::string_view v) { Set(&Fields::controller_uid, v); }
  void set_owner(std::string_view v) { Set(&Fields::owner, v); }
  void set_risk_tier(std::string_view v) { Set(&Fields::risk_tier, v); }

  int line = 0;
  int document_index = 0;
  int item_index = -1;

 private:
  // In the order of Fields, which is the order of the buffer.
  enum Field : uint8_t {
    kApiVersion, kKind, kNamespace, kName, kSource, kSystemId, kUid, kControllerUid, kOwner, kRiskTier, kFields
  };
  std::string_view Get(Field f) const {
    return std::string_view(text() + offsets_[f], offsets_[f + 1] - offsets_[f]);
  }
  void Set(std::string_view Fields::*field, std::string_view v);
  const char* text() const { return heap_ ? heap_.get() : inline_; }
  size_t size() const { return offsets_[kFields]; }
  void CopyTextFrom(const ResourceRef& o);

  // The fields back to back: in place when they fit (most resources: no
  // allocation per evaluated object), else on the heap.
  static constexpr size_t kInline = 192;
  std::array<uint32_t, kFields + 1> offsets_{};  // field i is text()[offsets_[i], offsets_[i + 1])
  std::unique_ptr<char[]> heap_;
  char inline_[kInline];

 public:
  ResourceRef() = default;
  ResourceRef(const ResourceRef& o) : line(o.line), document_index(o.document_index), item_index(o.item_index) {
    CopyTextFrom(o);
  }
  ResourceRef(ResourceRef&& o) noexcept
      : line(o.line), document_index(o.document_index), item_index(o.item_index), offsets_(o.offsets_),
        heap_(std::move(o.heap_)) {
    if (!heap_) std::memcpy(inline_, o.inline_, size());
    o.offsets_ = {};
  }
  ResourceRef& operator=(const ResourceRef& o) {
    if (this != &o) {
      line = o.line;
      document_index = o.document_index;
      item_index = o.item_index;
      CopyTextFrom(o);
    }
    return *this;
  }
  ResourceRef& operator=(ResourceRef&& o) noexcept {
    if (this != &o) {
      line = o.line;
      document_index = o.document_index;
      item_index = o.item_index;
      offsets_ = o.offsets_;
      heap_ = std::move(o.heap_);
      if (!heap_) std::memcpy(inline_, o.inline_, size());
      o.offsets_ = {};
    }
    return *this;
  }
};

struct WaiverRef {
  std::string name;
  std::string justification;
  std::string approved_by;
  std::string expires;  // RFC 3339
};

// What a result says about its rule: owned by the compiled pack (immutable), shared
// by every result of that rule, and alive as long as the Engine that produced the
// result (a Decision keeps its Engine alive).
struct RuleInfo {
  std::string id;                     // "<pack>/<id>"
  std::string title;
  std::vector<std::string> controls;  // ISO/IEC 42001 references
  Severity severity = Severity::kMedium;
  std::string remediation;
  std::string pack;                   // pack name
  bool failure_policy_fail = true;    // for kError: Fail (deny) or Ignore (allow)
};

// One rule's result on one object.  It carries only what differs per evaluation
// (outcome, effective action, message, field line, waiver); the rule's metadata is
// read through `info`.
struct RuleResult {
  const RuleInfo* info = nullptr;
  Action action = Action::kDeny;      // effective: after enforcement
  Outcome result = Outcome::kPass;
  int field_line = 0;                 // line of the offending field when known
  std::string message;                // set for fail, error and waived
  const WaiverRef* waiver = nullptr;  // the waiver that applied (result == kWaived); owned by the engine
  const WaiverRef* expired_waiver = nullptr;  // a matching waiver that has expired (no effect)

  const std::string& rule() const { return info->id; }
  const std::string& title() const { return info->title; }
  const std::vector<std::string>& controls() const { return info->controls; }
  Severity severity() const { return info->severity; }
  const std::string& remediation() const { return info->remediation; }
  const std::string& pack() const { return info->pack; }
  bool failure_policy_fail() const { return info->failure_policy_fail; }
};

// What one result does to the decision (see the verdict rule above).
enum class Effect { kNone, kAudit, kWarn, kDeny };
Effect EffectOf(const RuleResult& r);

struct Decision {
  // Keeps alive what the results point at (their RuleInfo and waivers): a decision
  // may outlive a reload of the engine that made it.
  std::shared_ptr<const void> owner;
  ResourceRef resource;
  std::string object_sha256;          // hex SHA-256 of the canonical JSON of the object
  std::vector<RuleResult> results;
  // Set by Settle (the engine) from the results; read, never recomputed, by every sink.
  Verdict verdict = Verdict::kAllow;
  bool has_warnings = false;          // some result warns (also when the verdict is deny)
  // Values of the object that must never appear in an evidence record (Secret
  // data, --evidence-redact paths); filled by callers that record evidence
  // without keeping the object (check), never printed.
  std::vector<std::string> redact_values;
  // auditAnnotations of ValidatingAdmissionPolicies ("<policy>/<key>", value).
  std::vector<std::pair<std::string, std::string>> audit_annotations;

  bool denied() const { return verdict == Verdict::kDeny; }
  bool warned() const { return has_warnings; }
};

// The name most of the code base knows a decision by.
using ResourceEvaluation = Decision;

// Computes verdict and has_warnings from the results (their actions already
// enforced).  Called by the evaluator once the results are final.
void Settle(Decision* decision);

// Parses a verdict name; false for anything else.
bool ParseVerdict(std::string_view text, Verdict* out);

}  // namespace aimsgate
