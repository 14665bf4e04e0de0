#include "evaluator/evidence/policy_report.h"

#include <algorithm>
#include <map>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "evaluator/evidence/canonical_json.h"

namespace aimsgate::evidence {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

Value S(std::string_view s, Alloc& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "medium";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kDeny: return "deny";
    case Action::kWarn: return "warn";
    case Action::kAudit: return "audit";
  }
  return "deny";
}

const char* ReportResult(const RuleResult& r) {
  switch (r.result) {
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return r.action == Action::kDeny ? "fail" : "warn";
    case Outcome::kError: return "error";
    case Outcome::kSkip:
    case Outcome::kWaived: return "skip";
  }
  return "error";
}

struct Summary {
  int pass = 0, fail = 0, warn = 0, error = 0, skip = 0;
  void Add(std::string_view r) {
    if (r == "pass") ++pass;
    else if (r == "fail") ++fail;
    else if (r == "warn") ++warn;
    else if (r == "error") ++error;
    else ++skip;
  }
};

// --- A small block-style YAML emitter: strings double-quoted (JSON escapes are valid
// YAML double-quoted escapes), keys plain when safe.
bool PlainKey(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '/';
  }) && k.front() != '-' && k.front() != '.';
}

std::string Key(std::string_view k) {
  if (PlainKey(k)) return std::string(k);
  std::string out;
  AppendCanonicalString(k, &out);
  return out;
}

std::string Scalar(const Value& v) {
  if (v.IsString()) {
    std::string out;
    AppendCanonicalString(std::string_view(v.GetString(), v.GetStringLength()), &out);
    return out;
  }
  return CanonicalJson(v);
}

bool IsEmptyContainer(const Value& v) {
  return (v.IsObject() && v.MemberCount() == 0) || (v.IsArray() && v.Empty());
}

void EmitYaml(const Value& v, int indent, std::ostream& out);

void EmitMapBody(const Value& v, int indent, bool first_inline, std::ostream& out) {
  bool first = true;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    if (!(first && first_inline)) out << std::string(indent, ' ');
    first = false;
    out << Key(std::string_view(it->name.GetString(), it->name.GetStringLength())) << ":";
    const Value& c = it->value;
    if ((c.IsObject() || c.IsArray()) && !IsEmptyContainer(c)) {
      out << "\n";
      EmitYaml(c, indent + 2, out);
    } else {
      out << " " << (IsEmptyContainer(c) ? (c.IsObject() ? "{}" : "[]") : Scalar(c)) << "\n";
    }
  }
}

void EmitYaml(const Value& v, int indent, std::ostream& out) {
  if (v.IsObject()) {
    EmitMapBody(v, indent, false, out);
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      out << std::string(indent, ' ') << "- ";
      if (e.IsObject() && !IsEmptyContainer(e)) {
        EmitMapBody(e, indent + 2, true, out);
      } else if (e.IsArray() && !IsEmptyContainer(e)) {
        out << "\n";
        EmitYaml(e, indent + 2, out);
      } else {
        out << (IsEmptyContainer(e) ? (e.IsObject() ? "{}" : "[]") : Scalar(e)) << "\n";
      }
    }
  } else {
    out << std::string(indent, ' ') << Scalar(v) << "\n";
  }
}

struct Group {
  std::string ns;  // "" = cluster
  std::vector<const ResourceEvaluation*> evaluations;
};

}  // namespace

bool IsClusterScopedKind(std::string_view kind) {
  static const char* const kKinds[] = {
      "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
      "CustomResourceDefinition", "StorageClass", "PriorityClass", "RuntimeClass",
      "IngressClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
      "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService",
      "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest",
      "ClusterIssuer", "ClusterServingRuntime", "ClusterStorageContainer", "ClusterPolicy",
      "ClusterPolicyReport", "ClusterReport", "PodSecurityPolicy", "FlowSchema",
      "PriorityLevelConfiguration", "ComponentStatus"};
  return std::any_of(std::begin(kKinds), std::end(kKinds),
                     [&](const char* k) { return kind == k; });
}

bool ParsePolicyReportFormat(std::string_view text, PolicyReportFlavor* out) {
  if (text == "policyreport" || text == "wgpolicyk8s") *out = PolicyReportFlavor::kWgPolicyK8s;
  else if (text == "openreports") *out = PolicyReportFlavor::kOpenReports;
  else return false;
  return true;
}

