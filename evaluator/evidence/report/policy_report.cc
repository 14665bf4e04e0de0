#include "evaluator/evidence/report/policy_report.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/spool.h"

namespace aimsgate::evidence {
namespace {

using Value = aimsgate::JsonValue;
using Alloc = aimsgate::JsonPool;

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

std::string CompactJson(const Value& v) {
  aimsgate::JsonStringBuffer sb;
  aimsgate::JsonWriter<aimsgate::JsonStringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// Characters YAML cannot print raw (DEL, U+FFFE, U+FFFF) that yaml-cpp's
// double-quoted style writes raw all the same (it escapes C0, C1 and the BOM).
bool HasUnprintableForYaml(std::string_view s) {
  return s.find('\x7F') != std::string_view::npos || s.find("\xEF\xBF\xBE") != std::string_view::npos ||
         s.find("\xEF\xBF\xBF") != std::string_view::npos;
}

// A string as a double-quoted scalar; one with a character YAML cannot print
// has all its non-ASCII written as escapes, which parsers read back as it was.
void EmitQuoted(const std::string& s, YAML::Emitter& e) {
  if (HasUnprintableForYaml(s)) e << YAML::EscapeNonAscii;
  e << YAML::DoubleQuoted << s;
}

// rapidjson value -> yaml-cpp emitter. Strings are double-quoted so that values such as "true",
// "1.0" or "null" stay strings; keys are left to yaml-cpp, which quotes them only when needed.
void EmitYaml(const Value& v, YAML::Emitter& e) {
  if (v.IsObject()) {
    e << YAML::BeginMap;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      e << YAML::Key;
      if (HasUnprintableForYaml(key)) {
        EmitQuoted(key, e);
      } else {
        e << key;
      }
      e << YAML::Value;
      EmitYaml(it->value, e);
    }
    e << YAML::EndMap;
  } else if (v.IsArray()) {
    e << YAML::BeginSeq;
    for (const auto& item : v.GetArray()) EmitYaml(item, e);
    e << YAML::EndSeq;
  } else if (v.IsString()) {
    EmitQuoted(std::string(v.GetString(), v.GetStringLength()), e);
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

// ---- Stage 1 (Add): one decision becomes one spooled record. ----
//
// A result's identity for the controller check: its rule (interned) and what the report
// calls its result, waived apart from skip.
enum ResultCode : uint8_t { kCodePass, kCodeFail, kCodeWarn, kCodeError, kCodeSkip, kCodeWaived };

ResultCode CodeOf(const RuleResult& r) {
  if (r.result == Outcome::kWaived) return kCodeWaived;
  std::string_view s = ReportResult(r);
  if (s == "pass") return kCodePass;
  if (s == "fail") return kCodeFail;
  if (s == "warn") return kCodeWarn;
  if (s == "error") return kCodeError;
  return kCodeSkip;
}

const char* CodeResult(uint8_t code) {
  static const char* const kNames[] = {"pass", "fail", "warn", "error", "skip", "skip"};
  return kNames[code];
}

// What the record of one resource holds, in the order of its results.
struct Record {
  std::string uid, controller_uid;
  uint32_t skipped = 0;         // skip results left out (counted in the summary)
  std::vector<uint64_t> keys;   // (rule << 8 | code) of every result, sorted: what a child compares to
  struct Candidate {
    uint64_t key = 0;
    bool pass = false;
    std::string json;  // compact JSON of the report result; empty for a pass that is only counted
  };
  std::vector<Candidate> candidates;  // results that are listed unless the controller has them
};

void PutU32(std::string* out, uint32_t v) { out->append(reinterpret_cast<const char*>(&v), sizeof v); }
void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), sizeof v); }
void PutStr(std::string* out, const std::string& s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Reads a record back; false on a truncated one (a spool that was not written whole).
class RecordReader {
 public:
  explicit RecordReader(std::string_view data) : data_(data) {}
  bool U32(uint32_t* v) { return Raw(v, sizeof *v); }
  bool U64(uint64_t* v) { return Raw(v, sizeof *v); }
  bool Str(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n) || data_.size() < n) return false;
    s->assign(data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }

 private:
  bool Raw(void* v, size_t n) {
    if (data_.size() < n) return false;
    std::memcpy(v, data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }
  std::string_view data_;
};

std::string Serialize(const Record& r) {
  std::string out;
  PutStr(&out, r.uid);
  PutStr(&out, r.controller_uid);
  PutU32(&out, r.skipped);
  PutU32(&out, static_cast<uint32_t>(r.keys.size()));
  for (uint64_t k : r.keys) PutU64(&out, k);
  PutU32(&out, static_cast<uint32_t>(r.candidates.size()));
  for (const auto& c : r.candidates) {
    PutU64(&out, c.key);
    PutU32(&out, c.pass ? 1 : 0);
    PutStr(&out, c.json);
  }
  return out;
}

bool Deserialize(std::string_view data, Record* r) {
  RecordReader in(data);
  uint32_t n = 0;
  if (!in.Str(&r->uid) || !in.Str(&r->controller_uid) || !in.U32(&r->skipped) || !in.U32(&n)) return false;
  r->keys.resize(n);
  for (uint64_t& k : r->keys) {
    if (!in.U64(&k)) return false;
  }
  if (!in.U32(&n)) return false;
  r->candidates.resize(n);
  for (auto& c : r->candidates) {
    uint32_t pass = 0;
    if (!in.U64(&c.key) || !in.U32(&pass) || !in.Str(&c.json)) return false;
    c.pass = pass != 0;
  }
  return true;
}

// Builds the report result of one rule result (a policy report's `results[]` entry).
class ResultBuilder {
 public:
  explicit ResultBuilder(const PolicyReportOptions& o)
      : o_(o), seconds_(std::chrono::duration_cast<std::chrono::seconds>(o.time.time_since_epoch()).count()) {}

  std::string Json(const ResourceEvaluation& ev, const RuleResult& r, const std::string& ns) {
    aimsgate::JsonDocument doc;
    return CompactJson(Build(ev, r, ns, doc.GetAllocator()));
  }

 private:
  Value Build(const ResourceEvaluation& ev, const RuleResult& r, const std::string& ns, Alloc& a_) {
    Value res(rapidjson::kObjectType);
    std::string pack = r.pack();
    std::string rule = r.rule();
    size_t slash = r.rule().find('/');
    if (slash != std::string::npos) {
      if (pack.empty()) pack = r.rule().substr(0, slash);
      rule = r.rule().substr(slash + 1);
    }
    std::string controls;
    for (const std::string& c : r.controls()) controls += (controls.empty() ? "" : ",") + c;
    res.AddMember("source", "aimsgate", a_);
    res.AddMember("policy", S(pack, a_), a_);
    res.AddMember("rule", S(rule, a_), a_);
    if (!controls.empty()) res.AddMember("category", S("ISO/IEC 42001 " + controls, a_), a_);
    res.AddMember("severity", S(ToString(r.severity()), a_), a_);
    Value ts(rapidjson::kObjectType);
    ts.AddMember("seconds", seconds_, a_);
    ts.AddMember("nanos", 0, a_);
    res.AddMember("timestamp", ts, a_);
    res.AddMember("result", S(ReportResult(r), a_), a_);
    res.AddMember("scored", r.action == Action::kDeny, a_);
    Value subjects(rapidjson::kArrayType);
    Value subject(rapidjson::kObjectType);
    subject.AddMember("apiVersion", S(ev.resource.api_version(), a_), a_);
    subject.AddMember("kind", S(ev.resource.kind(), a_), a_);
    if (!ns.empty()) subject.AddMember("namespace", S(ns, a_), a_);
    subject.AddMember("name", S(ev.resource.name(), a_), a_);
    if (!ev.resource.uid().empty()) subject.AddMember("uid", S(ev.resource.uid(), a_), a_);
    subjects.PushBack(subject, a_);
    res.AddMember("resources", subjects, a_);
    std::string message = r.message;
    if (message.empty() && !r.title().empty()) message = r.title();
    if (!message.empty()) res.AddMember("message", S(Clip(message), a_), a_);
    Value props(rapidjson::kObjectType);
    props.AddMember("controls", S(controls, a_), a_);
    props.AddMember("action", S(ToString(r.action), a_), a_);
    if (!ev.resource.system_id().empty()) props.AddMember("systemId", S(ev.resource.system_id(), a_), a_);
    if (!ev.resource.source().empty()) props.AddMember("sourceFile", S(ev.resource.source(), a_), a_);
    if (r.result == Outcome::kWaived) {
      props.AddMember("aimsgate.io/result", "waived", a_);
      props.AddMember("waiver", S(r.waiver->name, a_), a_);
      if (!r.waiver->approved_by.empty()) props.AddMember("waiverApprovedBy", S(r.waiver->approved_by, a_), a_);
      if (!r.waiver->expires.empty()) props.AddMember("waiverExpires", S(r.waiver->expires, a_), a_);
      if (!r.waiver->justification.empty()) {
        props.AddMember("waiverJustification", S(Clip(r.waiver->justification), a_), a_);
      }
      for (const auto& [waiver, notice] : o_.waiver_notices) {
        if (waiver == r.waiver->name) {
          props.AddMember("waiverNotice", S(Clip(notice), a_), a_);
          break;
        }
      }
    }
    if (r.result == Outcome::kError) {
      props.AddMember("failurePolicy", S(r.failure_policy_fail() ? "Fail" : "Ignore", a_), a_);
    }
    res.AddMember("properties", props, a_);
    return res;
  }

  const PolicyReportOptions& o_;
  int64_t seconds_ = 0;
};

// ---- Stage 2 (Finish): a namespace's records packed into chunks. ----
//
// A chunk holds at most `budget` bytes of compact JSON results, keeping a resource's
// results together unless they alone exceed the budget.  The packer sees one resource at a
// time; `keep` says whether it keeps the results' JSON (the second pass) or only counts.
struct Chunk {
  std::vector<std::string> results;  // compact JSON (only in the pass that writes)
  Summary summary;
  size_t bytes = 0;
  int duplicates = 0;
};

class Packer {
 public:
  using Emit = std::function<bool(Chunk&)>;
  Packer(size_t budget, bool keep, Emit emit) : budget_(budget), keep_(keep), emit_(std::move(emit)) {}

  // One resource: its listed results (JSON, result name), and what was only counted.
  bool Add(std::vector<std::pair<std::string, const char*>>& listed, int skipped, int passed, int duplicates) {
    size_t total = 0;
    for (const auto& l : listed) total += l.first.size();
    if (current_.bytes > 0 && current_.bytes + total > budget_ && !Next()) return false;
    current_.summary.skip += skipped;
    current_.summary.pass += passed;
    current_.duplicates += duplicates;
    for (auto& [json, result] : listed) {
      if (current_.bytes > 0 && current_.bytes + json.size() > budget_ && !Next()) return false;
      current_.summary.Add(result);
      current_.bytes += json.size();
      if (keep_) current_.results.push_back(std::move(json));
    }
    return true;
  }
  bool Close() { return Next(); }

 private:
  bool Next() {
    bool ok = emit_(current_);
    current_ = Chunk();
    return ok;
  }
  size_t budget_;
  bool keep_;
  Emit emit_;
  Chunk current_;
};

// ---- Stage 3: a chunk becomes a report (metadata, labels, annotations, summary, results). ----
struct ReportContext {
  const PolicyReportOptions* options;
  bool openreports = false;
  std::string api_version, pack_list, notices;
  int64_t seconds = 0;
};

Value BuildReport(const ReportContext& x, const std::string& ns, bool cluster, size_t index, size_t count,
                  const Chunk& c, Alloc& a) {
  Value report(rapidjson::kObjectType);
  report.AddMember("apiVersion", S(x.api_version, a), a);
  const char* kind = cluster ? (x.openreports ? "ClusterReport" : "ClusterPolicyReport")
                             : (x.openreports ? "Report" : "PolicyReport");
  report.AddMember("kind", S(kind, a), a);
  Value md(rapidjson::kObjectType);
  std::string name = cluster ? x.options->name + "-cluster" : x.options->name;
  if (index > 0) name += "-" + std::to_string(index + 1);
  md.AddMember("name", S(name, a), a);
  if (!cluster) md.AddMember("namespace", S(ns, a), a);
  Value labels(rapidjson::kObjectType);
  labels.AddMember("app.kubernetes.io/managed-by", "aimsgate", a);
  labels.AddMember("aimsgate.io/run", S(std::to_string(x.seconds), a), a);
  md.AddMember("labels", labels, a);
  Value ann(rapidjson::kObjectType);
  if (!x.pack_list.empty()) ann.AddMember("aimsgate.io/packs", S(x.pack_list, a), a);
  if (count > 1) {
    ann.AddMember("aimsgate.io/part", S(std::to_string(index + 1) + "/" + std::to_string(count), a), a);
  }
  if (c.duplicates > 0) {
    ann.AddMember("aimsgate.io/reported-on-controller", S(std::to_string(c.duplicates), a), a);
  }
  if (!x.notices.empty()) ann.AddMember("aimsgate.io/waiver-notices", S(x.notices, a), a);
  if (ann.MemberCount() > 0) md.AddMember("annotations", ann, a);
  report.AddMember("metadata", md, a);
  if (x.openreports) report.AddMember("source", "aimsgate", a);
  Value sum(rapidjson::kObjectType);
  sum.AddMember("pass", c.summary.pass, a);
  sum.AddMember("fail", c.summary.fail, a);
  sum.AddMember("warn", c.summary.warn, a);
  sum.AddMember("error", c.summary.error, a);
  sum.AddMember("skip", c.summary.skip, a);
  report.AddMember("summary", sum, a);
  Value results(rapidjson::kArrayType);
  for (const std::string& json : c.results) {
    aimsgate::JsonDocument r(&a);
    r.Parse(json.data(), json.size());
    results.PushBack(Value(r, a), a);
  }
  report.AddMember("results", results, a);
  return report;
}

// ---- Stage 4: reports are emitted as YAML documents or as the items of a v1 List. ----
class OStreamOut {
 public:
  typedef char Ch;
  explicit OStreamOut(std::ostream& os) : os_(os) {}
  void Put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= (1u << 16)) Flush();
  }
  void Flush() {
    os_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

 private:
  std::ostream& os_;
  std::string buffer_;
};

class Emitter {
 public:
  Emitter(PolicyReportEncoding encoding, std::ostream& out) : json_(encoding == PolicyReportEncoding::kJson), out_(out) {}

