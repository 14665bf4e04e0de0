#include "evaluator/pack/framework_scores.h"

#include <algorithm>
#include <cstdio>

namespace aimsgate {

FrameworkScores::FrameworkScores(const Engine& engine, const std::string& only) : only_(only) {
  for (const auto& r : engine.rules()) Index(r.full_id, r.rule->framework_controls);
}

FrameworkScores::FrameworkScores(
    const std::unordered_map<std::string, std::map<std::string, std::vector<std::string>>>& rules,
    const std::string& only)
    : only_(only) {
  std::vector<std::string> ids;
  for (const auto& entry : rules) ids.push_back(entry.first);
  std::sort(ids.begin(), ids.end());  // deterministic slot order
  for (const auto& id : ids) Index(id, rules.at(id));
}

void FrameworkScores::Index(const std::string& rule, const std::map<std::string, std::vector<std::string>>& controls) {
  for (const auto& [framework_id, ids] : controls) {
    if (!only_.empty() && framework_id != only_) continue;
    const Framework* framework = FindFramework(framework_id);
    if (!framework) continue;
    auto f = std::find(frameworks_.begin(), frameworks_.end(), framework);
    size_t fi = static_cast<size_t>(f - frameworks_.begin());
    if (f == frameworks_.end()) frameworks_.push_back(framework);
    for (const auto& control : ids) {
      size_t slot = slots_.size();
      for (size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].framework == fi && slots_[i].control == control) slot = i;
      }
      if (slot == slots_.size()) slots_.push_back({fi, control, {}, 0, 0});
      auto& list = slots_by_rule_[rule];
      if (std::find(list.begin(), list.end(), slot) == list.end()) list.push_back(slot);
    }
  }
  scratch_.assign(slots_.size(), -1);
}

uint32_t FrameworkScores::Intern(const std::string& resource_key) {
  auto [it, inserted] = resources_.emplace(resource_key, static_cast<uint32_t>(resources_.size()));
  return it->second;
}

const std::vector<size_t>& FrameworkScores::SlotsOf(const std::string& rule) const {
  static const std::vector<size_t> kNone;
  auto it = slots_by_rule_.find(rule);
  return it == slots_by_rule_.end() ? kNone : it->second;
}

const std::vector<size_t>& FrameworkScores::SlotsOf(const RuleInfo* info) {
  auto it = slots_by_info_.find(info);
  if (it != slots_by_info_.end() && it->second.rule == info->id) return it->second.slots;
  return (slots_by_info_[info] = InfoSlots{info->id, SlotsOf(info->id)}).slots;
}

template <typename Results, typename SlotsFn, typename OutcomeOf>
void FrameworkScores::AddImpl(const std::string* resource_key, const Results& results, SlotsFn slots_of,
                              OutcomeOf outcome_of) {
  touched_.clear();
  for (const auto& r : results) {
    Outcome o = outcome_of(r);
    if (o == Outcome::kSkip) continue;
    const int8_t failed = o == Outcome::kFail || o == Outcome::kError ? 1 : 0;
    for (size_t slot : slots_of(r)) {
      if (scratch_[slot] < 0) touched_.push_back(slot);
      scratch_[slot] = std::max(scratch_[slot], failed);
    }
  }
  if (touched_.empty()) return;
  if (resource_key == nullptr) {
    for (size_t slot : touched_) {
      ++(scratch_[slot] == 1 ? slots_[slot].distinct_failed : slots_[slot].distinct_passed);
      scratch_[slot] = -1;
    }
    return;
  }
  const uint32_t resource = Intern(*resource_key);
  for (size_t slot : touched_) {
    slots_[slot].failed_by_resource[resource] = scratch_[slot] == 1;
    scratch_[slot] = -1;
  }
}

void FrameworkScores::Add(const std::string& resource_key, const std::vector<RuleResult>& results) {
  AddImpl(&resource_key, results, [this](const RuleResult& r) -> const std::vector<size_t>& { return SlotsOf(r.info); },
          [](const RuleResult& r) { return r.result; });
}

void FrameworkScores::AddDistinct(const std::vector<RuleResult>& results) {
  AddImpl(nullptr, results, [this](const RuleResult& r) -> const std::vector<size_t>& { return SlotsOf(r.info); },
          [](const RuleResult& r) { return r.result; });
}

void FrameworkScores::Add(const std::string& resource_key, const std::vector<std::pair<std::string, Outcome>>& results) {
  AddImpl(&resource_key, results,
          [this](const std::pair<std::string, Outcome>& r) -> const std::vector<size_t>& { return SlotsOf(r.first); },
          [](const std::pair<std::string, Outcome>& r) { return r.second; });
}

std::vector<FrameworkScores::Score> FrameworkScores::Scores() const {
  std::vector<Score> out;
  // Frameworks in catalogue order, whatever order the rules named them in.
  for (const Framework& framework : Frameworks()) {
    auto f = std::find(frameworks_.begin(), frameworks_.end(), &framework);
    if (f == frameworks_.end()) continue;
    const size_t fi = static_cast<size_t>(f - frameworks_.begin());
    Score s{framework.id, framework.title, std::nullopt, 0, {}};
    std::vector<const Slot*> slots;
    for (const auto& slot : slots_) {
      if (slot.framework == fi) slots.push_back(&slot);
    }
    auto rank = [&](const std::string& id) {
      for (size_t i = 0; i < framework.controls.size(); ++i) {
        if (framework.controls[i].id == id) return i;
      }
      return framework.controls.size();
    };
    std::stable_sort(slots.begin(), slots.end(), [&](const Slot* a, const Slot* b) {
      size_t ra = rank(a->control), rb = rank(b->control);
      return ra != rb ? ra < rb : ControlIdLess(a->control, b->control);
    });
    double sum = 0;
    for (const Slot* slot : slots) {
      ControlScore c;
      c.id = slot->control;
      if (const FrameworkControl* fc = framework.Find(slot->control)) c.title = fc->title;
      for (const auto& entry : slot->failed_by_resource) ++(entry.second ? c.failed : c.passed);
      c.passed += slot->distinct_passed;
      c.failed += slot->distinct_failed;
      if (c.passed + c.failed > 0) {
        c.score = static_cast<double>(c.passed) / static_cast<double>(c.passed + c.failed);
        sum += *c.score;
        ++s.evaluated_controls;
      }
      s.controls.push_back(std::move(c));
    }
    if (s.evaluated_controls > 0) s.score = sum / static_cast<double>(s.evaluated_controls);
    out.push_back(std::move(s));
  }
  return out;
}

std::string FormatScore(const std::optional<double>& score) {
  if (!score) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *score * 100.0);
  return buf;
}

}  // namespace aimsgate
