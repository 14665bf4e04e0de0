// Report writers for `aimsgate check` (SPEC §2): each turns a scan into one
// output format.  New formats (sarif, junit, github, policyreport) plug in here.
//
//   ReportInput in{engine.packs(), engine.rules(), scan};
//   WriteJsonReport(in, std::cout);
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/scan.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

struct Summary {
  size_t resources = 0, pass = 0, fail = 0, skip = 0, error = 0, waived = 0, denied = 0, warned = 0;
};
Summary Summarize(const ScanResult& scan);

struct ReportInput {
  const Engine& engine;
  const ScanResult& scan;
  bool color = false;  // text only: ANSI colours (stdout is a terminal)
};

void WriteJsonReport(const ReportInput& in, std::ostream& out);
void WriteTextReport(const ReportInput& in, std::ostream& out);

// Dispatches on a format name; false for an unknown one.
bool WriteReport(const std::string& format, const ReportInput& in, std::ostream& out);
// Format names accepted by --format.
const std::vector<std::string>& ReportFormats();

}  // namespace aimsgate::cli
