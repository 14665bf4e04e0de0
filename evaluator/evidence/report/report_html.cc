// The self-contained HTML report: inline CSS and SVG, no script, no external resource.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "evaluator/evidence/log/record.h"
#include "evaluator/evidence/report/report.h"
#include "evaluator/pack/framework_catalog.h"

namespace aimsgate::evidence {
namespace {

constexpr char kCss[] = R"CSS(
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#bf8700;--waived:#0969da;--err:#6e7781;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
p.meta{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:#f6f8fa;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.banner{padding:12px 16px;border-radius:6px;font-weight:600;margin:8px 0}
.banner.ok{background:#dafbe1;color:var(--ok)}.banner.fail{background:#ffebe9;color:var(--bad)}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
.tile .v{display:block;font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.tile .k{color:var(--muted);font-size:12px}
.rate-good{color:var(--ok);font-weight:600}.rate-mid{color:var(--warn);font-weight:600}.rate-bad{color:var(--bad);font-weight:600}
.status-expired{color:var(--bad);font-weight:600}.status-soon{color:var(--warn);font-weight:600}.status-active{color:var(--ok)}
.legend span{display:inline-block;margin-right:14px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{body{padding:0}.tile{break-inside:avoid}section{break-inside:avoid-page}}
)CSS";

std::string N(uint64_t v) { return std::to_string(v); }

std::string RateClass(double rate) {
  if (rate < 0) return "";
  if (rate >= 0.95) return "rate-good";
  if (rate >= 0.80) return "rate-mid";
  return "rate-bad";
}


std::string Num(const char* key, uint64_t v) {
  return "<td class=\"n\" data-k=\"" + std::string(key) + "\">" + N(v) + "</td>";
}

std::string RateCell(const OutcomeCounts& c) {
  double r = c.Rate();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", r < 0 ? 0.0 : r);
  return "<td class=\"n " + RateClass(r) + "\" data-k=\"rate\" data-value=\"" +
         (r < 0 ? std::string("") : std::string(buf)) + "\">" + FormatRate(r) + "</td>";
}

// A 160×12 stacked bar: pass, waived, error, fail.
std::string OutcomeBar(const OutcomeCounts& c) {
  std::ostringstream s;
  s << "<svg width=\"160\" height=\"12\" viewBox=\"0 0 160 12\" role=\"img\" aria-label=\""
    << c.pass << " pass, " << c.waived << " waived, " << c.error << " error, " << c.fail
    << " fail\">";
  double total = static_cast<double>(c.Rated());
  s << "<rect width=\"160\" height=\"12\" fill=\"#eaeef2\"/>";
  if (total > 0) {
    double x = 0;
    const std::pair<uint64_t, const char*> parts[] = {
        {c.pass, "#1a7f37"}, {c.waived, "#0969da"}, {c.error, "#6e7781"}, {c.fail, "#cf222e"}};
    for (const auto& [n, color] : parts) {
      double w = 160.0 * n / total;
      if (w <= 0) continue;
      char buf[128];
      std::snprintf(buf, sizeof buf, "<rect x=\"%.2f\" width=\"%.2f\" height=\"12\" fill=\"%s\"/>",
                    x, w, color);
      s << buf;
      x += w;
    }
  }
  s << "</svg>";
  return s.str();
}

std::string TimelineChart(const ReportData& d) {
  std::ostringstream s;
  const double width = 1000, height = 260, left = 48, right = 12, top = 12, bottom = 56;
  const double pw = width - left - right, ph = height - top - bottom;
  uint64_t peak = 1;
  for (const auto& b : d.timeline) peak = std::max(peak, b.decisions.Total());
  // A "nice" axis: 4 steps of 1, 2 or 5 × 10^k covering the peak.
  uint64_t step = 1;
  for (uint64_t mag = 1;; mag *= 10) {
    if (mag * 1 * 4 >= peak) { step = mag; break; }
    if (mag * 2 * 4 >= peak) { step = mag * 2; break; }
    if (mag * 5 * 4 >= peak) { step = mag * 5; break; }
  }
  const uint64_t max = step * 4;
  s << "<svg id=\"timeline-chart\" width=\"100%\" viewBox=\"0 0 " << width << " " << height
    << "\" role=\"img\" aria-label=\"Decisions per " << d.granularity << "\">";
  for (int i = 0; i <= 4; ++i) {
    double y = top + ph - ph * i / 4.0;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d1d9e0\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%llu</text>",
                  left, width - right, y, y, left - 6, y + 4,
                  static_cast<unsigned long long>(step * i));
    s << buf;
  }
  size_t n = d.timeline.size();
  double slot = n == 0 ? pw : pw / n;
  double bw = std::min(48.0, std::max(1.0, slot * 0.8));
  size_t label_every = std::max<size_t>(1, (n + 11) / 12);
  for (size_t i = 0; i < n; ++i) {
    const TimeBucket& b = d.timeline[i];
    double x = left + slot * i + (slot - bw) / 2;
    double y = top + ph;
    s << "<g class=\"bucket\" data-bucket=\"" << HtmlEscape(b.label) << "\" data-allow=\""
      << b.decisions.allow << "\" data-warn=\"" << b.decisions.warn << "\" data-deny=\""
      << b.decisions.deny << "\" data-other=\"" << b.decisions.other << "\"><title>"
      << HtmlEscape(b.label) << ": " << b.decisions.allow << " allow, " << b.decisions.warn
      << " warn, " << b.decisions.deny << " deny</title>";
    const std::pair<uint64_t, const char*> parts[] = {{b.decisions.allow, "#1a7f37"},
                                                      {b.decisions.warn, "#bf8700"},
                                                      {b.decisions.deny, "#cf222e"},
                                                      {b.decisions.other, "#6e7781"}};
    for (const auto& [count, color] : parts) {
      if (count == 0) continue;
      double h = ph * count / max;
      y -= h;
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", x, y,
                    bw, h, color);
      s << buf;
    }
    s << "</g>";
    if (i % label_every == 0) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f,%.1f", x + bw / 2, top + ph + 10);
      std::string label = b.label;
      if (d.granularity == "hour" && label.size() >= 13) {
        label = label.substr(5, 5) + " " + label.substr(11, 2) + "h";
      }
      s << "<text transform=\"translate(" << buf << ") rotate(35)\">" << HtmlEscape(label)
        << "</text>";
    }
  }
  s << "</svg>";
  return s.str();
}

// The catalogue title of an ISO/IEC 42001 control, or "" for a reference it lacks.
std::string ControlTitle(const std::string& id) {
  const Framework* iso = FindFramework(kDefaultFramework);
  const FrameworkControl* c = iso ? iso->Find(id) : nullptr;
  return c ? c->title : "";
}

std::string FrameworkControlTitle(const std::string& framework, const std::string& id) {
  const Framework* f = FindFramework(framework);
  const FrameworkControl* c = f ? f->Find(id) : nullptr;
  return c ? c->title : "";
}

// A framework's controls with a trend: ISO in natural order, the others as the framework writes them.
std::vector<std::string> TrendControls(const std::string& framework, const std::map<std::string, std::vector<TrendPoint>>& trend) {
  std::vector<std::string> controls;
  for (const auto& [c, points] : trend) controls.push_back(c);
  std::sort(controls.begin(), controls.end(), framework == kDefaultFramework ? NaturalLess : ControlIdLess);
  return controls;
}

// The loaded frameworks with a trend, in catalogue order, then any other (a custom pack's).
std::vector<std::string> TrendFrameworks(const ReportData& d) {
  std::vector<std::string> out;
  for (const Framework& f : Frameworks()) {
    if (d.framework_trend.count(f.id)) out.push_back(f.id);
  }
  for (const auto& [id, trend] : d.framework_trend) {
    if (!FindFramework(id)) out.push_back(id);
  }
  return out;
}

// One control's sparkline row; every point is a <circle> with data-period/-passed/-failed/-score.
void TrendRow(const ReportData& d, const std::string& framework, const std::string& c,
              const std::vector<TrendPoint>& points, std::ostringstream& s) {
  const double width = 320, height = 40, pad = 4;
  s << "<tr data-control=\"" << HtmlEscape(c) << "\"";
  if (framework != kDefaultFramework) s << " data-framework=\"" << HtmlEscape(framework) << "\"";
  s << "><th>" << HtmlEscape(c) << "</th><td>" << HtmlEscape(FrameworkControlTitle(framework, c))
    << "</td><td><svg class=\"trend\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width
    << " " << height << "\" role=\"img\" aria-label=\"score of " << HtmlEscape(c) << " per " << d.trend_granularity
    << "\">";
  std::string line;
  const size_t n = points.size();
  for (size_t i = 0; i < n; ++i) {
    const double x = n == 1 ? width / 2 : pad + (width - 2 * pad) * i / (n - 1);
    const double y = pad + (height - 2 * pad) * (1.0 - points[i].Score());
    char buf[320];
    std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x, y);
    line += buf;
    std::snprintf(buf, sizeof buf,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#0969da\" data-period=\"%s\" "
                  "data-passed=\"%llu\" data-failed=\"%llu\" data-score=\"%.4f\"><title>%s: %s</title></circle>",
                  x, y, points[i].period.c_str(), static_cast<unsigned long long>(points[i].passed),
                  static_cast<unsigned long long>(points[i].failed), points[i].Score(), points[i].period.c_str(),
                  FormatRate(points[i].Score()).c_str());
    s << buf;
  }
  if (n > 1) s << "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"" << line << "\"/>";
  s << "</svg></td><td class=\"n\">" << (n ? FormatRate(points.back().Score()) : "—") << "</td></tr>";
}

// KPI trend (clause 9.1): each control's score per day or week, one sparkline per control, one
// table per framework (ISO/IEC 42001 first, #trend-chart; then each other framework a rule maps
// to, resolved from the rule ids: table.trend-framework[data-framework]).
std::string TrendSection(const ReportData& d) {
  std::ostringstream s;
  s << "<section id=\"trend\"><h2>Control score trend (per " << d.trend_granularity
    << ")</h2><p class=\"meta\">Score = resources passed ÷ resources evaluated in the period (a "
       "resource's last result of a day counts; waived = passed, error = failed; a week adds its "
       "days). Periods without an evaluated resource are left out. The ISO/IEC 42001 controls are the "
       "records' own; the other frameworks' are those the rules map to.</p>";
  const Framework* iso = FindFramework(kDefaultFramework);
  s << "<h3>" << HtmlEscape(iso ? iso->title : std::string(kDefaultFramework)) << "</h3><table id=\"trend-chart\"><thead><tr>"
       "<th>Control</th><th>Title</th><th>Trend</th><th class=\"n\">Latest</th></tr></thead><tbody>";
  static const std::map<std::string, std::vector<TrendPoint>> kNone;
  auto it = d.framework_trend.find(kDefaultFramework);
  const auto& iso_trend = it == d.framework_trend.end() ? kNone : it->second;
  for (const std::string& c : TrendControls(kDefaultFramework, iso_trend)) TrendRow(d, kDefaultFramework, c, iso_trend.at(c), s);
  if (iso_trend.empty()) s << "<tr><td colspan=\"4\">No rule results.</td></tr>";
  s << "</tbody></table>";
  for (const std::string& framework : TrendFrameworks(d)) {
    if (framework == kDefaultFramework) continue;
    const Framework* f = FindFramework(framework);
    const auto& trend = d.framework_trend.at(framework);
    s << "<h3>" << HtmlEscape(f ? f->title : framework) << "</h3><table class=\"trend-framework\" data-framework=\""
      << HtmlEscape(framework) << "\"><thead><tr><th>Control</th><th>Title</th><th>Trend</th><th class=\"n\">Latest"
      << "</th></tr></thead><tbody>";
    for (const std::string& c : TrendControls(framework, trend)) TrendRow(d, framework, c, trend.at(c), s);
    s << "</tbody></table>";
  }
  s << "</section>\n";
  return s.str();
}

std::string WaiverStatus(const WaiverStats& w, std::chrono::system_clock::time_point now,
                         std::string* cls) {
  std::chrono::system_clock::time_point expires;
  if (w.expires.empty() || !ParseTime(w.expires, &expires)) {
    *cls = "status-soon";
    return "no expiry";
  }
  if (expires <= now) {
    *cls = "status-expired";
    return "expired";
  }
  if (expires - now < std::chrono::hours(24 * 30)) {
    *cls = "status-soon";
    return "expires within 30 days";
  }
  *cls = "status-active";
  return "active";
}

void GroupTable(const char* id, const char* title, const char* key_header, const char* attr,
                const std::map<std::string, GroupStats>& groups, const char* empty_label,
                std::ostream& out) {
  out << "<section id=\"" << id << "\"><h2>" << title << "</h2><table><thead><tr><th>"
      << key_header
      << "</th><th class=\"n\">Records</th><th class=\"n\">Allowed</th><th class=\"n\">Warned</th>"
         "<th class=\"n\">Denied</th><th class=\"n\">Pass</th><th class=\"n\">Fail</th>"
         "<th class=\"n\">Waived</th><th class=\"n\">Error</th><th class=\"n\">Rate</th></tr>"
         "</thead><tbody>";
  for (const auto& [key, g] : groups) {
    out << "<tr " << attr << "=\"" << HtmlEscape(key) << "\"><th>"
        << (key.empty() ? std::string("<em>") + empty_label + "</em>" : HtmlEscape(key)) << "</th>"
        << Num("records", g.decisions.Total()) << Num("allow", g.decisions.allow)
        << Num("warn", g.decisions.warn) << Num("deny", g.decisions.deny)
        << Num("pass", g.results.pass) << Num("fail", g.results.fail)
        << Num("waived", g.results.waived) << Num("error", g.results.error) << RateCell(g.results)
        << "</tr>";
  }
  if (groups.empty()) out << "<tr><td colspan=\"10\">No records.</td></tr>";
  out << "</tbody></table></section>\n";
}

// The current state per AI system (issue 19 item 13).
void WriteCurrentStateHtml(const ReportData& d, std::ostream& out) {
  auto names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? std::string("—") : s;
  };
  out << "<section id=\"current\"><h2>Current state per AI system</h2><p class=\"meta\">Latest decision per "
         "system; owner and risk tier from its annotations (aimsgate.io/owner, aimsgate.io/risk-tier); open "
         "findings and waivers of each of its resources' latest record; the rate counts each "
         "resource once per day, however often it was checked.</p><table><thead><tr><th>System</th>"
         "<th>Owner</th><th>Risk tier</th>"
         "<th>Latest decision</th><th>At</th><th>Resource</th><th class=\"n\">Open findings</th>"
         "<th>Waivers in force</th><th>Waivers expired</th><th class=\"n\">Rate</th></tr></thead><tbody>";
  for (const auto& [system, st] : d.current) {
    std::vector<std::string> in_force, expired;
    st.Waivers(d.now, &in_force, &expired);
    auto dash = [](const std::string& v) { return v.empty() ? std::string("—") : v; };
    out << "<tr data-current=\"" << HtmlEscape(system) << "\"><th>" << HtmlEscape(system) << "</th><td data-k=\"owner\">"
        << HtmlEscape(dash(st.owner)) << "</td><td data-k=\"risk-tier\">" << HtmlEscape(dash(st.risk_tier))
        << "</td><td data-k=\"decision\">"
        << HtmlEscape(st.last_decision) << "</td><td>" << HtmlEscape(st.last_time) << "</td><td>"
        << HtmlEscape(st.last_resource) << "</td>" << Num("open", st.OpenFindings()) << "<td data-k=\"in-force\">"
        << HtmlEscape(names(in_force)) << "</td><td data-k=\"expired\">" << HtmlEscape(names(expired)) << "</td>"
        << RateCell(st.DailyCounts()) << "</tr>";
  }
  if (d.current.empty()) out << "<tr><td colspan=\"10\">No AI system (aimsgate.io/system-id) in the records.</td></tr>";
  out << "</tbody></table>";
  if (d.records_without_system > 0) {
    out << "<p class=\"meta\" data-k=\"without-system\">" << d.records_without_system
        << " record(s) of objects without a system id (not AI systems, or undeclared) are left out of this "
           "table.</p>";
  }
  out << "</section>\n";
}

