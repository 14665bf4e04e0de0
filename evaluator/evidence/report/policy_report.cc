#include "evaluator/evidence/report/policy_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

namespace aimsgate::evidence {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

Value S(std::string_view s, Alloc& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
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

// A free-text field cut to kMaxTextBytes (at a UTF-8 boundary), so that no single result can
// approach the report budget whatever a rule's message interpolates.
constexpr size_t kMaxTextBytes = 4096;

std::string Clip(const std::string& text) {
  if (text.size() <= kMaxTextBytes) return text;
  size_t cut = kMaxTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";  // U+2026
}

size_t CompactJsonSize(const Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return sb.GetSize();
}

// rapidjson value -> yaml-cpp emitter. Strings are double-quoted so that values such as "true",
// "1.0" or "null" stay strings; keys are left to yaml-cpp, which quotes them only when needed.
void EmitYaml(const Value& v, YAML::Emitter& e) {
  if (v.IsObject()) {
    e << YAML::BeginMap;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      e << YAML::Key << std::string(it->name.GetString(), it->name.GetStringLength()) << YAML::Value;
      EmitYaml(it->value, e);
    }
    e << YAML::EndMap;
  } else if (v.IsArray()) {
    e << YAML::BeginSeq;
    for (const auto& item : v.GetArray()) EmitYaml(item, e);
    e << YAML::EndSeq;
  } else if (v.IsString()) {
    e << YAML::DoubleQuoted << std::string(v.GetString(), v.GetStringLength());
  } else if (v.IsBool()) {
    e << v.GetBool();
  } else if (v.IsInt64()) {
    e << v.GetInt64();
  } else if (v.IsUint64()) {
    e << v.GetUint64();
  } else if (v.IsNumber()) {
    e << v.GetDouble();
  } else {
    e << YAML::Null;
  }
}

// The results of one resource that go into a report, with their compact JSON size.
struct Entry {
  const ResourceEvaluation* evaluation = nullptr;
  std::vector<Value> results;
  std::vector<size_t> sizes;
  int skipped = 0;     // skip results left out (counted in the summary)
  int passed = 0;      // pass results left out (counted in the summary)
  int duplicates = 0;  // results its controller's report already carries
};

struct Chunk {
  std::vector<Value> results;
  Summary summary;
  size_t bytes = 0;
  int duplicates = 0;
};

class Builder {
 public:
  Builder(const std::vector<ResourceEvaluation>& evaluations, const PolicyReportOptions& o, Alloc& a)
      : evaluations_(evaluations), o_(o), a_(a) {
    seconds_ = std::chrono::duration_cast<std::chrono::seconds>(o.time.time_since_epoch()).count();
    for (const ResourceEvaluation& ev : evaluations) {
      if (!ev.resource.uid.empty()) by_uid_.emplace(ev.resource.uid, &ev);
    }
  }

  std::string NamespaceOf(const ResourceEvaluation& ev) const {
    std::string ns = ev.resource.namespace_;
    if (ns.empty() && !IsClusterScopedKind(ev.resource.kind)) ns = o_.default_namespace;
    return ns;
  }

  Entry Build(const ResourceEvaluation& ev, const std::string& ns) {
    Entry e;
    e.evaluation = &ev;
    const std::unordered_set<std::string>* owner = OwnerResults(ev);
    for (const RuleResult& r : ev.results) {
      if (r.result == Outcome::kSkip && !o_.include_skips) {
        ++e.skipped;
        continue;
      }
      if (owner && owner->count(ResultKey(r))) {
        ++e.duplicates;
        continue;
      }
      if (r.result == Outcome::kPass && !o_.include_passes) {
        ++e.passed;
        continue;
      }
      Value v = Result(ev, r, ns);
      e.sizes.push_back(CompactJsonSize(v));
      e.results.push_back(std::move(v));
    }
    return e;
  }

 private:
  static std::string ResultKey(const RuleResult& r) {
    return r.rule + '\n' + ReportResult(r) + (r.result == Outcome::kWaived ? "\nwaived" : "");
  }

  // The (rule, result) pairs of the object's controller, when the controller was evaluated in the
  // same run: a Pod's finding that its ReplicaSet (and, in turn, its Deployment) already reports is
  // reported once, on the outermost owner that has it.
  const std::unordered_set<std::string>* OwnerResults(const ResourceEvaluation& ev) {
    if (ev.resource.controller_uid.empty()) return nullptr;
    auto it = by_uid_.find(ev.resource.controller_uid);
    if (it == by_uid_.end()) return nullptr;
    auto [cached, inserted] = owner_results_.try_emplace(it->second);
    if (inserted) {
      for (const RuleResult& r : it->second->results) cached->second.insert(ResultKey(r));
    }
    return &cached->second;
  }

