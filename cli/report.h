// Report writers for `aimsgate check` (SPEC §2): each turns a scan into one
// output format.
//
//   ReportInput in{*engine, scan};
//   WriteReport("sarif", in, file);      // or WriteSarifReport(in, file)
//
// Formats: text (humans), json (SPEC §2, stable), sarif (report_sarif.cc,
// GitHub code scanning), junit (report_junit.cc, GitLab/Jenkins), github
// (report_github.cc, Actions annotations), and policyreport / openreports when
// the evidence library provides them.  Every writer lists results in scan
// order (file, document), points at the offending field's line where the scan
// found one (RuleResult::field_line) and writes nothing time- or
// machine-dependent, so the same scan gives byte-identical reports.
//
// Thread-safety: writers only read their input.  Cost: linear in the results.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/scan.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/framework_scores.h"

namespace aimsgate::cli {

struct Summary {
  size_t resources = 0, pass = 0, fail = 0, skip = 0, error = 0, waived = 0, denied = 0, warned = 0;
};
Summary Summarize(const ScanResult& scan);

// Something the reader should act on that is neither a result nor an input
// error, e.g. "waiver 'x' expires in 5 days". Every format shows it.
struct ReportNotice {
  std::string source;
  int line = 0;
  std::string message;
  std::string waiver;  // the waiver it is about (policy reports mark its waived results)
};

struct ReportInput {
  const Engine& engine;
  const ScanResult& scan;
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

// Dispatches on a format name; false for an unknown one.
bool WriteReport(const std::string& format, const ReportInput& in, std::ostream& out);
// Format names accepted by --format.
const std::vector<std::string>& ReportFormats();

}  // namespace aimsgate::cli