// Who and what per decision (issue 19 item 12): the last records, newest first.
void WriteLatestDecisionsHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"latest\"><h2>Latest decisions: who and what</h2><table><thead><tr><th>Time</th>"
         "<th>Source</th><th>Resource</th><th>Decision</th><th>User or actor</th><th>Operation</th>"
         "<th>Commit</th></tr></thead><tbody>";
  for (auto it = d.latest.rbegin(); it != d.latest.rend(); ++it) {
    out << "<tr data-decision-row><td>" << HtmlEscape(it->time) << "</td><td>" << HtmlEscape(it->source)
        << "</td><td>" << HtmlEscape(it->resource) << "</td><td>" << HtmlEscape(it->decision)
        << "</td><td data-k=\"actor\">" << HtmlEscape(it->actor.empty() ? "—" : it->actor)
        << "</td><td data-k=\"operation\">" << HtmlEscape(it->operation) << "</td><td data-k=\"commit\"><code>"
        << HtmlEscape(it->commit) << "</code></td></tr>";
  }
  if (d.latest.empty()) out << "<tr><td colspan=\"7\">No decisions.</td></tr>";
  out << "</tbody></table></section>\n";
}

// Document head (inline CSS, a CSP that loads nothing) and the title block.
void WriteHeadHtml(const ReportData& d, const ReportOptions& o, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src data:\">"
         "<meta name=\"generator\" content=\"aimsgate evidence report\">"
      << "<title>" << HtmlEscape(o.title) << "</title><style>" << kCss << "</style></head><body>\n";
  out << "<header><h1>" << HtmlEscape(o.title) << "</h1><p class=\"meta\">Generated "
      << FormatTime(d.now) << " · records from <span id=\"first-time\">"
      << HtmlEscape(d.first_time.empty() ? "—" : d.first_time) << "</span> to <span id=\"last-time\">"
      << HtmlEscape(d.last_time.empty() ? "—" : d.last_time) << "</span>";
  if (o.since) out << " · since " << FormatTime(*o.since);
  if (o.until) out << " · until " << FormatTime(*o.until);
  out << " · " << o.files.size() << " log file(s) · ISO/IEC 42001 clauses 7.5, 9.1; Annex A.6.2.8"
      << "</p></header>\n";
}

