// One evidence record: what `check` and `serve` hand to EvidenceWriter::Append, and how
// it becomes the members of a JSON Lines record (docs/evidence.md has the format).
//
//   evidence::RecordInput in;
//   in.source = evidence::Source::kAdmission;
//   in.admission = {uid, username, "CREATE", /*dry_run=*/false};
//   in.evaluation = &evaluation;        // borrowed for the call
//   in.packs = &packs;                  // borrowed for the call
//   in.object = &object;                // optional: only used to find values to redact
//   in.decision = "deny";               // empty: ToString(evaluation->verdict)
//   in.notes.push_back("failurePolicy Fail: rule iso42001/x errored; denied");
//   Status s = writer.Append(in);
//
// Never copied into a record: the object body, Secret data, the rule's title and
// remediation. Messages pass through the Redactor first.
//
// Sized for years of hourly audits: fail, error, waived and pass results are listed (a pass
// is evidence too), skips only counted ("skipped": N). A resource no rule applied to
// (Unmatched) gets a minimal record: no "packs", no "results", only "skipped"; with
// WriterOptions::skip_unmatched (check --evidence-skip-unmatched) none at all. Records
// written before this listed every skip; readers accept both shapes.
//
// Thread-safety: BuildRecordMembers is a pure function. Cost: linear in the results.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/decision/decision.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {

class Redactor;

enum class Source { kCi, kAdmission, kAudit };
const char* ToString(Source s);  // "ci" | "admission" | "audit"

struct AdmissionInfo {
  std::string uid;        // AdmissionReview request.uid
  std::string username;   // request.userInfo.username
  std::string operation;  // CREATE | UPDATE | DELETE | CONNECT
  bool dry_run = false;
};

struct RecordInput {
  Source source = Source::kCi;
  // Decision time; the default (epoch) means "now" at Append.
  std::chrono::system_clock::time_point time{};
  AdmissionInfo admission;                      // written when source == kAdmission
  const ResourceEvaluation* evaluation = nullptr;  // required
  const std::vector<PackRef>* packs = nullptr;     // packs in force; may be null (= none)
  const aimsgate::JsonValue* object = nullptr;        // optional, never copied: redaction + systemId
  std::string decision;                         // "allow" | "deny" | "warn" | ...; empty = the verdict
  std::vector<std::string> notes;               // failure-policy choices, evaluation errors, ...
  // The model the decision covered (a verified or failed model signature): written as
  // "model": {id?, signer, rootDigest, signatureVerified} when signer or root_digest is set.
  struct ModelInfo {
    std::string id, signer, root_digest;
    bool verified = false;
  } model;
  // `check`: who and what ran it (CI system, actor, commit, ref, repository,
  // pipeline) and --context-label pairs; written as "ci" when not empty.
  std::map<std::string, std::string> ci;
  std::map<std::string, std::string> ci_labels;
};

// True when no rule applied to the decision's resource: every result is a skip (or there
// is none) and no ValidatingAdmissionPolicy left an auditAnnotation.
bool Unmatched(const Decision& decision);

// Members of the record other than seq, prev and hash, as key -> canonical JSON value.
// (Canonical members can be merged with seq/prev under the writer's lock without
// re-serialising the record.)
using RecordMembers = std::map<std::string, std::string>;
RecordMembers BuildRecordMembers(const RecordInput& input, const Redactor* redactor,
                                 std::chrono::system_clock::time_point now);

// `{"k":v,...}` from members in key order (std::map is already byte-wise sorted).
std::string JoinMembers(const RecordMembers& members);

// RFC 3339 UTC with milliseconds: 2026-11-28T17:50:00.123Z
std::string FormatTime(std::chrono::system_clock::time_point t);
// Parses RFC 3339 (Z or ±hh:mm offset, optional fraction) or a date YYYY-MM-DD; false if invalid.
bool ParseTime(std::string_view text, std::chrono::system_clock::time_point* out);

// The genesis `prev` of the first record of a file: 64 zeros.
inline const std::string& GenesisHash() {
  static const std::string kZeros(64, '0');
  return kZeros;
}

}  // namespace aimsgate::evidence
