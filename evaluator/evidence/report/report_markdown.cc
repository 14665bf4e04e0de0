#include <algorithm>
#include <sstream>

#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/report/report.h"

namespace aimsgate::evidence {
namespace {

// Markdown table cells: escape the pipe and drop newlines.
std::string Md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out.push_back(c);
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "—" : out;
}

// The current state per AI system (issue 19 item 13): what the person who signs reads first.
void WriteCurrentStateMarkdown(const ReportData& d, std::ostream& out) {
  out << "\n### Current state per AI system\n\n"
         "Latest decision per system; owner and risk tier from its annotations; open findings and waivers of "
         "each of its resources' latest record; the rate counts each resource once per day.\n\n"
         "| System | Owner | Risk tier | Latest decision | At | Resource | Open findings | Waivers in force | "
         "Waivers expired | Rate |\n"
         "|---|---|---|---|---|---|---:|---|---|---:|\n";
  for (const auto& [system, st] : d.current) {
    std::vector<std::string> in_force, expired;
    st.Waivers(d.now, &in_force, &expired);
    out << "| " << Md(system) << " | " << Md(st.owner.empty() ? "—" : st.owner) << " | "
        << Md(st.risk_tier.empty() ? "—" : st.risk_tier) << " | " << Md(st.last_decision) << " | " << Md(st.last_time) << " | "
        << Md(st.last_resource) << " | " << st.OpenFindings() << " | " << Md(JoinNames(in_force)) << " | "
        << Md(JoinNames(expired)) << " | " << FormatRate(st.DailyCounts().Rate()) << " |\n";
  }
  if (d.current.empty()) out << "| _no AI system (aimsgate.io/system-id) in the records_ | | | | | | | | | |\n";
  if (d.records_without_system > 0) {
    out << "\n" << d.records_without_system
        << " record(s) of objects without a system id (not AI systems, or undeclared) are left out of this table.\n";
  }
}

// Who and what per decision: the last records, with user or CI actor,
// operation and commit (issue 19 item 12).
void WriteLatestDecisionsMarkdown(const ReportData& d, std::ostream& out) {
  if (d.latest.empty()) return;
  out << "\n### Latest decisions\n\n| Time | Source | Resource | Decision | User or actor | Operation | Commit |\n"
         "|---|---|---|---|---|---|---|\n";
  for (auto it = d.latest.rbegin(); it != d.latest.rend(); ++it) {
    out << "| " << Md(it->time) << " | " << Md(it->source) << " | " << Md(it->resource) << " | "
        << Md(it->decision) << " | " << (it->actor.empty() ? "—" : Md(it->actor)) << " | " << Md(it->operation)
        << " | " << (it->commit.empty() ? "—" : "`" + Md(it->commit.substr(0, 12)) + "`") << " |\n";
  }
}

}  // namespace

void RenderMarkdown(const ReportData& d, const ReportOptions& o, std::ostream& out) {
  out << "## " << Md(o.title) << "\n\n";
  out << "**Integrity: " << IntegrityStatus(d.verification) << "**\n\n";
  for (const VerifyResult& r : d.verification) {
    out << "- `" << Md(r.file) << "`: " << (r.ok ? "OK" : "FAILED — " + Md(r.ErrorLine())) << ", "
        << r.records << " records, " << r.checkpoints << " checkpoints, unsigned tail "
        << r.unsigned_tail << "\n";
  }
  out << "\n| Records | Allowed | Warned | Denied | Pass | Fail | Waived | Skipped | Compliance |\n"
         "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n| "
      << d.records << " | " << d.decisions.allow << " | " << d.decisions.warn << " | "
      << d.decisions.deny << " | " << d.results.pass << " | " << d.results.fail << " | "
      << d.results.waived << " | " << d.results.skip << " | " << FormatRate(d.results.Rate()) << " |\n\n";
  if (!d.first_time.empty()) out << "Period: " << d.first_time << " to " << d.last_time << "\n\n";

  out << "### Compliance per ISO/IEC 42001 control\n";
  const std::vector<std::string> controls = ControlsInOrder(d);
  for (size_t i = 0; i < controls.size(); ++i) {
    const std::string& c = controls[i];
    if (i == 0 || IsAnnexA(c) != IsAnnexA(controls[i - 1])) {
      out << "\n#### " << (IsAnnexA(c) ? "Annex A controls" : "Clauses (management system requirements)")
          << "\n\n| Control | Pass | Fail | Waived | Error | Skip | Rate |\n|---|---:|---:|---:|---:|---:|---:|\n";
    }
    const OutcomeCounts& k = d.controls.at(c);
    out << "| " << Md(c) << " | " << k.pass << " | " << k.fail << " | " << k.waived << " | "
        << k.error << " | " << k.skip << " | " << FormatRate(k.Rate()) << " |\n";
  }
  WriteCurrentStateMarkdown(d, out);
  auto top = d.TopFailingRules(10);
  if (!top.empty()) {
    out << "\n### Top failing rules\n\n| Rule | Controls | Severity | Action | Fail |\n|---|---|---|---|---:|\n";
    for (const auto& [rule, rs] : top) {
      std::string controls;
      for (const std::string& c : rs->controls) controls += (controls.empty() ? "" : ", ") + c;
      out << "| `" << Md(rule) << "` | " << Md(controls) << " | " << rs->severity << " | "
          << rs->action << " | " << rs->counts.fail << " |\n";
    }
  }
  out << "\n### Per namespace\n\n| Namespace | Records | Denied | Fail | Rate |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [ns, g] : d.namespaces) {
    out << "| " << (ns.empty() ? "_cluster-scoped_" : Md(ns)) << " | " << g.decisions.Total()
        << " | " << g.decisions.deny << " | " << g.results.fail << " | "
        << FormatRate(g.results.Rate()) << " |\n";
  }
  out << "\n### Per AI system\n\n| System | Records | Denied | Fail | Rate |\n|---|---:|---:|---:|---:|\n";
  for (const auto& [s, g] : d.systems) {
    out << "| " << (s.empty() ? "_not declared_" : Md(s)) << " | " << g.decisions.Total() << " | "
        << g.decisions.deny << " | " << g.results.fail << " | " << FormatRate(g.results.Rate())
        << " |\n";
  }
  if (!d.waivers.empty()) {
    out << "\n### Waivers\n\n| Waiver | Approved by | Expires | Uses |\n|---|---|---|---:|\n";
    for (const auto& [name, w] : d.waivers) {
      std::chrono::system_clock::time_point t;
      bool expired = ParseTime(w.expires, &t) && t <= d.now;
      out << "| " << Md(name) << " | " << Md(w.approved_by) << " | " << Md(w.expires)
          << (expired ? " (expired)" : "") << " | " << w.uses << " |\n";
    }
  }
  WriteLatestDecisionsMarkdown(d, out);
  if (!d.packs.empty()) {
    out << "\n### Packs in force\n\n| Pack | Version | Digest |\n|---|---|---|\n";
    for (const auto& [key, p] : d.packs) {
      out << "| " << Md(p.name) << " | " << Md(p.version) << " | `" << Md(p.digest) << "` |\n";
    }
  }
}

}  // namespace aimsgate::evidence
