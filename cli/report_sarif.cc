// `--format sarif`: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//
// One run; tool.driver lists every rule of every loaded pack (so a rule that
// passes everywhere still shows in the code-scanning rule list); one result
// per `fail`, `waived` (with an external, accepted suppression) and `error`
// outcome.  Locations are the manifest file relative to %SRCROOT% and the line
// of the offending field (field_locator.h) or of the resource.  Input errors
// become toolExecutionNotifications.  Nothing volatile (no times, no absolute
// paths under the working directory) is written, so output is reproducible.
#include <map>
#include <string>

#include <rapidjson/prettywriter.h>

#include "cli/json_out.h"

#include "cli/report.h"
#include "cli/report_util.h"
#include "evaluator/kernel/canonical_json.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::cli {
namespace {


constexpr const char* kInformationUri = "https://github.com/aimsgate/aimsgate";

template <typename Writer>
void Str(Writer& w, std::string_view s) {
  std::string clean = SanitizeUtf8(s);
  w.String(clean.c_str(), static_cast<rapidjson::SizeType>(clean.size()));
}

template <typename Writer>
void Key(Writer& w, const char* k) { w.Key(k); }

// GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9),
// medium (4.0-6.9) and low (0.1-3.9).
const char* SecuritySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical: return "9.5";
    case Severity::kHigh: return "8.0";
    case Severity::kMedium: return "5.5";
    case Severity::kLow: return "3.0";
    case Severity::kInfo: return "1.0";
  }
  return "5.5";
}

const char* SeverityLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    case Severity::kLow:
    case Severity::kInfo: return "note";
  }
  return "warning";
}

// A deny rule reports at its severity's level; a warn rule at most `warning`;
// an audit rule as `note`; a rule that could not be evaluated as `error`.
const char* ResultLevel(const RuleResult& r) {
  if (r.result == Outcome::kError) return "error";
  const char* level = SeverityLevel(r.severity());
  if (r.action == Action::kAudit) return "note";
  if (r.action == Action::kWarn && std::string(level) == "error") return "warning";
  return level;
}

