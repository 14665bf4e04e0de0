// `aimsgate rules bench [--rules PACK...] PATH...`: evaluates each rule alone
// (EngineOptions::only_rule) over the given resources, a fixed number of passes
// (--iterations) or for a time per rule (--duration), and prints per rule the
// resources it matched, p50/p95/p99 time per evaluation, the CEL cost units one
// evaluation spends, and its share of the total time.  `--format json` prints
// the same for a later `--baseline FILE --max-regression 20%`, which exits 1
// naming every rule whose p50 grew by more than that (Gatekeeper's `gator
// bench` comparison).  Exit 2 on input or usage errors.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace aimsgate::cli {

void AddRulesBenchCommand(CLI::App* rules, CommandList* commands);

}  // namespace aimsgate::cli
