// `aimsgate evidence report`: renders one or more evidence logs for auditors.
//
//   evidence::ReportOptions opts;
//   opts.files = {"evidence-pod-a.jsonl", "evidence-pod-b.jsonl"};   // merged in time order
//   opts.format = evidence::ReportFormat::kHtml;                    // kMarkdown, kCsv
//   evidence::ParseTime("2026-11-01", &opts.since.emplace());
//   opts.verify.keys.push_back(pub);                                // optional
//   std::ofstream out("report.html");
//   evidence::ReportData data;
//   evidence::Status s = evidence::WriteEvidenceReport(opts, out, &data);
//   // s: I/O problems; data.verified(): the chains are intact
//
// HTML: one self-contained file (inline CSS and SVG, no script, no network) with the
// verification result, compliance per ISO/IEC 42001 control, decisions over time, top
// failing rules, per namespace, per AI system, waivers with expiry and the packs in force.
// Every number sits in an element with a data-* attribute (data-control, data-metric, ...)
// so tests and scrapers can read it. Markdown: the same tables for pull requests. CSV: one
// row per rule result (RFC 4180; cells starting with = + - @ are prefixed with ' so that
// spreadsheets do not run them as formulas).
//
// The logs are streamed (one line per file in memory); --since/--until filter on the
// record time (inclusive since, exclusive until). Thread-safety: independent calls may run
// in parallel.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/evidence/report/report_model.h"
#include "evaluator/evidence/log/status.h"
#include "evaluator/evidence/log/verifier.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {

// kTrendCsv: the HTML report's control score trend as CSV, one row per framework, control and
// period (framework,period,control,title,passed,failed,score), every framework a rule maps to.
enum class ReportFormat { kHtml, kMarkdown, kCsv, kTrendCsv };
// "html" | "md" | "markdown" | "csv" | "trend-csv".
bool ParseReportFormat(std::string_view text, ReportFormat* out);

struct ReportOptions {
  std::vector<std::string> files;
  ReportFormat format = ReportFormat::kHtml;
  std::optional<std::chrono::system_clock::time_point> since, until;
  VerifyOptions verify;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::string title = "aimsgate evidence report";
  // Packs whose rules' framework mappings chart the EU AI Act and NIST AI RMF trends (and ISO's
  // for records without controls); empty = the built-in packs (`evidence report --rules`).
  std::vector<std::string> rule_packs;
};

// Streams the logs once and writes the report. `*data` receives the aggregates and the
// verification results. Error status: a file could not be read (the report is still
// written, showing the failure).
Status WriteEvidenceReport(const ReportOptions& options, std::ostream& out, ReportData* data);

// Renderers over aggregated data (CSV is streamed by WriteEvidenceReport itself).
void RenderHtml(const ReportData& data, const ReportOptions& options, std::ostream& out);
void RenderMarkdown(const ReportData& data, const ReportOptions& options, std::ostream& out);
void RenderTrendCsv(const ReportData& data, std::ostream& out);

// Writes the CSV header / one row per rule result of `record`.
void WriteCsvHeader(std::ostream& out);
void WriteCsvRows(const aimsgate::JsonValue& record, const std::string& file, bool verified,
                  std::ostream& out);

std::string HtmlEscape(std::string_view s);

}  // namespace aimsgate::evidence
