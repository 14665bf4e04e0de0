// The outcome of evaluating rule packs on one resource: what the reports, the
// webhook response and the evidence log are built from.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace aimsgate {

enum class Outcome { kPass, kFail, kSkip, kError, kWaived };
enum class Action { kDeny, kWarn, kAudit };
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

const char* ToString(Outcome o);
const char* ToString(Action a);
const char* ToString(Severity s);

struct PackRef {
  std::string name;
  std::string version;
  std::string digest;  // "sha256:<hex>"
};

struct ResourceRef {
  std::string api_version;
  std::string kind;
  std::string namespace_;  // empty for cluster-scoped or unset
  std::string name;
  std::string source;      // file in CI, empty in admission
  std::string system_id;   // annotation aimsgate.io/system-id, empty when absent (evidence, reports)
  std::string uid;         // metadata.uid when the object has one (objects listed from a cluster)
  std::string controller_uid;  // uid of its ownerReference with controller: true, if any
  int line = 0;
  int document_index = 0;
  int item_index = -1;
};

struct WaiverRef {
  std::string name;
  std::string justification;
  std::string approved_by;
  std::string expires;  // RFC 3339
};

struct RuleResult {
  std::string rule;                   // "<pack>/<id>"
  std::string title;
  std::vector<std::string> controls;  // ISO/IEC 42001 references
  Severity severity = Severity::kMedium;
  Action action = Action::kDeny;
  Outcome result = Outcome::kPass;
  std::string message;                // set for fail, error and waived
  std::string remediation;
  std::string pack;                   // pack name
  bool failure_policy_fail = true;    // for kError: Fail (deny) or Ignore (allow)
  int field_line = 0;                 // line of the offending field when known
  WaiverRef waiver;                   // set when result == kWaived
  std::string expired_waiver;         // a matching waiver that has expired (no effect)
};

struct ResourceEvaluation {
  ResourceRef resource;
  std::string object_sha256;          // hex SHA-256 of the canonical JSON of the object
  std::vector<RuleResult> results;
  // A resource is denied when a deny rule failed, or a rule errored under
  // failurePolicy Fail with action deny.
  bool denied = false;
  bool warned = false;
  // Values of the object that must never appear in an evidence record (Secret
  // data, --evidence-redact paths); filled by callers that record evidence
  // without keeping the object (check), never printed.
  std::vector<std::string> redact_values;
  // auditAnnotations of ValidatingAdmissionPolicies ("<policy>/<key>", value).
  std::vector<std::pair<std::string, std::string>> audit_annotations;
};

}  // namespace aimsgate