// Integrity verification: the banner and one row per file.
void WriteVerificationHtml(const ReportData& d, std::ostream& out) {
  const bool ok = d.verified();
  out << "<section id=\"verification\"><h2>Integrity verification</h2><div class=\"banner "
      << (ok ? "ok" : "fail") << "\" data-verified=\"" << (ok ? "true" : "false") << "\" data-signed=\""
      << (SignedAndVerified(d.verification) ? "true" : "false") << "\">"
      << (ok ? "Integrity: " + HtmlEscape(IntegrityStatus(d.verification)) +
                   " (every hash link and sequence number checks out" +
                   (SignedAndVerified(d.verification) ? " and every checkpoint signature verifies)."
                                                      : "; a signature is what proves who wrote the log).")
             : std::string("FAILED: the evidence log does not verify; see below."))
      << "</div>";
  if (d.unverified_records > 0) {
    out << "<p>" << d.unverified_records
        << " record(s) after a broken position are included below but are not verified.</p>";
  }
  out << "<table><thead><tr><th>File</th><th>Result</th><th class=\"n\">Records</th>"
         "<th class=\"n\">Checkpoints</th><th class=\"n\">Signed</th><th class=\"n\">Unsigned tail</th>"
         "<th>Signer keyId</th><th>First broken position</th></tr></thead><tbody>";
  for (const VerifyResult& r : d.verification) {
    std::string keys;
    for (const std::string& k : r.key_ids) keys += (keys.empty() ? "" : " ") + k;
    out << "<tr data-file=\"" << HtmlEscape(r.file) << "\" data-ok=\"" << (r.ok ? "true" : "false")
        << "\"><td><code>" << HtmlEscape(r.file) << "</code></td><td>" << (r.ok ? "OK" : "FAILED")
        << "</td>" << Num("records", r.records) << Num("checkpoints", r.checkpoints)
        << Num("signed", r.signed_checkpoints) << Num("unsigned-tail", r.unsigned_tail) << "<td><code>"
        << HtmlEscape(keys) << "</code></td><td>"
        << (r.ok ? std::string("—") : "<code>" + HtmlEscape(r.ErrorLine()) + "</code>")
        << "</td></tr>";
  }
  out << "</tbody></table></section>\n";
}

