#include "evaluator/evidence/log/record.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "evaluator/evidence/log/redact.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/rfc3339.h"

namespace aimsgate::evidence {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  kernel::AppendCanonicalString(s, &out);
  return out;
}

// Builds `{"k":v,...}` from (key, canonical value) pairs that the caller lists in key order.
class ObjectBuilder {
 public:
  ObjectBuilder& Add(const char* key, const std::string& canonical_value) {
    members_[key] = canonical_value;
    return *this;
  }
  ObjectBuilder& AddString(const char* key, std::string_view value) { return Add(key, Str(value)); }
  ObjectBuilder& AddStringIfSet(const char* key, std::string_view value) {
    return value.empty() ? *this : AddString(key, value);
  }
  std::string Build() const { return JoinMembers(members_); }

 private:
  RecordMembers members_;
};

std::string StringArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    kernel::AppendCanonicalString(items[i], &out);
  }
  out.push_back(']');
  return out;
}

std::string SystemIdOf(const RecordInput& in) {
  if (!in.evaluation->resource.system_id().empty()) return std::string(in.evaluation->resource.system_id());
  if (in.object == nullptr || !in.object->IsObject()) return "";
  auto md = in.object->FindMember("metadata");
  if (md == in.object->MemberEnd() || !md->value.IsObject()) return "";
  auto ann = md->value.FindMember("annotations");
  if (ann == md->value.MemberEnd() || !ann->value.IsObject()) return "";
  auto id = ann->value.FindMember("aimsgate.io/system-id");
  if (id == ann->value.MemberEnd() || !id->value.IsString()) return "";
  return std::string(id->value.GetString(), id->value.GetStringLength());
}

}  // namespace

const char* ToString(Source s) {
  switch (s) {
    case Source::kCi: return "ci";
    case Source::kAdmission: return "admission";
    case Source::kAudit: return "audit";
  }
  return "ci";
}

bool Unmatched(const Decision& decision) {
  return decision.audit_annotations.empty() &&
         std::all_of(decision.results.begin(), decision.results.end(),
                     [](const RuleResult& r) { return r.result == Outcome::kSkip; });
}

std::string JoinMembers(const RecordMembers& members) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : members) {
    if (!first) out.push_back(',');
    first = false;
    kernel::AppendCanonicalString(key, &out);
    out.push_back(':');
    out.append(value);
  }
  out.push_back('}');
  return out;
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  return kernel::FormatRfc3339(secs, static_cast<int32_t>(frac * 1000000), 3);
}

bool ParseTime(std::string_view text, std::chrono::system_clock::time_point* out) {
  using std::chrono::system_clock;
  kernel::Rfc3339Options date_or_time;
  date_or_time.allow_date_only = true;
  int64_t secs;
  int32_t nanos;
  if (!kernel::ParseRfc3339(text, &secs, &nanos, date_or_time)) return false;
  // system_clock counts nanoseconds on Linux: clamp what it cannot hold (years past 2262).
  const int64_t max_secs =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::time_point::max().time_since_epoch()).count() - 86400;
  const int64_t min_secs =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::time_point::min().time_since_epoch()).count() + 86400;
  if (secs > max_secs) {
    *out = system_clock::time_point(std::chrono::seconds(max_secs));
  } else if (secs < min_secs) {
    *out = system_clock::time_point(std::chrono::seconds(min_secs));
  } else {
    *out = system_clock::time_point(std::chrono::seconds(secs)) +
           std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(nanos));
  }
  return true;
}

