// Per-framework compliance scores of a run, computed the way Kubescape scores its
// frameworks: a control's score is resources passed ÷ resources evaluated (a
// waived failure counts as passed, an error as failed, skip is not evaluated), and
// a framework's score is the mean over its controls with at least one evaluated
// resource.  docs/frameworks.md#scores.
//
//   FrameworkScores scores(engine);                  // every framework the rules map to
//   for (each decision) scores.Add(key, evaluation.results);   // one at a time, then freed
//   for (const auto& f : scores.Scores()) ...         // f.score, f.controls[i].passed
//
// The aggregator keeps one state per (framework control, resource), not results:
// a resource fed again (a later decision on the same object, e.g. repeated
// evidence records) replaces its earlier state.  Memory: one byte-sized entry per
// evaluated (control, resource) pair plus one interned key per resource; none
// for AddDistinct (a run whose decisions are all on different objects), which
// keeps two counters per control.
// Thread-compatible (feed it from one thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "evaluator/pack/engine.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/decision/decision.h"

namespace aimsgate {

class FrameworkScores {
 public:
  // The rule → controls map comes from the loaded rules.  `only` limits scoring to
  // one framework id; empty = every framework some loaded rule maps to.
  explicit FrameworkScores(const Engine& engine, const std::string& only = "");
  // For callers without an Engine (evidence logs): rule full id → its framework controls.
  explicit FrameworkScores(const std::unordered_map<std::string, std::map<std::string, std::vector<std::string>>>& rules,
                           const std::string& only = "");

  // One decision: the results of every rule on the resource identified by `resource_key`.
  void Add(const std::string& resource_key, const std::vector<RuleResult>& results);
  // One decision on a resource no other call names (`check`: every decision is a
  // different object): counted at once, with no per-resource state.
  void AddDistinct(const std::vector<RuleResult>& results);
  // The same for callers that hold only rule ids and outcomes.
  void Add(const std::string& resource_key, const std::vector<std::pair<std::string, Outcome>>& results);

  struct ControlScore {
    std::string id;
    std::string title;  // from the catalogue; empty for a reference it does not hold
    size_t passed = 0, failed = 0;
    std::optional<double> score;  // none when no resource was evaluated
  };
  struct Score {
    std::string id, title;
    std::optional<double> score;  // mean of the controls' scores; none when none was evaluated
    size_t evaluated_controls = 0;
    std::vector<ControlScore> controls;  // every control a loaded rule maps to, catalogue order
  };
  std::vector<Score> Scores() const;

 private:
  struct Slot {
    size_t framework;  // index into frameworks_
    std::string control;
    std::unordered_map<uint32_t, bool> failed_by_resource;
    size_t distinct_passed = 0, distinct_failed = 0;  // AddDistinct
  };
  void Index(const std::string& rule, const std::map<std::string, std::vector<std::string>>& controls);
  uint32_t Intern(const std::string& resource_key);
  template <typename Results, typename SlotsFn, typename OutcomeOf>
  void AddImpl(const std::string* resource_key, const Results& results, SlotsFn slots_of, OutcomeOf outcome_of);
  const std::vector<size_t>& SlotsOf(const std::string& rule) const;
  const std::vector<size_t>& SlotsOf(const RuleInfo* info);

  std::string only_;
  std::vector<const Framework*> frameworks_;
  std::vector<Slot> slots_;
  std::unordered_map<std::string, std::vector<size_t>> slots_by_rule_;
  std::unordered_map<std::string, uint32_t> resources_;
  std::vector<int8_t> scratch_;  // per slot, during one Add: -1 untouched, 0 passed, 1 failed
  std::vector<size_t> touched_;  // the slots of scratch_ one Add set
  // A result's slots by its RuleInfo, filled the first time a rule is seen: a
  // pointer's hash per result instead of the rule id's.  The id is kept to check
  // the entry (a RuleInfo freed and another allocated at its address).
  struct InfoSlots {
    std::string rule;
    std::vector<size_t> slots;
  };
  std::unordered_map<const RuleInfo*, InfoSlots> slots_by_info_;
};

// "87.5%" (one decimal), or "n/a".
std::string FormatScore(const std::optional<double>& score);

}  // namespace aimsgate