// Summary tiles: records, decisions, rule results, the overall rate; records per source.
void WriteSummaryHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"summary\"><h2>Summary</h2><div class=\"tiles\">";
  auto tile = [&](const char* metric, const std::string& value, const char* label) {
    out << "<div class=\"tile\"><span class=\"v\" data-metric=\"" << metric << "\">" << value
        << "</span><span class=\"k\">" << label << "</span></div>";
  };
  tile("records", N(d.records), "decisions recorded");
  tile("allow", N(d.decisions.allow), "allowed");
  tile("warn", N(d.decisions.warn), "allowed with warnings");
  tile("deny", N(d.decisions.deny), "denied");
  tile("pass", N(d.results.pass), "rule results passed");
  tile("fail", N(d.results.fail), "rule results failed");
  tile("waived", N(d.results.waived), "waived (risk accepted)");
  tile("skip", N(d.results.skip), "skipped (rule not applicable)");
  tile("rate", FormatRate(d.results.Rate()), "overall compliance rate");
  out << "</div>";
  if (!d.sources.empty()) {
    out << "<p class=\"meta\">Sources:";
    for (const auto& [src, n] : d.sources) {
      out << " <span data-source=\"" << HtmlEscape(src) << "\">" << HtmlEscape(src) << " " << n
          << "</span>";
    }
    out << "</p>";
  }
  out << "</section>\n";
}