  void Report(const Value& report) {
    if (json_) {
      if (!list_) StartList();
      report.Accept(*list_);
      return;
    }
    if (reports_++ > 0) out_ << "---\n";
    YAML::Emitter e;
    e.SetIndent(2);
    EmitYaml(report, e);
    out_ << e.c_str() << "\n";
  }

  void End() {
    if (!json_) return;
    if (!list_) StartList();
    list_->EndArray();
    list_->EndObject();
    stream_->Flush();
    out_ << "\n";
  }

 private:
  void StartList() {
    stream_ = std::make_unique<OStreamOut>(out_);
    list_ = std::make_unique<aimsgate::JsonPrettyWriter<OStreamOut>>(*stream_);
    list_->SetIndent(' ', 2);
    list_->StartObject();
    list_->Key("apiVersion"); list_->String("v1");
    list_->Key("kind"); list_->String("List");
    list_->Key("items");
    list_->StartArray();
  }

  bool json_;
  std::ostream& out_;
  size_t reports_ = 0;
  std::unique_ptr<OStreamOut> stream_;
  std::unique_ptr<aimsgate::JsonPrettyWriter<OStreamOut>> list_;
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

struct PolicyReportWriter::Impl {
  Impl(const std::vector<PackRef>& packs, const PolicyReportOptions& o, std::ostream& out)
      : options(o), out(out), results(options) {
    context.options = &options;
    context.openreports = o.flavor == PolicyReportFlavor::kOpenReports;
    context.api_version = context.openreports ? "openreports.io/v1alpha1" : "wgpolicyk8s.io/v1alpha2";
    context.seconds = std::chrono::duration_cast<std::chrono::seconds>(o.time.time_since_epoch()).count();
    for (const PackRef& p : packs) {
      context.pack_list += (context.pack_list.empty() ? "" : ", ") + p.name + "@" + p.version + " " + p.digest;
    }
    for (const auto& n : o.waiver_notices) context.notices += (context.notices.empty() ? "" : "\n") + n.second;
  }

