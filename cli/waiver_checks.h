// Sanity checks on the waivers `check` loads (SPEC §5, issue 19 item 8): a
// waiver is a risk acceptance an auditor reads, so a typo or an open-ended one
// must not pass silently.
//
//   WaiverPolicy policy;                       // defaults below; --strict etc.
//   WaiverReview review = ReviewWaivers(*engine, policy, now_unix);
//   PrintDiagnostics(review.diagnostics);      // warnings and errors, located
//   if (!review.ok) return 2;
//   review.notices;                            // "expires in 5 days", for every report format
//
// Checks, per waiver:
// - every `rules` entry (id or glob) matches a loaded rule; otherwise a warning
//   (an error with `strict`) with the closest rule id;
// - it expires at most `max_days` after now (default 365; the smallest
//   `waiverMaxDays` parameter of a loaded pack, or --waiver-max-days); error;
// - its justification has at least `min_justification` characters (default 20); error;
// - it expires within `notice_days` (default 14): a notice, not an error.
// Expired waivers are not errors here: they have no effect and are reported per
// result (RuleResult::expired_waiver).
//
// Thread-safety: pure. Cost: waivers × rules glob matches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

struct WaiverPolicy {
  int max_days = -1;  // -1: the packs' waiverMaxDays, else 365
  int min_justification = 20;
  int notice_days = 14;
  bool strict = false;
};

struct WaiverNotice {
  std::string source;
  int line = 0;
  std::string waiver;
  int64_t days_left = 0;
  std::string message;  // "waiver 'x' expires in 5 days (2026-12-07T00:00:00Z): renew or remove it"
};

struct WaiverReview {
  bool ok = true;
  std::vector<Diagnostic> diagnostics;
  std::vector<WaiverNotice> notices;
};

WaiverReview ReviewWaivers(const Engine& engine, const WaiverPolicy& policy, int64_t now_unix);

}  // namespace aimsgate::cli