RecordMembers BuildRecordMembers(const RecordInput& in, const Redactor* redactor,
                                 std::chrono::system_clock::time_point now) {
  const ResourceEvaluation& ev = *in.evaluation;
  RecordMembers m;
  m["type"] = Str("decision");
  auto t = in.time == std::chrono::system_clock::time_point{} ? now : in.time;
  m["time"] = Str(FormatTime(t));
  m["source"] = Str(ToString(in.source));
  if (in.source == Source::kAdmission) {
    m["request"] = ObjectBuilder()
                       .AddString("uid", in.admission.uid)
                       .AddString("username", in.admission.username)
                       .AddString("operation", in.admission.operation)
                       .Add("dryRun", in.admission.dry_run ? "true" : "false")
                       .Build();
  }
  if (!in.ci.empty() || !in.ci_labels.empty()) {
    ObjectBuilder ci;
    for (const auto& [k, v] : in.ci) ci.AddString(k.c_str(), v);
    if (!in.ci_labels.empty()) {
      ObjectBuilder labels;
      for (const auto& [k, v] : in.ci_labels) labels.AddString(k.c_str(), v);
      ci.Add("labels", labels.Build());
    }
    m["ci"] = ci.Build();
  }
  const ResourceRef& r = ev.resource;
  ObjectBuilder res;
  res.AddString("apiVersion", r.api_version()).AddString("kind", r.kind()).AddString("name", r.name());
  res.AddStringIfSet("namespace", r.namespace_()).AddStringIfSet("source", r.source());
  if (r.line > 0) res.Add("line", std::to_string(r.line));
  res.AddStringIfSet("systemId", SystemIdOf(in));
  // Owner and risk tier of an AI system (its annotations, pod template included), for the
  // report's current state per system; absent from older records, which still verify.
  res.AddStringIfSet("owner", r.owner()).AddStringIfSet("riskTier", r.risk_tier());
  m["resource"] = res.Build();
  m["objectSha256"] = Str(ev.object_sha256);

  // A record lists what the decision rests on: fail, error, waived and pass results (a pass is
  // evidence too); rules that did not apply are only counted.  A resource that no rule applied to
  // gets a minimal record: no packs, no results, the count of skipped rules.
  const size_t skipped = static_cast<size_t>(
      std::count_if(ev.results.begin(), ev.results.end(), [](const RuleResult& rr) { return rr.result == Outcome::kSkip; }));
  const bool unmatched = Unmatched(ev);
  if (skipped > 0) m["skipped"] = std::to_string(skipped);

  std::string packs = "[";
  if (in.packs != nullptr && !unmatched) {
    for (size_t i = 0; i < in.packs->size(); ++i) {
      const PackRef& p = (*in.packs)[i];
      if (i > 0) packs.push_back(',');
      packs += ObjectBuilder()
                   .AddString("name", p.name)
                   .AddString("version", p.version)
                   .AddString("digest", p.digest)
                   .Build();
    }
  }
  packs.push_back(']');
  if (!unmatched) m["packs"] = packs;

  // Without the object (check keeps none), the caller collected the values while it had it.
  std::vector<std::string> secrets = ev.redact_values;
  if (redactor != nullptr && in.object != nullptr) {
    std::vector<std::string> found = redactor->CollectValues(*in.object);
    secrets.insert(secrets.begin(), found.begin(), found.end());
    std::stable_sort(secrets.begin(), secrets.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }
  std::string results = "[";
  for (size_t i = 0; i < ev.results.size(); ++i) {
    const RuleResult& rr = ev.results[i];
    if (rr.result == Outcome::kSkip) continue;
    if (results.size() > 1) results.push_back(',');
    ObjectBuilder b;
    b.AddString("rule", rr.rule())
        .Add("controls", StringArray(rr.controls()))
        .AddString("severity", ToString(rr.severity()))
        .AddString("action", ToString(rr.action))
        .AddString("result", ToString(rr.result));
    if (!rr.message.empty()) {
      std::string msg = rr.message;
      if (MaskValues(secrets, &msg)) {
        b.Add("masked", "true");
      }
      b.AddString("message", msg);
    }
    if (rr.result == Outcome::kError) {
      b.AddString("failurePolicy", rr.failure_policy_fail() ? "Fail" : "Ignore");
    }
    if (rr.waiver != nullptr) {
      b.Add("waiver", ObjectBuilder()
                          .AddString("name", rr.waiver->name)
                          .AddStringIfSet("approvedBy", rr.waiver->approved_by)
                          .AddStringIfSet("expires", rr.waiver->expires)
                          .AddStringIfSet("justification", rr.waiver->justification)
                          .Build());
    }
    results += b.Build();
  }
  results.push_back(']');
  if (!unmatched) m["results"] = results;

  if (!ev.audit_annotations.empty()) {  // ValidatingAdmissionPolicy auditAnnotations
    RecordMembers annotations;
    for (const auto& [key, value] : ev.audit_annotations) {
      std::string v = value;
      MaskValues(secrets, &v);
      annotations[kernel::ToValidUtf8(key)] = Str(v);  // keys sorted as they will be written
    }
    m["auditAnnotations"] = JoinMembers(annotations);
  }
  std::string decision = in.decision;
  if (decision.empty()) decision = ToString(ev.verdict);  // the engine's, never recomputed
  m["decision"] = Str(decision);
  if (!in.notes.empty()) {
    std::vector<std::string> notes = in.notes;  // may quote CEL errors, which quote values
    for (std::string& note : notes) MaskValues(secrets, &note);
    m["notes"] = StringArray(notes);
  }
  if (!in.model.signer.empty() || !in.model.root_digest.empty()) {
    m["model"] = ObjectBuilder()
                     .AddStringIfSet("id", in.model.id)
                     .AddString("signer", in.model.signer)
                     .AddString("rootDigest", in.model.root_digest)
                     .Add("signatureVerified", in.model.verified ? "true" : "false")
                     .Build();
  }
  return m;
}

}  // namespace aimsgate::evidence