  bool Add(const ResourceEvaluation& ev);
  bool Finish();
  bool WriteNamespace(const std::string& key, const std::vector<std::pair<uint64_t, uint32_t>>& records,
                      Emitter* emitter);
  bool Load(std::pair<uint64_t, uint32_t> at, Record* r);
  const std::vector<uint64_t>* OwnerKeys(const std::string& controller_uid);
  bool Fail(const std::string& message) {
    if (error.empty()) error = message;
    return false;
  }

  uint32_t Intern(const std::string& rule) {
    return rules.emplace(rule, static_cast<uint32_t>(rules.size())).first->second;
  }

  const PolicyReportOptions options;
  std::ostream& out;
  ResultBuilder results;
  ReportContext context;
  kernel::Spool spool;
  std::unordered_map<std::string, uint32_t> rules;
  // Namespace (the cluster report under "\x7f", so it sorts last) -> its records (offset, size).
  std::map<std::string, std::vector<std::pair<uint64_t, uint32_t>>> namespaces;
  // (hash of uid, record) of every record with a uid: the controllers a later child may name.
  std::vector<std::pair<uint64_t, std::pair<uint64_t, uint32_t>>> uids;
  bool uids_sorted = false;
  std::string owner_uid;  // the last controller looked up (children of one owner come together)
  std::vector<uint64_t> owner_keys;
  std::string error;
};

std::string NamespaceOf(const ResourceEvaluation& ev, const PolicyReportOptions& o) {
  std::string ns(ev.resource.namespace_());
  if (ns.empty() && !IsClusterScopedKind(ev.resource.kind())) ns = o.default_namespace;
  return ns;
}

bool PolicyReportWriter::Impl::Add(const ResourceEvaluation& ev) {
  const std::string ns = NamespaceOf(ev, options);
  Record r;
  r.uid = ev.resource.uid();
  r.controller_uid = ev.resource.controller_uid();
  for (const RuleResult& result : ev.results) {
    const uint64_t key = (static_cast<uint64_t>(Intern(result.rule())) << 8) | CodeOf(result);
    r.keys.push_back(key);
    if (result.result == Outcome::kSkip && !options.include_skips) {
      ++r.skipped;
      continue;
    }
    Record::Candidate c;
    c.key = key;
    c.pass = result.result == Outcome::kPass;
    if (!c.pass || options.include_passes) c.json = results.Json(ev, result, ns);
    r.candidates.push_back(std::move(c));
  }
  std::sort(r.keys.begin(), r.keys.end());
  const std::string data = Serialize(r);
  const std::pair<uint64_t, uint32_t> at{spool.size(), static_cast<uint32_t>(data.size())};
  spool.Write(data);
  namespaces[ns.empty() ? std::string("\x7f") : ns].push_back(at);
  if (!r.uid.empty()) uids.push_back({std::hash<std::string>()(r.uid), at});
  return spool.ok() || Fail(spool.error());
}

bool PolicyReportWriter::Impl::Load(std::pair<uint64_t, uint32_t> at, Record* r) {
  std::string data;
  if (!spool.Read(at.first, at.second, &data)) return Fail(spool.error());
  *r = Record();
  return Deserialize(data, r) || Fail("policy report: a spooled record does not read back");
}

// The result keys of the first evaluated object whose uid is `controller_uid`, or null when the
// controller was not evaluated in this run.
const std::vector<uint64_t>* PolicyReportWriter::Impl::OwnerKeys(const std::string& controller_uid) {
  if (controller_uid.empty()) return nullptr;
  if (controller_uid == owner_uid) return &owner_keys;
  if (!uids_sorted) {
    std::sort(uids.begin(), uids.end());
    uids_sorted = true;
  }
  const uint64_t hash = std::hash<std::string>()(controller_uid);
  auto it = std::lower_bound(uids.begin(), uids.end(), std::make_pair(hash, std::pair<uint64_t, uint32_t>{0, 0}));
  for (; it != uids.end() && it->first == hash; ++it) {
    Record owner;
    if (!Load(it->second, &owner)) return nullptr;
    if (owner.uid != controller_uid) continue;
    owner_uid = controller_uid;
    owner_keys = std::move(owner.keys);
    return &owner_keys;
  }
  return nullptr;
}

// Two passes over a namespace's records: the first counts its chunks (every report names its
// part i/n), the second builds each chunk's report and emits it.
bool PolicyReportWriter::Impl::WriteNamespace(const std::string& key,
                                              const std::vector<std::pair<uint64_t, uint32_t>>& records,
                                              Emitter* emitter) {
  const bool cluster = key == "\x7f";
  const std::string ns = cluster ? "" : key;
  const size_t budget = std::max<size_t>(options.max_results_bytes, 1);
  size_t count = 0;
  for (int pass = 0; pass < 2; ++pass) {
    size_t index = 0;
    Packer packer(budget, /*keep=*/pass == 1, [&](Chunk& c) {
      if (pass == 0) {
        ++count;
        return true;
      }
      aimsgate::JsonDocument doc;
      emitter->Report(BuildReport(context, ns, cluster, index++, count, c, doc.GetAllocator()));
      return out.good() || Fail("policy report: cannot write the report");
    });
    Record r;
    std::vector<std::pair<std::string, const char*>> listed;
    for (const auto& at : records) {
      if (!Load(at, &r)) return false;
      const std::vector<uint64_t>* owner = OwnerKeys(r.controller_uid);
      if (!error.empty()) return false;
      int duplicates = 0, passed = 0;
      listed.clear();
      for (auto& c : r.candidates) {
        if (owner && std::binary_search(owner->begin(), owner->end(), c.key)) {
          ++duplicates;
          continue;
        }
        if (c.pass && !options.include_passes) {
          ++passed;
          continue;
        }
        listed.emplace_back(std::move(c.json), CodeResult(static_cast<uint8_t>(c.key & 0xff)));
      }
      if (!packer.Add(listed, static_cast<int>(r.skipped), passed, duplicates)) return false;
    }
    if (!packer.Close()) return false;
  }
  return true;
}

bool PolicyReportWriter::Impl::Finish() {
  if (!error.empty()) return false;
  if (!spool.ok()) return Fail(spool.error());
  Emitter emitter(options.encoding, out);
  for (const auto& [key, records] : namespaces) {
    if (!WriteNamespace(key, records, &emitter)) return false;
  }
  emitter.End();
  return out.good() || Fail("policy report: cannot write the report");
}

PolicyReportWriter::PolicyReportWriter(const std::vector<PackRef>& packs, const PolicyReportOptions& options,
                                       std::ostream& out)
    : impl_(std::make_unique<Impl>(packs, options, out)) {}

PolicyReportWriter::~PolicyReportWriter() = default;

bool PolicyReportWriter::Add(const ResourceEvaluation& evaluation) { return impl_->Add(evaluation); }

bool PolicyReportWriter::Finish() { return impl_->Finish(); }

const std::string& PolicyReportWriter::error() const { return impl_->error; }

void WritePolicyReports(const std::vector<ResourceEvaluation>& evaluations, const std::vector<PackRef>& packs,
                        const PolicyReportOptions& options, std::ostream& out) {
  PolicyReportWriter writer(packs, options, out);
  for (const ResourceEvaluation& ev : evaluations) {
    if (!writer.Add(ev)) return;
  }
  writer.Finish();
}

}  // namespace aimsgate::evidence