// Compliance per ISO/IEC 42001 control: clauses, then Annex A controls.
void WriteControlsHtml(const ReportData& d, std::ostream& out) {
  const std::vector<std::string> controls = ControlsInOrder(d);
  out << "<section id=\"controls\"><h2>Compliance per ISO/IEC 42001 control</h2>"
         "<p class=\"meta\">Rate = pass ÷ (pass + fail + error + waived); skipped results "
         "(rule not applicable) are not rated. Skip counts the skips a record lists (older "
         "records); current records only count theirs, which the summary's skipped total adds.</p><div class=\"legend\">"
         "<span><i style=\"background:#1a7f37\"></i>pass</span><span><i style=\"background:#0969da\">"
         "</i>waived</span><span><i style=\"background:#6e7781\"></i>error</span><span>"
         "<i style=\"background:#cf222e\"></i>fail</span></div><table><thead><tr><th>Control</th><th>Title</th>"
         "<th class=\"n\">Pass</th><th class=\"n\">Fail</th><th class=\"n\">Waived</th>"
         "<th class=\"n\">Error</th><th class=\"n\">Skip</th><th class=\"n\">Rate</th><th>Chart</th>"
         "</tr></thead><tbody>";
  for (size_t i = 0; i < controls.size(); ++i) {
    const std::string& c = controls[i];
    const OutcomeCounts& k = d.controls.at(c);
    // Clauses of the standard's body, then Annex A controls, each under its own heading row.
    if (i == 0 || IsAnnexA(c) != IsAnnexA(controls[i - 1])) {
      out << "<tr class=\"group\" data-group=\"" << (IsAnnexA(c) ? "annex-a" : "clauses") << "\"><th colspan=\"9\">"
          << (IsAnnexA(c) ? "Annex A controls" : "Clauses (management system requirements)") << "</th></tr>";
    }
    out << "<tr data-control=\"" << HtmlEscape(c) << "\"><th>" << HtmlEscape(c) << "</th><td data-title>"
        << HtmlEscape(ControlTitle(c)) << "</td>" << Num("pass", k.pass) << Num("fail", k.fail) << Num("waived", k.waived)
        << Num("error", k.error) << Num("skip", k.skip) << RateCell(k) << "<td>" << OutcomeBar(k)
        << "</td></tr>";
  }
  if (controls.empty()) out << "<tr><td colspan=\"9\">No rule results.</td></tr>";
  out << "</tbody></table></section>\n";
}

