#include "cli/soa.h"

#include <algorithm>
#include <unordered_map>

#include <yaml-cpp/yaml.h>

#include "evaluator/evidence/log/merged_log.h"
#include "evaluator/evidence/report/report.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/yaml_node.h"

namespace aimsgate::cli {
namespace {

std::string Str(const aimsgate::JsonValue& v, const char* key) {
  if (!v.IsObject()) return "";
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : "";
}

}  // namespace

bool LoadApplicability(const std::string& path, const Framework& framework, Applicability* out,
                       std::vector<Diagnostic>* diagnostics) {
  const size_t before = diagnostics->size();
  auto error = [&](const YAML::Node& n, const std::string& message) {
    SourcePos p = PosOf(n);
    diagnostics->push_back({path, p.line, p.column, message});
  };
  auto check_keys = [&](const YAML::Node& map, const char* what, std::initializer_list<const char*> allowed) {
    if (!map.IsMap()) {
      error(map, std::string(what) + " must be a mapping");
      return false;
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        error(kv.first, "unknown field '" + key + "' in " + what + " (expected one of: " + list + ")");
      }
    }
    return true;
  };
  std::string read_error;
  auto file = SourceFile::Read(path, &read_error);
  if (!file) {
    diagnostics->push_back({path, 0, 0, "cannot read applicability: " + read_error});
    return false;
  }
  YAML::Node doc;
  try {
    doc = LoadYamlChecked(file->text());
  } catch (const YAML::Exception& e) {
    diagnostics->push_back({path, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return false;
  }
  if (!doc.IsMap() || !doc["kind"] || doc["kind"].Scalar() != "Applicability") {
    diagnostics->push_back({path, 1, 1, "not a kind: Applicability document"});
    return false;
  }
  try {
    check_keys(doc, "Applicability", {"apiVersion", "kind", "metadata", "spec"});
    if (YAML::Node md = doc["metadata"]; md && md.IsMap() && md["name"]) out->name = md["name"].Scalar();
    YAML::Node spec = doc["spec"];
    if (!spec || !check_keys(spec, "spec", {"framework", "scope", "controls"})) {
      if (!spec) error(doc, "Applicability is missing required field 'spec'");
      return false;
    }
    const std::string fw = spec["framework"] ? spec["framework"].Scalar() : "";
    if (fw != framework.id) {
      error(spec["framework"] ? spec["framework"] : spec,
            "applicability is for framework '" + fw + "', not '" + framework.id + "'");
    }
    YAML::Node controls = spec["controls"];
    if (controls && !controls.IsSequence()) error(controls, "controls must be a list");
    if (controls && controls.IsSequence()) {
      for (const auto& c : controls) {
        if (!check_keys(c, "controls entry", {"id", "applicable", "justification", "implementation"})) continue;
        const std::string id = c["id"] ? c["id"].Scalar() : "";
        if (!framework.Find(id)) {
          error(c["id"] ? c["id"] : c, "unknown " + framework.id + " control '" + id + "'");
          continue;
        }
        if (out->controls.count(id)) error(c["id"], "control '" + id + "' is listed twice");
        ApplicabilityEntry e;
        if (YAML::Node a = c["applicable"]) {
          if (!a.IsScalar() || (a.Scalar() != "true" && a.Scalar() != "false")) error(a, "applicable must be true or false");
          e.applicable = a.Scalar() != "false";
        }
        if (c["justification"]) e.justification = c["justification"].Scalar();
        if (c["implementation"]) e.implementation = c["implementation"].Scalar();
        if (!e.applicable && e.justification.empty()) {
          error(c, "control '" + id + "' is excluded without a justification (clause 6.1.3 d requires one)");
        }
        out->controls[id] = e;
      }
    }
  } catch (const YAML::Exception& e) {
    diagnostics->push_back({path, e.mark.line + 1, e.mark.column + 1, e.msg});
  }
  return diagnostics->size() == before;
}

std::string SoaRow::Status() const {
  if (!applicable) return "excluded";
  if (rules.empty()) return control->check == "organisational" ? "organisational" : "not automated";
  if (records == 0) return "no evidence";
  if (failed > 0) return "findings";
  return "effective";
}

SoaTable BuildSoa(const Framework& framework, const Engine& engine, const Applicability& applicability,
                  const std::vector<std::string>& evidence_files) {
  SoaTable t{&framework, applicability.name, evidence_files, 0, true, {}};
  std::unordered_map<std::string, std::vector<size_t>> rows_by_rule;
  for (const auto& c : framework.controls) {
    SoaRow row;
    row.control = &c;
    auto a = applicability.controls.find(c.id);
    if (a != applicability.controls.end()) {
      row.applicable = a->second.applicable;
      row.justification = a->second.justification;
      row.implementation = a->second.implementation;
    }
    t.rows.push_back(row);
  }
  for (const auto& r : engine.rules()) {
    auto it = r.rule->framework_controls.find(framework.id);
    if (it == r.rule->framework_controls.end()) continue;
    for (size_t i = 0; i < t.rows.size(); ++i) {
      const auto& ids = it->second;
      if (std::find(ids.begin(), ids.end(), t.rows[i].control->id) == ids.end()) continue;
      t.rows[i].rules.push_back(r.full_id);
      rows_by_rule[r.full_id].push_back(i);
    }
  }
  if (evidence_files.empty()) return t;
  const evidence::VerifyOptions verify_options;  // MergedLog keeps a reference: must outlive it
  evidence::MergedLog log(evidence_files, verify_options);
  const evidence::Entry* e;
  size_t file;
  bool verified;
  std::vector<size_t> touched;
  while (log.Next(&e, &file, &verified)) {
    const aimsgate::JsonValue& rec = e->doc;
    if (Str(rec, "type") != "" && Str(rec, "type") != "decision") continue;
    ++t.records;  // a minimal record (no rule applied: no "results") is a decision record too
    auto results = rec.FindMember("results");
    if (results == rec.MemberEnd() || !results->value.IsArray()) continue;
    touched.clear();
    for (const auto& r : results->value.GetArray()) {
      const std::string outcome = Str(r, "result");
      if (outcome == "skip" || outcome.empty()) continue;
      auto rows = rows_by_rule.find(Str(r, "rule"));
      if (rows == rows_by_rule.end()) continue;
      const bool failed = outcome == "fail" || outcome == "error";
      for (size_t i : rows->second) {
        ++(failed ? t.rows[i].failed : t.rows[i].passed);
        if (std::find(touched.begin(), touched.end(), i) == touched.end()) touched.push_back(i);
      }
    }
    const std::string time = Str(rec, "time");
    for (size_t i : touched) {
      ++t.rows[i].records;
      if (time > t.rows[i].last_decision) t.rows[i].last_decision = time;
    }
  }
  for (const auto& v : log.Finish()) t.chains_intact = t.chains_intact && v.ok;
  return t;
}

namespace {

std::string Implementation(const SoaRow& r) {
  if (!r.rules.empty()) {
    std::string s;
    for (const auto& id : r.rules) s += (s.empty() ? "" : ", ") + id;
    return s;
  }
  std::string s = r.control->check == "organisational" ? "organisational" : "not automated by the loaded packs";
  if (!r.implementation.empty()) s += ": " + r.implementation;
  else if (!r.control->why.empty()) s += " (" + r.control->why + ")";
  return s;
}

std::string Evidence(const SoaRow& r) {
  if (r.rules.empty()) return "-";
  if (r.records == 0) return "no records";
  return std::to_string(r.records) + " records, " + std::to_string(r.passed) + " passed, " + std::to_string(r.failed) +
         " failed, last " + r.last_decision;
}

std::string MdCell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

// RFC 4180, and cells a spreadsheet would run as a formula start with '.
std::string CsvCell(const std::string& s) {
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

void RenderSoa(const SoaTable& t, SoaFormat format, std::ostream& out) {
  const std::string title = "Statement of Applicability: " + t.framework->title;
  std::string scope = t.applicability_name.empty() ? "" : "Applicability: " + t.applicability_name + ". ";
  scope += t.evidence_files.empty() ? "No evidence logs given."
                                    : "Evidence: " + std::to_string(t.records) + " decision records from " +
                                          std::to_string(t.evidence_files.size()) + " log(s), hash chains " +
                                          (t.chains_intact ? "intact" : "BROKEN") + " (signatures not checked).";
  if (format == SoaFormat::kCsv) {
    out << "id,title,applicable,justification,implementation,records,passed,failed,lastDecision,status\r\n";
    for (const auto& r : t.rows) {
      out << CsvCell(r.control->id) << "," << CsvCell(r.control->title) << "," << (r.applicable ? "yes" : "no") << ","
          << CsvCell(r.justification) << "," << CsvCell(Implementation(r)) << "," << r.records << "," << r.passed << ","
          << r.failed << "," << CsvCell(r.last_decision) << "," << r.Status() << "\r\n";
    }
    return;
  }
  if (format == SoaFormat::kMarkdown) {
    out << "# " << title << "\n\n" << scope << "\n\n"
        << "| control | title | applicable | justification | implementation | automated evidence | status |\n"
        << "|---|---|---|---|---|---|---|\n";
    for (const auto& r : t.rows) {
      out << "| " << MdCell(r.control->id) << " | " << MdCell(r.control->title) << " | " << (r.applicable ? "yes" : "no")
          << " | " << MdCell(r.justification) << " | " << MdCell(Implementation(r)) << " | " << MdCell(Evidence(r))
          << " | " << r.Status() << " |\n";
    }
    return;
  }
  using evidence::HtmlEscape;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << HtmlEscape(title)
      << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}th{background:#f4f4f4}"
         ".excluded{color:#777}.findings{color:#b00}.effective{color:#070}</style></head><body>\n<h1>"
      << HtmlEscape(title) << "</h1>\n<p>" << HtmlEscape(scope) << "</p>\n<table id=\"soa\">\n"
      << "<tr><th>control</th><th>title</th><th>applicable</th><th>justification</th><th>implementation</th>"
         "<th>automated evidence</th><th>status</th></tr>\n";
  for (const auto& r : t.rows) {
    out << "<tr data-control=\"" << HtmlEscape(r.control->id) << "\" class=\"" << r.Status() << "\"><td>"
        << HtmlEscape(r.control->id) << "</td><td>" << HtmlEscape(r.control->title) << "</td><td data-metric=\"applicable\">"
        << (r.applicable ? "yes" : "no") << "</td><td>" << HtmlEscape(r.justification) << "</td><td>"
        << HtmlEscape(Implementation(r)) << "</td><td data-metric=\"evidence\" data-passed=\"" << r.passed
        << "\" data-failed=\"" << r.failed << "\">" << HtmlEscape(Evidence(r)) << "</td><td data-metric=\"status\">"
        << r.Status() << "</td></tr>\n";
  }
  out << "</table>\n</body></html>\n";
}

}  // namespace aimsgate::cli
