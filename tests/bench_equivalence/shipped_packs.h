// The packs the differential tests compare folded and unfolded: every pack
// under rules/, the embedded built-in packs, the examples and the benchmark
// packs, loaded as the tests load them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "evaluator/pack/engine.h"

namespace aimsgate {

std::vector<std::string> ShippedPacks();

// `pack` compiled with or without plan-time folding (cel::Limits::fold); with
// `with_inputs`, an inventory and model metadata bound too.  Load diagnostics
// are test failures.
std::shared_ptr<const Engine> LoadShippedPack(const std::string& pack, bool fold, bool with_inputs);

}  // namespace aimsgate
