#include "cli/waiver_checks.h"

#include <algorithm>

#include "cli/usage.h"

namespace aimsgate::cli {
namespace {

constexpr int kDefaultMaxDays = 365;
constexpr int64_t kDay = 86400;

// The smallest waiverMaxDays a loaded pack declares, or -1.
int PackMaxDays(const Engine& engine) {
  int found = -1;
  std::vector<const PackSpec*> seen;
  for (const auto& info : engine.rules()) {
    if (std::find(seen.begin(), seen.end(), info.pack) != seen.end()) continue;
    seen.push_back(info.pack);
    if (!info.pack->parameters || !info.pack->parameters->IsObject()) continue;
    auto it = info.pack->parameters->FindMember("waiverMaxDays");
    if (it == info.pack->parameters->MemberEnd() || !it->value.IsInt() || it->value.GetInt() <= 0) continue;
    found = found < 0 ? it->value.GetInt() : std::min(found, it->value.GetInt());
  }
  return found;
}

std::string Days(int64_t n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

}  // namespace

WaiverReview ReviewWaivers(const Engine& engine, const WaiverPolicy& policy, int64_t now_unix) {
  WaiverReview review;
  const WaiverSet* set = engine.waivers();
  if (set == nullptr) return review;
  std::vector<std::string> rule_ids;
  for (const auto& info : engine.rules()) rule_ids.push_back(info.full_id);
  int max_days = policy.max_days > 0 ? policy.max_days : PackMaxDays(engine);
  bool from_pack = policy.max_days <= 0 && max_days > 0;
  if (max_days <= 0) max_days = kDefaultMaxDays;

  auto add = [&](const Waiver& w, Diagnostic::Level level, std::string message) {
    Diagnostic d;
    d.source = w.source;
    d.line = w.line;
    d.column = w.line > 0 ? 1 : 0;
    d.message = "waiver '" + w.name + "': " + std::move(message);
    d.level = level;
    if (level == Diagnostic::Level::kError) review.ok = false;
    review.diagnostics.push_back(std::move(d));
  };

  for (const Waiver& w : set->waivers()) {
    for (const std::string& pattern : w.rules) {
      bool matches = std::any_of(rule_ids.begin(), rule_ids.end(),
                                 [&](const std::string& id) { return GlobMatch(pattern, id); });
      if (matches) continue;
      add(w, policy.strict ? Diagnostic::Level::kError : Diagnostic::Level::kWarning,
          "rule '" + pattern + "' matches no loaded rule" + DidYouMean(pattern, rule_ids) +
              "; the waiver covers nothing for it");
    }
    int64_t left = w.expires_unix - now_unix;
    if (left > static_cast<int64_t>(max_days) * kDay) {
      add(w, Diagnostic::Level::kError,
          "expires " + w.expires + ", more than " + Days(max_days) + " from now (the longest a waiver may run, " +
              (from_pack ? std::string("waiverMaxDays of the pack") : std::string("--waiver-max-days")) +
              "); set an earlier expiry and review it then");
    }
    size_t length = w.justification.size();
    if (length < static_cast<size_t>(policy.min_justification)) {
      add(w, Diagnostic::Level::kError,
          "justification '" + w.justification + "' is " + std::to_string(length) +
              (length == 1 ? " character" : " characters") + "; at least " +
              std::to_string(policy.min_justification) +
              " are required (--waiver-min-justification): say why the risk is accepted and until when");
    }
    if (left > 0 && left <= static_cast<int64_t>(policy.notice_days) * kDay) {
      int64_t days = (left + kDay - 1) / kDay;
      review.notices.push_back({w.source, w.line, w.name, days,
                                "waiver '" + w.name + "' expires in " + Days(days) + " (" + w.expires +
                                    "): renew it with a new approval or fix what it waives"});
    }
  }
  return review;
}

}  // namespace aimsgate::cli
