#include "cli/report.h"

#include <map>
#include <unordered_map>

#include <rapidjson/prettywriter.h>

#include "cli/json_out.h"
#include "cli/report_util.h"
#include "evaluator/evidence/report/policy_report.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::cli {

void Summary::Add(const ResourceEvaluation& e) {
  ++resources;
  for (const auto& r : e.results) {
    switch (r.result) {
      case Outcome::kPass: ++pass; break;
      case Outcome::kFail: ++fail; break;
      case Outcome::kSkip: ++skip; break;
      case Outcome::kError: ++error; break;
      case Outcome::kWaived: ++waived; break;
    }
  }
  if (e.denied()) ++denied;
  if (e.warned()) ++warned;
}

Summary Summarize(const CollectedScan& scan) {
  Summary s;
  for (const auto& e : scan.evaluations) s.Add(e);
  return s;
}

std::string ResourceKey(const ResourceRef& r) {
  std::string key(r.source());
  key.append(1, '\x1f').append(std::to_string(r.document_index)).append(1, '\x1f').append(std::to_string(r.item_index));
  for (std::string_view part : {r.api_version(), r.kind(), r.namespace_(), r.name()}) {
    key.append(1, '\x1f').append(part);
  }
  return key;
}

namespace {

// summary.frameworks of the JSON report (docs/frameworks.md#scores).
template <typename Writer>
void WriteFrameworkScores(Writer& w, const FrameworkScores& scores) {
  auto score = [&](const std::optional<double>& v) {
    if (v) w.Double(*v);
    else w.Null();
  };
  w.Key("frameworks");
  w.StartArray();
  for (const auto& f : scores.Scores()) {
    w.StartObject();
    w.Key("id"); w.String(f.id);
    w.Key("title"); w.String(f.title);
    w.Key("score"); score(f.score);
    w.Key("controls");
    w.StartArray();
    for (const auto& c : f.controls) {
      w.StartObject();
      w.Key("id"); w.String(c.id);
      w.Key("title"); w.String(c.title);
      w.Key("passed"); w.Uint64(c.passed);
      w.Key("failed"); w.Uint64(c.failed);
      w.Key("score"); score(c.score);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

// The "resource" member of a JSON report entry (SPEC §2).
template <typename Writer>
void WriteResourceRef(Writer& w, const ResourceRef& r) {
  auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.Key("resource");
  w.StartObject();
  w.Key("apiVersion"); str(r.api_version());
  w.Key("kind"); str(r.kind());
  if (!r.namespace_().empty()) { w.Key("namespace"); str(r.namespace_()); }
  w.Key("name"); str(r.name());
  w.Key("source"); str(SanitizeUtf8(r.source()));  // a file name: any bytes
  w.Key("line"); w.Int(r.line);
  w.EndObject();
}

}  // namespace

namespace {

struct Counts {
  size_t n[5] = {0, 0, 0, 0, 0};  // by Outcome
  void Add(Outcome o) { ++n[static_cast<int>(o)]; }
  void Add(const Counts& c) {
    for (int i = 0; i < 5; ++i) n[i] += c.n[i];
  }
};

template <typename Writer>
void WriteCounts(Writer& w, const Counts& c) {
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kError, Outcome::kWaived}) {
    w.Key(ToString(o));
    w.Uint64(c.n[static_cast<int>(o)]);
  }
}

// The default listing: what someone has to act on or an auditor has to see.
bool Listed(const RuleResult& r, bool all) {
  return all || r.result == Outcome::kFail || r.result == Outcome::kError || r.result == Outcome::kWaived;
}

// `--format json`: the header (packs, summary, per-rule counts) needs the run's
// totals, so the three per-decision arrays are spooled and copied in at Finish.
class JsonSink : public DecisionSink {
 public:
  JsonSink(const Engine& engine, const ReportOptions& o, std::ostream& os) : engine_(engine), o_(o), os_(os) {}

  bool Add(const ResourceEvaluation& e) override {
    summary_.Add(e);
    for (const auto& r : e.results) per_rule_[r.info].Add(r.result);
    // Per resource: its decision (the engine's verdict), the rules that warn, its counts.
    // The resource reference is written once and copied into its results and annotations
    // (the same bytes: their arrays are as deep as this one).
    ref_.clear();
    resources_.Add([&](auto& w) {
      w.StartObject();
      w.RecordInto(&ref_);
      WriteResourceRef(w, e.resource);
      w.RecordInto(nullptr);
      w.Key("decision"); w.String(ToString(e.verdict));
      if (e.warned()) {
        w.Key("warnings");
        w.StartArray();
        for (const auto& r : e.results) {
          if (EffectOf(r) == Effect::kWarn) w.String(r.rule());
        }
        w.EndArray();
      }
      Counts c;
      for (const auto& r : e.results) c.Add(r.result);
      WriteCounts(w, c);
      w.EndObject();
    });
    for (const auto& r : e.results) {
      if (Listed(r, o_.all_results)) results_.Add([&](auto& w) { WriteResult(w, ref_, r); });
    }
    // ValidatingAdmissionPolicy auditAnnotations, only when some resource has them.
    if (!e.audit_annotations.empty()) {
      annotations_.Add([&](auto& w) {
        w.StartObject();
        w.RawMembers(ref_, 1);
        w.Key("annotations");
        w.StartObject();
        for (const auto& [key, value] : e.audit_annotations) {
          w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
          w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
        }
        w.EndObject();
        w.EndObject();
      });
    }
    return SpoolsOk();
  }

  bool Finish(const ScanResult& scan) override {
    if (!SpoolsOk()) return false;
    JsonOut stream(os_);
    aimsgate::JsonPrettyWriter<JsonOut> w(stream);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("apiVersion"); w.String(kCheckReportApiVersion);
    w.Key("kind"); w.String("CheckReport");
    w.Key("packs");
    w.StartArray();
    for (const auto& p : engine_.packs()) {
      w.StartObject();
      w.Key("name"); w.String(p.name);
      w.Key("version"); w.String(p.version);
      w.Key("digest"); w.String(p.digest);
      w.EndObject();
    }
    w.EndArray();
    const Summary& s = summary_;
    w.Key("summary");
    w.StartObject();
    w.Key("resources"); w.Uint64(s.resources);
    w.Key("pass"); w.Uint64(s.pass);
    w.Key("fail"); w.Uint64(s.fail);
    w.Key("skip"); w.Uint64(s.skip);
    w.Key("error"); w.Uint64(s.error);
    w.Key("waived"); w.Uint64(s.waived);
    w.Key("denied"); w.Uint64(s.denied);
    w.Key("warned"); w.Uint64(s.warned);
    // Which results `results` lists: "findings" (fail, error, waived) or "all" (--results all).
    w.Key("listing"); w.String(o_.all_results ? "all" : "findings");
    if (o_.scores) WriteFrameworkScores(w, *o_.scores);
    w.EndObject();
    // Per rule: how often it passed, failed, was skipped... (load order; rules that matched nothing are left out).
    w.Key("rules");
    w.StartArray();
    std::unordered_map<std::string, Counts> by_id;
    for (const auto& [info, counts] : per_rule_) by_id[info->id].Add(counts);
    for (const auto& info : engine_.rules()) {
      auto it = by_id.find(info.full_id);
      if (it == by_id.end()) continue;
      w.StartObject();
      w.Key("rule"); w.String(info.full_id);
      WriteCounts(w, it->second);
      w.EndObject();
    }
    w.EndArray();
    w.Key("resources");
    if (!resources_.WriteTo(w, stream, os_)) return Failed(resources_);
    w.Key("results");
    if (!results_.WriteTo(w, stream, os_)) return Failed(results_);
    if (annotations_.count() > 0) {
      w.Key("auditAnnotations");
      if (!annotations_.WriteTo(w, stream, os_)) return Failed(annotations_);
    }
    w.Key("errors");
    w.StartArray();
    for (const auto& err : scan.errors) {
      w.StartObject();
      w.Key("source"); w.String(SanitizeUtf8(err.source));
      w.Key("line"); w.Int(err.line);
      w.Key("column"); w.Int(err.column);
      w.Key("message"); w.String(SanitizeUtf8(err.message));
      w.EndObject();
    }
    w.EndArray();
    if (!o_.notices.empty()) {
      w.Key("notices");
      w.StartArray();
      for (const auto& n : o_.notices) {
        w.StartObject();
        w.Key("source"); w.String(SanitizeUtf8(n.source));
        w.Key("line"); w.Int(n.line);
        w.Key("message"); w.String(SanitizeUtf8(n.message));
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    stream.Flush();
    os_ << "\n";
    return true;
  }

 private:
  // `ref`: the result's resource reference as written by WriteResourceRef (RecordInto).
  static void WriteResult(JsonArraySpool::ElementWriter& w, const std::string& ref, const RuleResult& r) {
    w.StartObject();
    w.RawMembers(ref, 1);
    w.Key("rule"); w.String(r.rule());
    w.Key("controls");
    w.StartArray();
    for (const auto& c : r.controls()) w.String(c);
    w.EndArray();
    w.Key("severity"); w.String(ToString(r.severity()));
    w.Key("action"); w.String(ToString(r.action));
    w.Key("result"); w.String(ToString(r.result));
    if (r.field_line > 0) { w.Key("fieldLine"); w.Int(r.field_line); }
    if (!r.message.empty()) { w.Key("message"); w.String(r.message); }
    if (r.result == Outcome::kFail && !r.remediation().empty()) { w.Key("remediation"); w.String(r.remediation()); }
    if (r.result == Outcome::kWaived) {
      w.Key("waiver");
      w.StartObject();
      w.Key("name"); w.String(r.waiver->name);
      w.Key("justification"); w.String(r.waiver->justification);
      w.Key("approvedBy"); w.String(r.waiver->approved_by);
      w.Key("expires"); w.String(r.waiver->expires);
      w.EndObject();
    }
    if (r.expired_waiver) { w.Key("expiredWaiver"); w.String(r.expired_waiver->name); }
    w.EndObject();
  }

  bool SpoolsOk() {
    for (const JsonArraySpool* spool : {&resources_, &results_, &annotations_}) {
      if (!spool->ok()) return Failed(*spool);
    }
    return true;
  }
  bool Failed(const JsonArraySpool& spool) {
    error_ = spool.error();
    return false;
  }

  const Engine& engine_;
  const ReportOptions o_;
  std::ostream& os_;
  Summary summary_;
  // By rule (its RuleInfo: a pointer's hash, not the id's, per result); summed by id at Finish.
  std::unordered_map<const RuleInfo*, Counts> per_rule_;
  // Elements of root.resources, root.results, root.auditAnnotations: two containers deep.
  JsonArraySpool resources_{2}, results_{2}, annotations_{2};
  std::string ref_;  // the current decision's "resource" member, as resources_ wrote it
};

struct Palette {
  const char *red, *yellow, *green, *dim, *bold, *reset;
};

const Palette& Colors(bool on) {
  static const Palette kOn{"\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[1m", "\033[0m"};
  static const Palette kOff{"", "", "", "", "", ""};
  return on ? kOn : kOff;
}

std::string Describe(const ResourceRef& r) {
  std::string out(r.kind());
  out += ' ';
  if (!r.namespace_().empty()) out.append(r.namespace_()) += '/';
  out += r.name().empty() ? "<unnamed>" : r.name();
  return EscapeControls(out);
}

// Text from manifests, file names, packs or waivers, as the terminal shows it.
std::string Shown(std::string_view s) { return EscapeControls(s); }

// `--format text`: each decision is printed as it comes; input errors, notices,
// totals and scores close the report.
class TextSink : public DecisionSink {
 public:
  TextSink(const ReportOptions& o, std::ostream& os) : o_(o), os_(os), c_(Colors(o.color)) {}

  bool Add(const ResourceEvaluation& e) override {
    summary_.Add(e);
    std::ostream& os = os_;
    const Palette& c = c_;
    size_t counts[5] = {0, 0, 0, 0, 0};
    for (const auto& r : e.results) ++counts[static_cast<int>(r.result)];
    const char* mark = e.denied() ? "DENY" : e.warned() ? "WARN" : "OK  ";
    const char* color = e.denied() ? c.red : e.warned() ? c.yellow : c.green;
    os << color << c.bold << mark << c.reset << " " << c.bold << Describe(e.resource) << c.reset << c.dim << "  "
       << Shown(e.resource.source()) << ":" << e.resource.line << c.reset << "\n";
    if (e.results.empty()) {
      os << "     " << c.dim << "no rule applies" << c.reset << "\n";
      return true;
    }
    for (const auto& r : e.results) {
      if (r.result == Outcome::kPass || r.result == Outcome::kSkip) continue;
      const char* rc = r.result == Outcome::kWaived ? c.dim
                       : r.action == Action::kDeny ? c.red
                                                   : c.yellow;
      os << "     " << rc << ToString(r.result) << c.reset << " " << Shown(r.rule()) << " [" << ToString(r.action)
         << ", " << ToString(r.severity());
      for (const auto& ctl : r.controls()) os << ", " << Shown(ctl);
      os << "]\n       " << Shown(r.message);
      if (r.field_line > 0 && r.field_line != e.resource.line) {
        os << c.dim << "  (" << Shown(e.resource.source()) << ":" << r.field_line << ")" << c.reset;
      }
      os << "\n";
      if (r.result == Outcome::kFail && !r.remediation().empty()) {
        os << "       " << c.dim << "fix: " << Shown(r.remediation()) << c.reset << "\n";
      }
      if (r.result == Outcome::kWaived) {
        os << "       " << c.dim << "waived by " << Shown(r.waiver->name) << " (approved by "
           << Shown(r.waiver->approved_by) << ", expires " << Shown(r.waiver->expires)
           << "): " << Shown(r.waiver->justification) << c.reset << "\n";
      }
      if (r.expired_waiver) {
        os << "       " << c.yellow << "waiver " << Shown(r.expired_waiver->name) << " has expired and no longer applies"
           << c.reset << "\n";
      }
    }
    os << "     " << c.dim << counts[0] << " passed, " << counts[1] << " failed, " << counts[2] << " skipped";
    if (counts[3]) os << ", " << Plural(counts[3], "error");
    if (counts[4]) os << ", " << counts[4] << " waived";
    os << c.reset << "\n";
    return true;
  }

  bool Finish(const ScanResult& scan) override {
    std::ostream& os = os_;
    const Palette& c = c_;
    if (o_.list_input_errors) {
      for (const auto& err : scan.errors) os << c.red << Shown(err.ToString()) << c.reset << "\n";
    }
    for (const auto& n : o_.notices) {
      os << c.yellow << Shown(n.source) << (n.line > 0 ? ":" + std::to_string(n.line) : "") << ": note: "
         << Shown(n.message) << c.reset << "\n";
    }
    const Summary& s = summary_;
    os << "\n" << c.bold << Plural(s.resources, "resource") << " in " << Plural(scan.files, "file") << ": " << s.denied
       << " denied, " << s.warned << " warned; rule results " << s.pass << " pass, " << s.fail << " fail, " << s.skip
       << " skip, " << s.error << " error, " << s.waived << " waived" << c.reset;
    if (!scan.errors.empty()) os << c.red << "; " << Plural(scan.errors.size(), "input error") << c.reset;
    os << "\n";
    if (!o_.scores) return true;
    for (const auto& f : o_.scores->Scores()) {
      size_t full = 0;
      for (const auto& ctl : f.controls) full += ctl.score && ctl.failed == 0;
      os << f.title << ": " << c.bold << FormatScore(f.score) << c.reset << " over " << f.evaluated_controls << " of "
         << f.controls.size() << " mapped controls evaluated, " << full << " fully passing\n";
    }
    return true;
  }

 private:
  const ReportOptions o_;
  std::ostream& os_;
  const Palette& c_;
  Summary summary_;
};

}  // namespace

const std::vector<std::string>& ReportFormats() {
  static const std::vector<std::string> kFormats{"text",   "json",         "sarif",      "junit",
                                                 "github", "policyreport", "openreports"};
  return kFormats;
}

namespace {

// `--format policyreport|openreports` (evaluator/evidence/policy_report.h).
class PolicyReportSink : public DecisionSink {
 public:
  PolicyReportSink(const std::vector<PackRef>& packs, const evidence::PolicyReportOptions& options, std::ostream& os)
      : writer_(packs, options, os) {}
  bool Add(const ResourceEvaluation& e) override { return Check(writer_.Add(e)); }
  bool Finish(const ScanResult&) override { return Check(writer_.Finish()); }

 private:
  bool Check(bool ok) {
    if (!ok) error_ = writer_.error();
    return ok;
  }
  evidence::PolicyReportWriter writer_;
};

std::unique_ptr<DecisionSink> MakePolicyReportSink(const std::string& format, const Engine& engine,
                                                   const ReportOptions& o, std::ostream& out) {
  evidence::PolicyReportOptions options;
  if (!evidence::ParsePolicyReportFormat(format, &options.flavor)) return nullptr;
  if (o.now_unix != 0) options.time = std::chrono::system_clock::time_point(std::chrono::seconds(o.now_unix));
  options.include_passes = options.include_skips = o.all_results;  // --results all
  for (const auto& n : o.notices) options.waiver_notices.emplace_back(n.waiver, n.message);
  return std::make_unique<PolicyReportSink>(engine.packs(), options, out);
}

// Feeds a collected scan to a sink: the all-at-once API over the streaming one.
bool WriteAll(DecisionSink& sink, const ReportInput& in) {
  for (const auto& e : in.scan.evaluations) {
    if (!sink.Add(e)) return false;
  }
  return sink.Finish(in.scan);
}

}  // namespace

std::unique_ptr<DecisionSink> MakeReportSink(const std::string& format, const Engine& engine,
                                             const ReportOptions& options, std::ostream& out) {
  if (format == "json") return std::make_unique<JsonSink>(engine, options, out);
  if (format == "text") return std::make_unique<TextSink>(options, out);
  if (format == "sarif") return MakeSarifSink(engine, options, out);
  if (format == "junit") return MakeJunitSink(engine, options, out);
  if (format == "github") return MakeGithubSink(options, out);
  return MakePolicyReportSink(format, engine, options, out);
}

bool WriteReport(const std::string& format, const ReportInput& in, std::ostream& out) {
  std::unique_ptr<DecisionSink> sink = MakeReportSink(format, in.engine, in.Options(), out);
  if (!sink) return false;
  WriteAll(*sink, in);
  return true;
}

void WriteJsonReport(const ReportInput& in, std::ostream& out) { WriteReport("json", in, out); }
void WriteTextReport(const ReportInput& in, std::ostream& out) { WriteReport("text", in, out); }
void WriteSarifReport(const ReportInput& in, std::ostream& out) { WriteReport("sarif", in, out); }
void WriteJunitReport(const ReportInput& in, std::ostream& out) { WriteReport("junit", in, out); }
void WriteGithubReport(const ReportInput& in, std::ostream& out) { WriteReport("github", in, out); }

}  // namespace aimsgate::cli