void WritePolicyReports(const std::vector<ResourceEvaluation>& evaluations,
                        const std::vector<PackRef>& packs, const PolicyReportOptions& o,
                        std::ostream& out) {
  const bool openreports = o.flavor == PolicyReportFlavor::kOpenReports;
  const char* api_version = openreports ? "openreports.io/v1alpha1" : "wgpolicyk8s.io/v1alpha2";
  std::map<std::string, Group> groups;  // namespaced first (sorted), cluster group key "\x7f"
  for (const ResourceEvaluation& ev : evaluations) {
    std::string ns = ev.resource.namespace_;
    if (ns.empty() && !IsClusterScopedKind(ev.resource.kind)) ns = o.default_namespace;
    Group& g = groups[ns.empty() ? std::string("\x7f") : ns];
    g.ns = ns;
    g.evaluations.push_back(&ev);
  }
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(o.time.time_since_epoch()).count();
  std::string pack_list;
  for (const PackRef& p : packs) {
    pack_list += (pack_list.empty() ? "" : ", ") + p.name + "@" + p.version + " " + p.digest;
  }

  rapidjson::Document list(rapidjson::kObjectType);
  Alloc& a = list.GetAllocator();
  Value items(rapidjson::kArrayType);
  for (const auto& [key, g] : groups) {
    Value report(rapidjson::kObjectType);
    report.AddMember("apiVersion", S(api_version, a), a);
    const char* kind = g.ns.empty() ? (openreports ? "ClusterReport" : "ClusterPolicyReport")
                                    : (openreports ? "Report" : "PolicyReport");
    report.AddMember("kind", S(kind, a), a);
    Value md(rapidjson::kObjectType);
    md.AddMember("name", S(g.ns.empty() ? o.name + "-cluster" : o.name, a), a);
    if (!g.ns.empty()) md.AddMember("namespace", S(g.ns, a), a);
    Value labels(rapidjson::kObjectType);
    labels.AddMember("app.kubernetes.io/managed-by", "aimsgate", a);
    md.AddMember("labels", labels, a);
    if (!pack_list.empty()) {
      Value ann(rapidjson::kObjectType);
      ann.AddMember("aimsgate.io/packs", S(pack_list, a), a);
      md.AddMember("annotations", ann, a);
    }
    report.AddMember("metadata", md, a);
    if (openreports) report.AddMember("source", "aimsgate", a);

    Summary summary;
    Value results(rapidjson::kArrayType);
    for (const ResourceEvaluation* ev : g.evaluations) {
      for (const RuleResult& r : ev->results) {
        Value res(rapidjson::kObjectType);
        const char* result = ReportResult(r);
        summary.Add(result);
        std::string pack = r.pack;
        std::string rule = r.rule;
        size_t slash = r.rule.find('/');
        if (slash != std::string::npos) {
          if (pack.empty()) pack = r.rule.substr(0, slash);
          rule = r.rule.substr(slash + 1);
        }
        std::string controls;
        for (const std::string& c : r.controls) controls += (controls.empty() ? "" : ",") + c;
        res.AddMember("source", "aimsgate", a);
        res.AddMember("policy", S(pack, a), a);
        res.AddMember("rule", S(rule, a), a);
        if (!controls.empty()) res.AddMember("category", S("ISO/IEC 42001 " + controls, a), a);
        res.AddMember("severity", S(SeverityName(r.severity), a), a);
        Value ts(rapidjson::kObjectType);
        ts.AddMember("seconds", seconds, a);
        ts.AddMember("nanos", 0, a);
        res.AddMember("timestamp", ts, a);
        res.AddMember("result", S(result, a), a);
        res.AddMember("scored", r.action == Action::kDeny, a);
        Value subjects(rapidjson::kArrayType);
        Value subject(rapidjson::kObjectType);
        subject.AddMember("apiVersion", S(ev->resource.api_version, a), a);
        subject.AddMember("kind", S(ev->resource.kind, a), a);
        if (!g.ns.empty()) subject.AddMember("namespace", S(g.ns, a), a);
        subject.AddMember("name", S(ev->resource.name, a), a);
        subjects.PushBack(subject, a);
        res.AddMember("resources", subjects, a);
        std::string message = r.message;
        if (message.empty() && !r.title.empty()) message = r.title;
        if (!message.empty()) res.AddMember("message", S(message, a), a);
        Value props(rapidjson::kObjectType);
        props.AddMember("controls", S(controls, a), a);
        props.AddMember("action", S(ActionName(r.action), a), a);
        if (!ev->resource.system_id.empty()) {
          props.AddMember("systemId", S(ev->resource.system_id, a), a);
        }
        if (!ev->resource.source.empty()) props.AddMember("sourceFile", S(ev->resource.source, a), a);
        if (r.result == Outcome::kWaived) {
          props.AddMember("aimsgate.io/result", "waived", a);
          props.AddMember("waiver", S(r.waiver.name, a), a);
          if (!r.waiver.approved_by.empty())
            props.AddMember("waiverApprovedBy", S(r.waiver.approved_by, a), a);
          if (!r.waiver.expires.empty()) props.AddMember("waiverExpires", S(r.waiver.expires, a), a);
          if (!r.waiver.justification.empty())
            props.AddMember("waiverJustification", S(r.waiver.justification, a), a);
        }
        if (r.result == Outcome::kError) {
          props.AddMember("failurePolicy", S(r.failure_policy_fail ? "Fail" : "Ignore", a), a);
        }
        res.AddMember("properties", props, a);
        results.PushBack(res, a);
      }
    }
    Value sum(rapidjson::kObjectType);
    sum.AddMember("pass", summary.pass, a);
    sum.AddMember("fail", summary.fail, a);
    sum.AddMember("warn", summary.warn, a);
    sum.AddMember("error", summary.error, a);
    sum.AddMember("skip", summary.skip, a);
    report.AddMember("summary", sum, a);
    report.AddMember("results", results, a);
    items.PushBack(report, a);
  }

  if (o.encoding == PolicyReportEncoding::kJson) {
    list.AddMember("apiVersion", "v1", a);
    list.AddMember("kind", "List", a);
    list.AddMember("items", items, a);
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    list.Accept(w);
    out << sb.GetString() << "\n";
    return;
  }
  bool first = true;
  for (const auto& item : items.GetArray()) {
    if (!first) out << "---\n";
    first = false;
    EmitYaml(item, 0, out);
  }
}

}  // namespace aimsgate::evidence
