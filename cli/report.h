// Report writers for `aimsgate check` (SPEC §2): each is a sink that takes a
// run's decisions one at a time, in scan order, then the run's totals.
//
//   ReportOptions options;  options.scores = &scores;
//   std::unique_ptr<DecisionSink> json = MakeReportSink("json", *engine, options, file);
//   Scan(*engine, scan_options, [&](Decision& d) { return json->Add(d); });
//   if (!json->Finish(scan)) fail(json->error());    // e.g. the spool's disk is full
//
//   WriteReport("sarif", ReportInput{*engine, collected}, file);   // all at once (tests)
//
// Formats: text (humans), json (SPEC §2, stable), sarif (report_sarif.cc,
// GitHub code scanning), junit (report_junit.cc, GitLab/Jenkins), github
// (report_github.cc, Actions annotations), and policyreport / openreports when
// the evidence library provides them.  Every writer lists results in scan
// order (file, document), points at the offending field's line where the scan
// found one (RuleResult::field_line) and writes nothing time- or
// machine-dependent, so the same scan gives byte-identical reports.
//
// Streaming: no sink keeps decisions.  text and github write each decision as it
// comes; json, sarif and junit, whose headers carry totals (summary, executionSuccessful,
// counts), keep counters and spool their body to a temporary file (kernel/spool.h),
// then write header and body at Finish; policyreport spools per namespace.  Memory is
// one decision plus counters per rule, pack and namespace.
//
// Thread-compatible: feed a sink from one thread.  Cost: linear in the results.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/scan.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/framework_scores.h"

namespace aimsgate::cli {

struct Summary {
  size_t resources = 0, pass = 0, fail = 0, skip = 0, error = 0, waived = 0, denied = 0, warned = 0;
  void Add(const ResourceEvaluation& decision);
};
Summary Summarize(const CollectedScan& scan);

// Something the reader should act on that is neither a result nor an input
// error, e.g. "waiver 'x' expires in 5 days". Every format shows it.
struct ReportNotice {
  std::string source;
  int line = 0;
  std::string message;
  std::string waiver;  // the waiver it is about (policy reports mark its waived results)
};

// How a report is written (the same for every decision of a run).
struct ReportOptions {
  bool color = false;  // text only: ANSI colours (stdout is a terminal)
  int64_t now_unix = 0;  // --now; reports that carry a time use it (0 = the current time)
  const FrameworkScores* scores = nullptr;  // text and json, read at Finish: one summary per framework
  // text only: list input errors (check prints them on stderr instead when the
  // text report is on stdout, so a CI log shows each once); the count stays.
  bool list_input_errors = true;
  std::vector<ReportNotice> notices = {};
  // json and policyreport: list every (resource, rule) pair (--results all), not only
  // fail, error and waived ones; pass and skip are counted per resource and rule either way.
  bool all_results = false;
};

// A report of a format (ReportFormats()) to `out`; nullptr for an unknown format.
std::unique_ptr<DecisionSink> MakeReportSink(const std::string& format, const Engine& engine,
                                             const ReportOptions& options, std::ostream& out);

// A whole collected scan at once (tests, small inputs): the fields of ReportOptions.
struct ReportInput {
  const Engine& engine;
  const CollectedScan& scan;
  bool color = false;  // text only: ANSI colours (stdout is a terminal)
  int64_t now_unix = 0;  // --now; reports that carry a time use it (0 = the current time)
  const FrameworkScores* scores = nullptr;  // text and json: one summary per framework
  // text only: list input errors (check prints them on stderr instead when the
  // text report is on stdout, so a CI log shows each once); the count stays.
  bool list_input_errors = true;
  std::vector<ReportNotice> notices = {};
  // json and policyreport: list every (resource, rule) pair (--results all), not only
  // fail, error and waived ones; pass and skip are counted per resource and rule either way.
  bool all_results = false;
  ReportOptions Options() const { return {color, now_unix, scores, list_input_errors, notices, all_results}; }
};

// The JSON report's apiVersion: v1alpha2 lists findings by default and counts the rest
// (`resources`, `rules`); summary.listing says which listing `results` carries.
inline constexpr const char* kCheckReportApiVersion = "aimsgate.io/v1alpha2";

// The key FrameworkScores counts a resource under: file, document, item and identity.
std::string ResourceKey(const ResourceRef& r);

void WriteJsonReport(const ReportInput& in, std::ostream& out);
void WriteTextReport(const ReportInput& in, std::ostream& out);
void WriteSarifReport(const ReportInput& in, std::ostream& out);
void WriteJunitReport(const ReportInput& in, std::ostream& out);
void WriteGithubReport(const ReportInput& in, std::ostream& out);

// The sinks of report_sarif.cc, report_junit.cc and report_github.cc (MakeReportSink dispatches).
std::unique_ptr<DecisionSink> MakeSarifSink(const Engine& engine, const ReportOptions& options, std::ostream& out);
std::unique_ptr<DecisionSink> MakeJunitSink(const Engine& engine, const ReportOptions& options, std::ostream& out);
std::unique_ptr<DecisionSink> MakeGithubSink(const ReportOptions& options, std::ostream& out);

// Dispatches on a format name; false for an unknown one.
bool WriteReport(const std::string& format, const ReportInput& in, std::ostream& out);
// Format names accepted by --format.
const std::vector<std::string>& ReportFormats();

}  // namespace aimsgate::cli
