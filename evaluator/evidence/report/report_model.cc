#include "evaluator/evidence/report/report_model.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <cstdio>
#include <ctime>

#include "evaluator/evidence/log/entry.h"
#include "evaluator/evidence/log/record.h"
#include "evaluator/kernel/json.h"
#include "evaluator/pack/engine.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/pack/pack_loader.h"

namespace aimsgate::evidence {

void OutcomeCounts::Add(const std::string& o) {
  if (o == "pass") ++pass;
  else if (o == "fail") ++fail;
  else if (o == "waived") ++waived;
  else if (o == "skip") ++skip;
  else ++error;
}

void DecisionCounts::Add(const std::string& d) {
  if (d == "allow") ++allow;
  else if (d == "deny") ++deny;
  else if (d == "warn") ++warn;
  else ++other;
}

bool ReportData::verified() const {
  return std::all_of(verification.begin(), verification.end(),
                     [](const VerifyResult& r) { return r.ok; });
}

std::vector<std::pair<std::string, const RuleStats*>> ReportData::TopFailingRules(
    size_t limit) const {
  std::vector<std::pair<std::string, const RuleStats*>> out;
  for (const auto& [rule, stats] : rules) {
    if (stats.counts.fail > 0) out.emplace_back(rule, &stats);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second->counts.fail > b.second->counts.fail;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string ActorOf(const aimsgate::JsonValue& rec) {
  auto req = rec.FindMember("request");
  if (req != rec.MemberEnd() && req->value.IsObject()) return GetString(req->value, "username");
  auto ci = rec.FindMember("ci");
  if (ci != rec.MemberEnd() && ci->value.IsObject()) return GetString(ci->value, "actor");
  return "";
}

std::string OperationOf(const aimsgate::JsonValue& rec) {
  auto req = rec.FindMember("request");
  if (req != rec.MemberEnd() && req->value.IsObject()) return GetString(req->value, "operation");
  std::string source = GetString(rec, "source");
  return source == "ci" ? "check" : source;
}

uint64_t SkippedCount(const aimsgate::JsonValue& rec) {
  auto skipped = rec.FindMember("skipped");
  return skipped != rec.MemberEnd() && skipped->value.IsUint64() ? skipped->value.GetUint64() : 0;
}

std::string CommitOf(const aimsgate::JsonValue& rec) {
  auto ci = rec.FindMember("ci");
  return ci != rec.MemberEnd() && ci->value.IsObject() ? GetString(ci->value, "commit") : "";
}

// Natural order for control ids: "A.2" < "A.10", "4.1" < "A.2".
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = isdigit(static_cast<unsigned char>(a[i])), db = isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      unsigned long long va = std::stoull(a.substr(i, std::min<size_t>(ei - i, 18)));
      unsigned long long vb = std::stoull(b.substr(j, std::min<size_t>(ej - j, 18)));
      if (va != vb) return va < vb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

bool IsAnnexA(const std::string& control) { return control.compare(0, 2, "A.") == 0; }

std::vector<std::string> ControlsInOrder(const ReportData& d) {
  std::vector<std::string> out;
  for (const auto& [c, counts] : d.controls) out.push_back(c);
  std::stable_sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    if (IsAnnexA(a) != IsAnnexA(b)) return !IsAnnexA(a);
    return NaturalLess(a, b);
  });
  return out;
}

uint64_t SystemState::OpenFindings() const {
  uint64_t n = 0;
  for (const auto& [key, r] : resources) n += r.open_findings;
  return n;
}

OutcomeCounts SystemState::DailyCounts() const {
  OutcomeCounts sum;
  for (const auto& [key, c] : daily) {
    sum.pass += c.pass;
    sum.fail += c.fail;
    sum.waived += c.waived;
    sum.skip += c.skip;
    sum.error += c.error;
  }
  return sum;
}

void SystemState::Waivers(std::chrono::system_clock::time_point now, std::vector<std::string>* in_force,
                          std::vector<std::string>* expired) const {
  std::map<std::string, std::string> all;
  for (const auto& [key, r] : resources) all.insert(r.waivers.begin(), r.waivers.end());
  for (const auto& [name, expires] : all) {
    std::chrono::system_clock::time_point t;
    bool is_expired = ParseTime(expires, &t) && t <= now;
    (is_expired ? expired : in_force)->push_back(name);
  }
}

std::string FormatRate(double rate) {
  if (rate < 0) return "\xE2\x80\x94";  // em dash
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", rate * 100.0);
  return buf;
}

ReportBuilder::ReportBuilder(ReportData* data, std::chrono::system_clock::time_point now)
    : data_(data) {
  data_->now = now;
}

void ReportBuilder::Add(const aimsgate::JsonValue& rec, bool verified) {
  ReportData& d = *data_;
  ++d.records;
  if (!verified) ++d.unverified_records;
  const std::string time = GetString(rec, "time");
  const std::string decision = GetString(rec, "decision");
  if (!time.empty()) {
    if (d.first_time.empty() || time < d.first_time) d.first_time = time;
    if (d.last_time.empty() || time > d.last_time) d.last_time = time;
    if (time.size() >= 13) hours_[time.substr(0, 13)].Add(decision);
  }
  d.decisions.Add(decision);
  ++d.sources[GetString(rec, "source")];
  std::string ns, system;
  auto res = rec.FindMember("resource");
  if (res != rec.MemberEnd()) {
    ns = GetString(res->value, "namespace");
    system = GetString(res->value, "systemId");
  }
  if (res != rec.MemberEnd()) {
    std::string name = GetString(res->value, "name");
    DecisionRow row{time, GetString(rec, "source"),
                    GetString(res->value, "kind") + " " + (ns.empty() ? "" : ns + "/") + name,
                    decision, ActorOf(rec), OperationOf(rec), CommitOf(rec)};
    if (d.latest.size() == ReportData::kLatestDecisions) d.latest.erase(d.latest.begin());
    d.latest.push_back(std::move(row));
  }
  GroupStats& nsg = d.namespaces[ns];
  GroupStats& sysg = d.systems[system];
  nsg.decisions.Add(decision);
  sysg.decisions.Add(decision);

  auto packs = rec.FindMember("packs");
  if (packs != rec.MemberEnd() && packs->value.IsArray()) {
    for (const auto& p : packs->value.GetArray()) {
      std::string name = GetString(p, "name"), version = GetString(p, "version"),
                  digest = GetString(p, "digest");
      PackStats& ps = d.packs[name + "@" + version + "@" + digest];
      ps.name = name;
      ps.version = version;
      ps.digest = digest;
      ++ps.records;
      if (ps.first_seen.empty() || time < ps.first_seen) ps.first_seen = time;
      if (time > ps.last_seen) ps.last_seen = time;
    }
  }
  // Skips: counted ("skipped": N) by records written since issue 14 item 5, listed before.
  // Totals, namespaces and systems count both shapes alike; per rule and per control only
  // the listed ones can be.
  const uint64_t skipped = SkippedCount(rec);
  d.results.skip += skipped;
  nsg.results.skip += skipped;
  sysg.results.skip += skipped;
  auto results = rec.FindMember("results");
  AddSystemState(rec, system, time, decision);
  if (results == rec.MemberEnd() || !results->value.IsArray()) return;
  if (time.size() >= 10 && time.compare(0, 10, day_) != 0) {
    FlushDay();
    day_ = time.substr(0, 10);
  }
  std::string resource_key;
  if (res != rec.MemberEnd()) {
    resource_key = GetString(res->value, "source") + '\x1f' + GetString(res->value, "apiVersion") + '\x1f' +
                   GetString(res->value, "kind") + '\x1f' + ns + '\x1f' + GetString(res->value, "name");
  }
  std::map<std::string, bool> record_state;  // this record's state per control
  for (const auto& r : results->value.GetArray()) {
    const std::string outcome = GetString(r, "result");
    const std::string rule = GetString(r, "rule");
    d.results.Add(outcome);
    nsg.results.Add(outcome);
    sysg.results.Add(outcome);
    RuleStats& rs = d.rules[rule];
    rs.counts.Add(outcome);
    rs.severity = GetString(r, "severity");
    rs.action = GetString(r, "action");
    const bool evaluated = outcome == "pass" || outcome == "waived" || outcome == "fail" || outcome == "error";
    auto count = [&](const std::string& framework, const std::string& control) {
      if (!evaluated) return;
      bool& failed = record_state.emplace(framework + '\x1f' + control, false).first->second;
      failed = failed || outcome == "fail" || outcome == "error";
    };
    const std::map<std::string, std::vector<std::string>>* mapped = nullptr;
    if (rule_frameworks_ != nullptr) {
      auto it = rule_frameworks_->find(rule);
      if (it != rule_frameworks_->end()) mapped = &it->second;
    }
    bool iso_listed = false;
    auto controls = r.FindMember("controls");
    if (controls != r.MemberEnd() && controls->value.IsArray()) {
      for (const auto& c : controls->value.GetArray()) {
        if (!c.IsString()) continue;
        std::string control(c.GetString(), c.GetStringLength());
        rs.controls.insert(control);
        d.controls[control].Add(outcome);
        count(kDefaultFramework, control);
        iso_listed = true;
      }
    }
    if (mapped != nullptr) {
      for (const auto& [framework, ids] : *mapped) {
        if (framework == kDefaultFramework && iso_listed) continue;  // the record's own list wins
        for (const std::string& control : ids) count(framework, control);
      }
    }
    auto waiver = r.FindMember("waiver");
    if (waiver != r.MemberEnd() && waiver->value.IsObject()) {
      WaiverStats& w = d.waivers[GetString(waiver->value, "name")];
      w.approved_by = GetString(waiver->value, "approvedBy");
      w.expires = GetString(waiver->value, "expires");
      w.justification = GetString(waiver->value, "justification");
      w.rules.insert(rule);
      ++w.uses;
      if (w.first_used.empty() || time < w.first_used) w.first_used = time;
      if (time > w.last_used) w.last_used = time;
    }
  }
  for (const auto& [control, failed] : record_state) day_state_[control][resource_key] = failed;
}

void ReportBuilder::FlushDay() {
  for (const auto& [control, resources] : day_state_) {
    TrendPoint p{day_, 0, 0};
    for (const auto& entry : resources) ++(entry.second ? p.failed : p.passed);
    daily_[control].push_back(p);
  }
  day_state_.clear();
}

std::string IsoWeek(const std::string& day) {
  int y = 0, m = 0, dd = 0;
  if (std::sscanf(day.c_str(), "%d-%d-%d", &y, &m, &dd) != 3) return day;
  std::tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = m - 1;
  t.tm_mday = dd;
  t.tm_hour = 12;
  timegm(&t);  // normalises and fills tm_wday / tm_yday
  char buf[16];
  std::strftime(buf, sizeof buf, "%G-W%V", &t);
  return buf;
}

void ReportBuilder::AddSystemState(const aimsgate::JsonValue& rec, const std::string& system, const std::string& time,
                                   const std::string& decision) {
  ReportData& d = *data_;
  if (system.empty()) {
    ++d.records_without_system;
    return;
  }
  auto res = rec.FindMember("resource");
  std::string ns = res != rec.MemberEnd() ? GetString(res->value, "namespace") : "";
  std::string key = res != rec.MemberEnd() ? GetString(res->value, "kind") + " " + (ns.empty() ? "" : ns + "/") +
                                                 GetString(res->value, "name")
                                           : "";
  SystemState& st = d.current[system];
  if (time >= st.last_time) {
    st.last_time = time;
    st.last_decision = decision;
    st.last_resource = key;
    if (res != rec.MemberEnd()) {
      std::string owner = GetString(res->value, "owner"), tier = GetString(res->value, "riskTier");
      if (!owner.empty()) st.owner = std::move(owner);
      if (!tier.empty()) st.risk_tier = std::move(tier);
    }
  }
  SystemResourceState latest;
  OutcomeCounts counts;
  counts.skip = SkippedCount(rec);
  auto results = rec.FindMember("results");
  if (results != rec.MemberEnd() && results->value.IsArray()) {
    for (const auto& r : results->value.GetArray()) {
      std::string outcome = GetString(r, "result");
      counts.Add(outcome);
      if (outcome == "fail") ++latest.open_findings;
      auto waiver = r.FindMember("waiver");
      if (outcome == "waived" && waiver != r.MemberEnd() && waiver->value.IsObject()) {
        latest.waivers[GetString(waiver->value, "name")] = GetString(waiver->value, "expires");
      }
    }
  }
  st.resources[key] = std::move(latest);  // records arrive in time order: the last one is current
  st.daily[time.substr(0, 10) + " " + key] = counts;
}

void ReportBuilder::Finish() {
  ReportData& d = *data_;
  d.timeline.clear();
  // At most ~60 bars: hours for short spans, then days, then months.
  std::map<std::string, DecisionCounts> buckets = hours_;
  d.granularity = "hour";
  for (size_t len : {size_t{10}, size_t{7}}) {
    if (buckets.size() <= 60) break;
    std::map<std::string, DecisionCounts> merged;
    for (const auto& [label, c] : buckets) {
      DecisionCounts& m = merged[label.substr(0, len)];
      m.allow += c.allow;
      m.deny += c.deny;
      m.warn += c.warn;
      m.other += c.other;
    }
    buckets.swap(merged);
    d.granularity = len == 10 ? "day" : "month";
  }
  for (const auto& [label, c] : buckets) d.timeline.push_back({label, c});

  FlushDay();
  std::string first_day = d.first_time.substr(0, 10), last_day = d.last_time.substr(0, 10);
  std::chrono::system_clock::time_point a, b;
  const bool weekly = ParseTime(first_day + "T00:00:00Z", &a) && ParseTime(last_day + "T00:00:00Z", &b) &&
                      b - a > std::chrono::hours(24 * 62);
  d.trend_granularity = weekly ? "week" : "day";
  d.control_trend.clear();
  d.framework_trend.clear();
  for (const auto& [key, days] : daily_) {
    const size_t sep = key.find('\x1f');
    std::vector<TrendPoint>& out = d.framework_trend[key.substr(0, sep)][key.substr(sep + 1)];
    for (const TrendPoint& p : days) {
      const std::string period = weekly ? IsoWeek(p.period) : p.period;
      if (out.empty() || out.back().period != period) out.push_back({period, 0, 0});
      out.back().passed += p.passed;
      out.back().failed += p.failed;
    }
  }
  auto iso = d.framework_trend.find(kDefaultFramework);
  if (iso != d.framework_trend.end()) d.control_trend = iso->second;
}

RuleFrameworks LoadRuleFrameworks(const std::vector<std::string>& pack_paths) {
  std::vector<std::string> paths = pack_paths;
  if (paths.empty()) {
    for (const auto& name : BuiltinPackNames()) paths.push_back("builtin:" + name);
  }
  RuleFrameworks out;
  std::vector<Diagnostic> ignored;
  for (const PackSpec& pack : LoadPackPaths(paths, &ignored)) {
    for (const RuleSpec& rule : pack.rules) {
      auto& entry = out[pack.name + "/" + rule.id];
      for (const auto& [framework, ids] : rule.framework_controls) entry[framework] = ids;
    }
  }
  return out;
}

}  // namespace aimsgate::evidence