// Decisions over time (stacked bars per hour, day or month).
void WriteTimelineHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"timeline\"><h2>Decisions over time (per " << d.granularity
      << ", UTC)</h2><div class=\"legend\"><span><i style=\"background:#1a7f37\"></i>allow</span>"
         "<span><i style=\"background:#bf8700\"></i>warn</span><span><i style=\"background:#cf222e\">"
         "</i>deny</span></div>"
      << TimelineChart(d) << "</section>\n";
}

// The rules that failed most, with their controls and rate.
void WriteTopRulesHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"rules\"><h2>Top failing rules</h2><table><thead><tr><th>Rule</th>"
         "<th>Controls</th><th>Severity</th><th>Action</th><th class=\"n\">Fail</th>"
         "<th class=\"n\">Pass</th><th class=\"n\">Waived</th><th class=\"n\">Rate</th></tr></thead><tbody>";
  auto top = d.TopFailingRules(20);
  for (const auto& [rule, rs] : top) {
    std::string controls_text;
    for (const std::string& c : rs->controls) controls_text += (controls_text.empty() ? "" : ", ") + c;
    out << "<tr data-rule=\"" << HtmlEscape(rule) << "\"><td><code>" << HtmlEscape(rule)
        << "</code></td><td>" << HtmlEscape(controls_text) << "</td><td>" << HtmlEscape(rs->severity)
        << "</td><td>" << HtmlEscape(rs->action) << "</td>" << Num("fail", rs->counts.fail)
        << Num("pass", rs->counts.pass) << Num("waived", rs->counts.waived) << RateCell(rs->counts)
        << "</tr>";
  }
  if (top.empty()) out << "<tr><td colspan=\"8\">No failures.</td></tr>";
  out << "</tbody></table></section>\n";
}

