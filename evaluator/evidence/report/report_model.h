// The numbers an evidence report shows, aggregated from decision records in one pass.
//
//   evidence::ReportData data;
//   evidence::ReportBuilder builder(&data, now);
//   builder.Add(entry.doc, verified);              // for each decision record in range
//   builder.Finish();                              // sorts, picks the timeline granularity
//   data.controls["A.3.2"].pass ...
//
// Definitions (docs/evidence.md, "Report"): counts are per rule result; a control counts
// every result of every rule that names it. Compliance rate = pass / (pass + fail + error
// + waived); skip is not counted; "—" when the denominator is 0.
// Memory: proportional to the distinct controls, rules, namespaces, systems, waivers,
// packs and hours seen, not to the number of records.
// Thread-safety: one builder per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/evidence/log/verifier.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::evidence {

struct OutcomeCounts {
  uint64_t pass = 0, fail = 0, waived = 0, skip = 0, error = 0;
  uint64_t Rated() const { return pass + fail + error + waived; }
  // pass / Rated(), or -1 when nothing was rated.
  double Rate() const { return Rated() == 0 ? -1.0 : static_cast<double>(pass) / Rated(); }
  void Add(const std::string& outcome);
};

struct DecisionCounts {
  uint64_t allow = 0, deny = 0, warn = 0, other = 0;
  uint64_t Total() const { return allow + deny + warn + other; }
  void Add(const std::string& decision);
};

struct RuleStats {
  OutcomeCounts counts;
  std::set<std::string> controls;
  std::string severity;
  std::string action;
};

struct GroupStats {  // per namespace or per AI system
  DecisionCounts decisions;  // one per record
  OutcomeCounts results;     // one per rule result
};

struct WaiverStats {
  std::string approved_by, expires, justification;
  std::set<std::string> rules;
  uint64_t uses = 0;
  std::string first_used, last_used;
};

struct PackStats {
  std::string name, version, digest;
  uint64_t records = 0;
  std::string first_seen, last_seen;
};

struct TimeBucket {
  std::string label;  // "2026-11-28T17", "2026-11-28" or "2026-11"
  DecisionCounts decisions;
};

// One control's score in one period of the trend (docs/frameworks.md#scores): resources
// passed ÷ resources evaluated that day, a resource's last result of the day counting
// (waived = passed, error = failed); a week sums its days' resource-days.
struct TrendPoint {
  std::string period;  // "2026-11-28" (day) or "2026-W48" (ISO week)
  uint64_t passed = 0, failed = 0;
  double Score() const { return passed + failed == 0 ? -1.0 : static_cast<double>(passed) / (passed + failed); }
};
// Who and what, per decision record: the admission user or the CI actor, the
// admission operation (or "check" / "audit" for those sources), the CI commit.
struct DecisionRow {
  std::string time, source, resource, decision, actor, operation, commit;
};
std::string ActorOf(const aimsgate::JsonValue& record);
std::string OperationOf(const aimsgate::JsonValue& record);
std::string CommitOf(const aimsgate::JsonValue& record);
// The record's "skipped" count (records since issue 14 item 5 count skips instead of listing
// them); 0 when absent.
uint64_t SkippedCount(const aimsgate::JsonValue& record);

// The current state of one AI system (resource.systemId), for the auditor who
// signs: its latest decision, the failures and waivers of each of its
// resources' latest record, and a rate that counts each resource once per day
// (the day's last record), so a pipeline that runs ten times a day weighs as
// much as one that runs once.
struct SystemResourceState {
  uint64_t open_findings = 0;                   // fail results in the latest record
  std::map<std::string, std::string> waivers;   // waiver name -> expires, from waived results
};
struct SystemState {
  std::string last_time, last_decision, last_resource;
  std::string owner, risk_tier;  // from the latest record that carries them (older logs: none)
  std::map<std::string, SystemResourceState> resources;  // "Kind ns/name" -> latest
  std::map<std::string, OutcomeCounts> daily;            // "YYYY-MM-DD Kind ns/name" -> that day's last record
  uint64_t OpenFindings() const;
  OutcomeCounts DailyCounts() const;  // sum over `daily`
  // Waivers of the latest records, split by expiry against `now`.
  void Waivers(std::chrono::system_clock::time_point now, std::vector<std::string>* in_force,
               std::vector<std::string>* expired) const;
};