// "owner-assigned" -> "OwnerAssigned" (SARIF reportingDescriptor.name).
std::string RuleName(const std::string& id) {
  std::string out;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_' || c == '.' || c == '/') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

template <typename Writer>
void WriteRule(Writer& w, const Engine::RuleListing& info) {
  const RuleSpec& r = *info.rule;
  std::string title = r.title.empty() ? info.full_id : r.title;
  std::string description = r.description.empty() ? title : r.description;
  w.StartObject();
  Key(w, "id"); Str(w, info.full_id);
  Key(w, "name"); Str(w, RuleName(r.id));
  Key(w, "shortDescription"); w.StartObject(); Key(w, "text"); Str(w, title); w.EndObject();
  Key(w, "fullDescription"); w.StartObject(); Key(w, "text"); Str(w, description); w.EndObject();
  std::string controls = Join(r.controls, ", ");
  std::string text = description + "\n\nRemediation: " + (r.remediation.empty() ? "-" : r.remediation) +
                     "\nISO/IEC 42001 controls: " + (controls.empty() ? "-" : controls) +
                     "\nSeverity: " + ToString(r.severity) + "; action: " + ToString(r.action);
  std::string markdown = "**" + title + "**\n\n" + description + "\n\n**Remediation:** " +
                         (r.remediation.empty() ? "-" : r.remediation) + "\n\n**ISO/IEC 42001 controls:** " +
                         (controls.empty() ? "-" : controls) + "\n\n**Severity:** " + ToString(r.severity) +
                         " · **action:** " + ToString(r.action) + " · **pack:** " + info.pack->name + " " +
                         info.pack->version;
  Key(w, "help");
  w.StartObject();
  Key(w, "text"); Str(w, text);
  Key(w, "markdown"); Str(w, markdown);
  w.EndObject();
  Key(w, "defaultConfiguration");
  w.StartObject();
  Key(w, "level"); w.String(SeverityLevel(r.severity));
  w.EndObject();
  Key(w, "properties");
  w.StartObject();
  Key(w, "tags");
  w.StartArray();
  w.String("iso42001");
  w.String("security");
  for (const auto& c : r.controls) Str(w, c);
  w.EndArray();
  Key(w, "security-severity"); w.String(SecuritySeverity(r.severity));
  Key(w, "severity"); w.String(ToString(r.severity));
  Key(w, "action"); w.String(ToString(r.action));
  Key(w, "pack"); Str(w, info.pack->name);
  w.EndObject();
  w.EndObject();
}

template <typename Writer>
void WritePhysicalLocation(Writer& w, std::string_view source, int line, int column) {
  bool relative = true;
  std::string uri = SourceUri(source, &relative);
  Key(w, "physicalLocation");
  w.StartObject();
  Key(w, "artifactLocation");
  w.StartObject();
  Key(w, "uri"); Str(w, uri);
  if (relative) { Key(w, "uriBaseId"); w.String("%SRCROOT%"); }
  w.EndObject();
  if (line > 0) {
    Key(w, "region");
    w.StartObject();
    Key(w, "startLine"); w.Int(line);
    if (column > 0) { Key(w, "startColumn"); w.Int(column); }
    w.EndObject();
  }
  w.EndObject();
}

template <typename Writer>
void WriteResult(Writer& w, const ResourceEvaluation& e, const RuleResult& r, int rule_index) {
  w.StartObject();
  Key(w, "ruleId"); Str(w, r.rule());
  if (rule_index >= 0) { Key(w, "ruleIndex"); w.Int(rule_index); }
  Key(w, "kind"); w.String("fail");
  Key(w, "level"); w.String(ResultLevel(r));
  std::string text = r.result == Outcome::kError ? "Rule could not be evaluated: " + r.message : r.message;
  if (text.empty()) text = r.title().empty() ? r.rule() + " failed" : r.title();
  if (r.expired_waiver) text += " (waiver " + r.expired_waiver->name + " has expired and no longer applies)";
  Key(w, "message"); w.StartObject(); Key(w, "text"); Str(w, text); w.EndObject();
  Key(w, "locations");
  w.StartArray();
  w.StartObject();
  if (e.resource.source() != kStdinSource && !e.resource.source().empty()) {
    WritePhysicalLocation(w, e.resource.source(), ResultLine(e, r), 0);
  }
  Key(w, "logicalLocations");
  w.StartArray();
  w.StartObject();
  Key(w, "name"); Str(w, e.resource.name().empty() ? "<unnamed>" : e.resource.name());
  Key(w, "fullyQualifiedName"); Str(w, QualifiedName(e.resource));
  Key(w, "kind"); w.String("resource");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  // Stable across line moves: the rule and the resource's identity, not its line.
  std::string identity = r.rule();
  const ResourceRef& res = e.resource;
  for (std::string_view part : {res.source(), res.api_version(), res.kind(), res.namespace_(), res.name()}) {
    identity.append(1, '\n').append(part);
  }
  Key(w, "partialFingerprints");
  w.StartObject();
  Key(w, "aimsgateResource/v1"); w.String(kernel::Sha256Hex(identity).c_str());
  w.EndObject();
  if (r.result == Outcome::kWaived) {
    Key(w, "suppressions");
    w.StartArray();
    w.StartObject();
    Key(w, "kind"); w.String("external");
    Key(w, "status"); w.String("accepted");
    Key(w, "justification"); Str(w, r.waiver->justification);
    Key(w, "properties");
    w.StartObject();
    Key(w, "waiver"); Str(w, r.waiver->name);
    Key(w, "approvedBy"); Str(w, r.waiver->approved_by);
    Key(w, "expires"); Str(w, r.waiver->expires);
    w.EndObject();
    w.EndObject();
    w.EndArray();
  }
  Key(w, "properties");
  w.StartObject();
  Key(w, "outcome"); w.String(ToString(r.result));
  Key(w, "action"); w.String(ToString(r.action));
  Key(w, "severity"); w.String(ToString(r.severity()));
  Key(w, "controls");
  w.StartArray();
  for (const auto& c : r.controls()) Str(w, c);
  w.EndArray();
  if (r.result == Outcome::kFail && !r.remediation().empty()) { Key(w, "remediation"); Str(w, r.remediation()); }
  Key(w, "resource");
  w.StartObject();
  Key(w, "apiVersion"); Str(w, e.resource.api_version());
  Key(w, "kind"); Str(w, e.resource.kind());
  if (!e.resource.namespace_().empty()) { Key(w, "namespace"); Str(w, e.resource.namespace_()); }
  Key(w, "name"); Str(w, e.resource.name());
  Key(w, "line"); w.Int(e.resource.line);
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

// The header's invocation says whether the run had input errors, so the results
// (the only part that grows with the input) are spooled and copied in at Finish.
class SarifSink : public DecisionSink {
 public:
  SarifSink(const Engine& engine, const ReportOptions& o, std::ostream& os)
      : engine_(engine), o_(o), os_(os), rules_(engine.rules()) {
    for (size_t i = 0; i < rules_.size(); ++i) index_.emplace(rules_[i].full_id, static_cast<int>(i));
  }

  bool Add(const ResourceEvaluation& e) override {
    for (const auto& r : e.results) {
      if (r.result != Outcome::kFail && r.result != Outcome::kWaived && r.result != Outcome::kError) continue;
      auto it = index_.find(r.rule());
      results_.Add([&](auto& w) { WriteResult(w, e, r, it == index_.end() ? -1 : it->second); });
    }
    if (results_.ok()) return true;
    error_ = results_.error();
    return false;
  }

  bool Finish(const ScanResult& scan) override;

 private:
  const Engine& engine_;
  const ReportOptions o_;
  std::ostream& os_;
  std::vector<Engine::RuleListing> rules_;
  std::map<std::string, int> index_;
  JsonArraySpool results_{4};  // root, runs, the run, results
};

bool SarifSink::Finish(const ScanResult& scan) {
  std::ostream& os = os_;
  JsonOut stream(os);
  aimsgate::JsonPrettyWriter<JsonOut> w(stream);
  w.SetIndent(' ', 2);
  w.StartObject();
  Key(w, "$schema"); w.String("https://json.schemastore.org/sarif-2.1.0.json");
  Key(w, "version"); w.String("2.1.0");
  Key(w, "runs");
  w.StartArray();
  w.StartObject();
  Key(w, "tool");
  w.StartObject();
  Key(w, "driver");
  w.StartObject();
  Key(w, "name"); w.String("aimsgate");
  Key(w, "version"); w.String(AIMSGATE_VERSION);
  Key(w, "semanticVersion"); w.String(AIMSGATE_VERSION);
  Key(w, "informationUri"); w.String(kInformationUri);
  Key(w, "rules");
  w.StartArray();
  for (const auto& info : rules_) WriteRule(w, info);
  w.EndArray();
  w.EndObject();
  w.EndObject();

  Key(w, "invocations");
  w.StartArray();
  w.StartObject();
  Key(w, "executionSuccessful"); w.Bool(scan.errors.empty());
  if (!o_.notices.empty()) {
    Key(w, "toolConfigurationNotifications");
    w.StartArray();
    for (const auto& n : o_.notices) {
      w.StartObject();
      Key(w, "level"); w.String("note");
      Key(w, "message"); w.StartObject(); Key(w, "text"); Str(w, n.message); w.EndObject();
      Key(w, "locations");
      w.StartArray();
      w.StartObject();
      WritePhysicalLocation(w, n.source, n.line, 0);
      w.EndObject();
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  }
  if (!scan.errors.empty()) {
    Key(w, "toolExecutionNotifications");
    w.StartArray();
    for (const auto& err : scan.errors) {
      w.StartObject();
      Key(w, "level"); w.String("error");
      Key(w, "message"); w.StartObject(); Key(w, "text"); Str(w, err.message); w.EndObject();
      if (err.source != kStdinSource && !err.source.empty() && err.source[0] != '-') {
        Key(w, "locations");
        w.StartArray();
        w.StartObject();
        WritePhysicalLocation(w, err.source, err.line, err.column);
        w.EndObject();
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();

  Key(w, "results");
  if (!results_.WriteTo(w, stream, os)) {
    error_ = results_.error();
    return false;
  }
  Key(w, "properties");
  w.StartObject();
  Key(w, "packs");
  w.StartArray();
  for (const auto& p : engine_.packs()) {
    w.StartObject();
    Key(w, "name"); Str(w, p.name);
    Key(w, "version"); Str(w, p.version);
    Key(w, "digest"); Str(w, p.digest);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  stream.Flush();
  os << "\n";
  return true;
}

}  // namespace

std::unique_ptr<DecisionSink> MakeSarifSink(const Engine& engine, const ReportOptions& options, std::ostream& out) {
  return std::make_unique<SarifSink>(engine, options, out);
}

}  // namespace aimsgate::cli