// Waivers (risk acceptance, clause 6.1.3) with approver, expiry and status.
void WriteWaiversHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"waivers\"><h2>Waivers (risk acceptance, clause 6.1.3)</h2><table><thead><tr>"
         "<th>Waiver</th><th>Rules</th><th>Approved by</th><th>Expires</th><th>Status</th>"
         "<th class=\"n\">Uses</th><th>Last used</th><th>Justification</th></tr></thead><tbody>";
  for (const auto& [name, w] : d.waivers) {
    std::string cls;
    std::string status = WaiverStatus(w, d.now, &cls);
    std::string rules;
    for (const std::string& r : w.rules) rules += (rules.empty() ? "" : ", ") + r;
    out << "<tr data-waiver=\"" << HtmlEscape(name) << "\"><td>" << HtmlEscape(name) << "</td><td><code>"
        << HtmlEscape(rules) << "</code></td><td>" << HtmlEscape(w.approved_by) << "</td><td>"
        << HtmlEscape(w.expires) << "</td><td class=\"" << cls << "\" data-k=\"status\">" << status
        << "</td>" << Num("uses", w.uses) << "<td>" << HtmlEscape(w.last_used) << "</td><td>"
        << HtmlEscape(w.justification) << "</td></tr>";
  }
  if (d.waivers.empty()) out << "<tr><td colspan=\"8\">No waivers applied.</td></tr>";
  out << "</tbody></table></section>\n";
}