struct ReportData {
  std::vector<VerifyResult> verification;  // one per input file
  bool verified() const;                   // every file OK
  uint64_t records = 0;
  uint64_t unverified_records = 0;         // after a file's first broken position
  DecisionCounts decisions;
  OutcomeCounts results;
  std::string first_time, last_time;
  std::map<std::string, OutcomeCounts> controls;
  std::map<std::string, RuleStats> rules;
  std::map<std::string, GroupStats> namespaces;  // "" = cluster-scoped
  std::map<std::string, GroupStats> systems;     // "" = no aimsgate.io/system-id
  std::map<std::string, WaiverStats> waivers;
  std::map<std::string, PackStats> packs;        // key: name@version@digest
  std::map<std::string, uint64_t> sources;       // ci / admission / audit
  std::vector<TimeBucket> timeline;              // set by Finish, oldest first
  std::string granularity;                       // "hour" | "day" | "month"
  std::chrono::system_clock::time_point now;     // waiver expiry is judged against it
  // ISO/IEC 42001 control → its score per day, or per week when the log spans more than
  // 62 days (set by Finish; periods without an evaluated resource are left out).
  std::map<std::string, std::vector<TrendPoint>> control_trend;
  // The same per framework id, iso42001 included (== control_trend).  ISO controls come from the
  // records' `controls`; the other frameworks' (and ISO's when a record lists none) are resolved at
  // report time from the rule ids through the packs' mappings (ReportBuilder::SetRuleFrameworks),
  // so logs written before the frameworks existed chart them too.
  std::map<std::string, std::map<std::string, std::vector<TrendPoint>>> framework_trend;
  std::string trend_granularity;                 // "day" | "week"
  std::map<std::string, SystemState> current;    // AI systems only (non-empty systemId)
  uint64_t records_without_system = 0;           // not AI systems, or undeclared: kept out of `current`
  std::vector<DecisionRow> latest;               // the last kLatestDecisions records, oldest first
  static constexpr size_t kLatestDecisions = 25;

  // Rules with at least one fail, most failures first (ties by name), at most `limit`.
  std::vector<std::pair<std::string, const RuleStats*>> TopFailingRules(size_t limit) const;
};

// Rule id ("pack/rule") -> framework id -> control ids, from the packs' `controls`.
using RuleFrameworks = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

// The mappings of the packs at `pack_paths` (files, directories, builtin:NAME); empty = every
// built-in pack.  Packs that do not load are left out (a report never fails on them).
RuleFrameworks LoadRuleFrameworks(const std::vector<std::string>& pack_paths);

class ReportBuilder {
 public:
  ReportBuilder(ReportData* data, std::chrono::system_clock::time_point now);
  // Borrowed; must outlive Add and Finish.  Without it only the records' ISO controls are charted.
  void SetRuleFrameworks(const RuleFrameworks* mappings) { rule_frameworks_ = mappings; }
  void Add(const aimsgate::JsonValue& record, bool verified);
  void Finish();

 private:
  void FlushDay();

  void AddSystemState(const aimsgate::JsonValue& record, const std::string& system, const std::string& time,
                      const std::string& decision);
  ReportData* data_;
  std::map<std::string, DecisionCounts> hours_;  // "YYYY-MM-DDTHH"
  // The day being read (records arrive in time order): per control, each resource's
  // last state (true = failed); folded into daily counts when the day changes.
  std::string day_;
  std::map<std::string, std::map<std::string, bool>> day_state_;
  std::map<std::string, std::vector<TrendPoint>> daily_;  // key: framework '\x1f' control
  const RuleFrameworks* rule_frameworks_ = nullptr;
};

// "2026-W48" for "2026-11-28" (ISO 8601 week).
std::string IsoWeek(const std::string& day);
// Natural order for control ids: "A.3.2" < "A.10.2", "4.1" < "A.2".
bool NaturalLess(const std::string& a, const std::string& b);
// Annex A controls ("A.x.y") as opposed to clauses of the standard's body ("6.1.3").
bool IsAnnexA(const std::string& control);
// The controls of `d`: clauses first, then Annex A controls, each in natural order.
std::vector<std::string> ControlsInOrder(const ReportData& d);

// "87.5%" or "—".
std::string FormatRate(double rate);

}  // namespace aimsgate::evidence
