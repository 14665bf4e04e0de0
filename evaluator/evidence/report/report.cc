#include "evaluator/evidence/report/report.h"

#include "evaluator/evidence/log/merged_log.h"
#include "evaluator/evidence/log/record.h"

namespace aimsgate::evidence {

bool ParseReportFormat(std::string_view text, ReportFormat* out) {
  if (text == "html") *out = ReportFormat::kHtml;
  else if (text == "md" || text == "markdown") *out = ReportFormat::kMarkdown;
  else if (text == "csv") *out = ReportFormat::kCsv;
  else if (text == "trend-csv") *out = ReportFormat::kTrendCsv;
  else return false;
  return true;
}

Status WriteEvidenceReport(const ReportOptions& options, std::ostream& out, ReportData* data) {
  *data = ReportData();
  ReportBuilder builder(data, options.now);
  const RuleFrameworks mappings = LoadRuleFrameworks(options.rule_packs);
  builder.SetRuleFrameworks(&mappings);
  std::string since = options.since ? FormatTime(*options.since) : "";
  std::string until = options.until ? FormatTime(*options.until) : "";
  MergedLog log(options.files, options.verify);
  if (options.format == ReportFormat::kCsv) WriteCsvHeader(out);
  const Entry* entry = nullptr;
  size_t file = 0;
  bool verified = true;
  while (log.Next(&entry, &file, &verified)) {
    std::string time = GetString(entry->doc, "time");
    if (!since.empty() && time < since) continue;
    if (!until.empty() && time >= until) continue;
    builder.Add(entry->doc, verified);
    if (options.format == ReportFormat::kCsv) {
      WriteCsvRows(entry->doc, options.files[file], verified, out);
    }
  }
  data->verification = log.Finish();
  builder.Finish();
  if (options.format == ReportFormat::kHtml) RenderHtml(*data, options, out);
  if (options.format == ReportFormat::kMarkdown) RenderMarkdown(*data, options, out);
  if (options.format == ReportFormat::kTrendCsv) RenderTrendCsv(*data, out);
  out.flush();
  for (const VerifyResult& r : data->verification) {
    if (r.io_error) return Status::Error(r.ErrorLine());
  }
  if (!out) return Status::Error("cannot write the report");
  return Status::Ok();
}

}  // namespace aimsgate::evidence