  Value Result(const ResourceEvaluation& ev, const RuleResult& r, const std::string& ns) {
    Value res(rapidjson::kObjectType);
    std::string pack = r.pack;
    std::string rule = r.rule;
    size_t slash = r.rule.find('/');
    if (slash != std::string::npos) {
      if (pack.empty()) pack = r.rule.substr(0, slash);
      rule = r.rule.substr(slash + 1);
    }
    std::string controls;
    for (const std::string& c : r.controls) controls += (controls.empty() ? "" : ",") + c;
    res.AddMember("source", "aimsgate", a_);
    res.AddMember("policy", S(pack, a_), a_);
    res.AddMember("rule", S(rule, a_), a_);
    if (!controls.empty()) res.AddMember("category", S("ISO/IEC 42001 " + controls, a_), a_);
    res.AddMember("severity", S(ToString(r.severity), a_), a_);
    Value ts(rapidjson::kObjectType);
    ts.AddMember("seconds", seconds_, a_);
    ts.AddMember("nanos", 0, a_);
    res.AddMember("timestamp", ts, a_);
    res.AddMember("result", S(ReportResult(r), a_), a_);
    res.AddMember("scored", r.action == Action::kDeny, a_);
    Value subjects(rapidjson::kArrayType);
    Value subject(rapidjson::kObjectType);
    subject.AddMember("apiVersion", S(ev.resource.api_version, a_), a_);
    subject.AddMember("kind", S(ev.resource.kind, a_), a_);
    if (!ns.empty()) subject.AddMember("namespace", S(ns, a_), a_);
    subject.AddMember("name", S(ev.resource.name, a_), a_);
    if (!ev.resource.uid.empty()) subject.AddMember("uid", S(ev.resource.uid, a_), a_);
    subjects.PushBack(subject, a_);
    res.AddMember("resources", subjects, a_);
    std::string message = r.message;
    if (message.empty() && !r.title.empty()) message = r.title;
    if (!message.empty()) res.AddMember("message", S(Clip(message), a_), a_);
    Value props(rapidjson::kObjectType);
    props.AddMember("controls", S(controls, a_), a_);
    props.AddMember("action", S(ToString(r.action), a_), a_);
    if (!ev.resource.system_id.empty()) props.AddMember("systemId", S(ev.resource.system_id, a_), a_);
    if (!ev.resource.source.empty()) props.AddMember("sourceFile", S(ev.resource.source, a_), a_);
    if (r.result == Outcome::kWaived) {
      props.AddMember("aimsgate.io/result", "waived", a_);
      props.AddMember("waiver", S(r.waiver.name, a_), a_);
      if (!r.waiver.approved_by.empty()) props.AddMember("waiverApprovedBy", S(r.waiver.approved_by, a_), a_);
      if (!r.waiver.expires.empty()) props.AddMember("waiverExpires", S(r.waiver.expires, a_), a_);
      if (!r.waiver.justification.empty()) {
        props.AddMember("waiverJustification", S(Clip(r.waiver.justification), a_), a_);
      }
      for (const auto& [waiver, notice] : o_.waiver_notices) {
        if (waiver == r.waiver.name) {
          props.AddMember("waiverNotice", S(Clip(notice), a_), a_);
          break;
        }
      }
    }
    if (r.result == Outcome::kError) {
      props.AddMember("failurePolicy", S(r.failure_policy_fail ? "Fail" : "Ignore", a_), a_);
    }
    res.AddMember("properties", props, a_);
    return res;
  }