// Rule packs in force (name, version, digest) and the footer.
void WritePacksHtml(const ReportData& d, std::ostream& out) {
  out << "<section id=\"packs\"><h2>Rule packs in force</h2><table><thead><tr><th>Pack</th>"
         "<th>Version</th><th>Digest</th><th class=\"n\">Records</th><th>First seen</th>"
         "<th>Last seen</th></tr></thead><tbody>";
  for (const auto& [key, p] : d.packs) {
    out << "<tr data-pack=\"" << HtmlEscape(p.name) << "\"><td>" << HtmlEscape(p.name) << "</td><td>"
        << HtmlEscape(p.version) << "</td><td><code>" << HtmlEscape(p.digest) << "</code></td>"
        << Num("records", p.records) << "<td>" << HtmlEscape(p.first_seen) << "</td><td>"
        << HtmlEscape(p.last_seen) << "</td></tr>";
  }
  if (d.packs.empty()) out << "<tr><td colspan=\"6\">No packs recorded.</td></tr>";
  out << "</tbody></table></section>\n";

  out << "<footer>Re-check this evidence independently: <code>aimsgate evidence verify FILE… "
         "--pubkey evidence-signing.pub</code>. Each record carries the SHA-256 of the previous "
         "one; checkpoints sign the chain with Ed25519.</footer>\n</body></html>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void RenderHtml(const ReportData& d, const ReportOptions& o, std::ostream& out) {
  WriteHeadHtml(d, o, out);
  WriteVerificationHtml(d, out);
  WriteSummaryHtml(d, out);
  WriteControlsHtml(d, out);
  out << TrendSection(d);
  WriteCurrentStateHtml(d, out);
  WriteTimelineHtml(d, out);
  WriteTopRulesHtml(d, out);
  GroupTable("namespaces", "Per namespace", "Namespace", "data-namespace", d.namespaces,
             "cluster-scoped", out);
  GroupTable("systems", "Per AI system (annotation aimsgate.io/system-id)", "AI system",
             "data-system", d.systems, "not declared", out);
  WriteWaiversHtml(d, out);
  WriteLatestDecisionsHtml(d, out);
  WritePacksHtml(d, out);
}

void RenderTrendCsv(const ReportData& d, std::ostream& out) {
  out << "framework,period,control,title,passed,failed,score\r\n";
  auto quoted = [](std::string v) {
    if (v.find_first_of(",\"") == std::string::npos) return v;
    std::string q = "\"";
    for (char ch : v) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  for (const std::string& framework : TrendFrameworks(d)) {
    const auto& trend = d.framework_trend.at(framework);
    for (const std::string& c : TrendControls(framework, trend)) {
      const std::string title = quoted(FrameworkControlTitle(framework, c)), id = quoted(c);
      for (const TrendPoint& p : trend.at(c)) {
        char score[32];
        std::snprintf(score, sizeof score, "%.4f", p.Score());
        out << framework << "," << p.period << "," << id << "," << title << "," << p.passed << "," << p.failed << ","
            << score << "\r\n";
      }
    }
  }
}

}  // namespace aimsgate::evidence
