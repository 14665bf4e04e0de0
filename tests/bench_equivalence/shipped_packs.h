// The packs the differential checks compare folded and unfolded
// (tests/bench_equivalence, fuzz/pack_differential_fuzzer): every pack under
// rules/, the embedded built-in packs, the examples and the benchmark pack.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"

namespace aimsgate {

std::vector<std::string> ShippedPacks();

// `pack` compiled with or without plan-time folding (cel::Limits::fold); with
// `with_inputs`, an inventory and model metadata bound too.  Load diagnostics
// are appended to *diagnostics (a shipped pack has none).
std::shared_ptr<const Engine> LoadShippedPack(const std::string& pack, bool fold, bool with_inputs,
                                              std::vector<Diagnostic>* diagnostics);

}  // namespace aimsgate