  const std::vector<ResourceEvaluation>& evaluations_;
  const PolicyReportOptions& o_;
  Alloc& a_;
  int64_t seconds_ = 0;
  std::unordered_map<std::string, const ResourceEvaluation*> by_uid_;
  std::unordered_map<const ResourceEvaluation*, std::unordered_set<std::string>> owner_results_;
};

// Packs a namespace's entries into chunks of at most `budget` bytes of compact JSON results,
// keeping a resource's results together unless they alone exceed the budget.
std::vector<Chunk> Pack(std::vector<Entry>& entries, size_t budget) {
  std::vector<Chunk> chunks(1);
  for (Entry& e : entries) {
    size_t total = 0;
    for (size_t s : e.sizes) total += s;
    if (chunks.back().bytes > 0 && chunks.back().bytes + total > budget) chunks.emplace_back();
    chunks.back().summary.skip += e.skipped;
    chunks.back().summary.pass += e.passed;
    chunks.back().duplicates += e.duplicates;
    for (size_t i = 0; i < e.results.size(); ++i) {
      if (chunks.back().bytes > 0 && chunks.back().bytes + e.sizes[i] > budget) chunks.emplace_back();
      Chunk& c = chunks.back();
      c.summary.Add(e.results[i]["result"].GetString());
      c.bytes += e.sizes[i];
      c.results.push_back(std::move(e.results[i]));
    }
  }
  return chunks;
}

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
  rapidjson::Document list(rapidjson::kObjectType);
  Alloc& a = list.GetAllocator();
  Builder builder(evaluations, o, a);

  // Namespaced reports first (sorted), the cluster report (key "\x7f") last.
  std::map<std::string, std::vector<Entry>> groups;
  for (const ResourceEvaluation& ev : evaluations) {
    std::string ns = builder.NamespaceOf(ev);
    groups[ns.empty() ? std::string("\x7f") : ns].push_back(builder.Build(ev, ns));
  }
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(o.time.time_since_epoch()).count();
  std::string pack_list;
  for (const PackRef& p : packs) {
    pack_list += (pack_list.empty() ? "" : ", ") + p.name + "@" + p.version + " " + p.digest;
  }
  const size_t budget = std::max<size_t>(o.max_results_bytes, 1);
  std::string notices;
  for (const auto& n : o.waiver_notices) notices += (notices.empty() ? "" : "\n") + n.second;

  Value items(rapidjson::kArrayType);
  for (auto& [key, entries] : groups) {
    const bool cluster = key == "\x7f";
    const std::string ns = cluster ? "" : key;
    std::vector<Chunk> chunks = Pack(entries, budget);
    for (size_t i = 0; i < chunks.size(); ++i) {
      Chunk& c = chunks[i];
      Value report(rapidjson::kObjectType);
      report.AddMember("apiVersion", S(api_version, a), a);
      const char* kind = cluster ? (openreports ? "ClusterReport" : "ClusterPolicyReport")
                                 : (openreports ? "Report" : "PolicyReport");
      report.AddMember("kind", S(kind, a), a);
      Value md(rapidjson::kObjectType);
      std::string name = cluster ? o.name + "-cluster" : o.name;
      if (i > 0) name += "-" + std::to_string(i + 1);
      md.AddMember("name", S(name, a), a);
      if (!cluster) md.AddMember("namespace", S(ns, a), a);
      Value labels(rapidjson::kObjectType);
      labels.AddMember("app.kubernetes.io/managed-by", "aimsgate", a);
      labels.AddMember("aimsgate.io/run", S(std::to_string(seconds), a), a);
      md.AddMember("labels", labels, a);
      Value ann(rapidjson::kObjectType);
      if (!pack_list.empty()) ann.AddMember("aimsgate.io/packs", S(pack_list, a), a);
      if (chunks.size() > 1) {
        ann.AddMember("aimsgate.io/part", S(std::to_string(i + 1) + "/" + std::to_string(chunks.size()), a), a);
      }
      if (c.duplicates > 0) {
        ann.AddMember("aimsgate.io/reported-on-controller", S(std::to_string(c.duplicates), a), a);
      }
      if (!notices.empty()) ann.AddMember("aimsgate.io/waiver-notices", S(notices, a), a);
      if (ann.MemberCount() > 0) md.AddMember("annotations", ann, a);
      report.AddMember("metadata", md, a);
      if (openreports) report.AddMember("source", "aimsgate", a);
      Value sum(rapidjson::kObjectType);
      sum.AddMember("pass", c.summary.pass, a);
      sum.AddMember("fail", c.summary.fail, a);
      sum.AddMember("warn", c.summary.warn, a);
      sum.AddMember("error", c.summary.error, a);
      sum.AddMember("skip", c.summary.skip, a);
      report.AddMember("summary", sum, a);
      Value results(rapidjson::kArrayType);
      for (Value& r : c.results) results.PushBack(r, a);
      report.AddMember("results", results, a);
      items.PushBack(report, a);
    }
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
    YAML::Emitter e;
    e.SetIndent(2);
    EmitYaml(item, e);
    out << e.c_str() << "\n";
  }
}

}  // namespace aimsgate::evidence
