// The built-in packs' loader: LoadPackSpecs (pack_loader.h) over a libyaml
// tree (lite_yaml.h) instead of yaml-cpp's, a fifth of the instructions.
//
//   std::vector<PackSpec> packs = LoadBuiltinPackSpecs(BuiltinPackSource("iso42001"), &diags);
//
// The fast path takes a file only when it loads without a single diagnostic,
// holds only RulePacks and nothing LiteNode does not reproduce (anchors,
// aliases, tags, merge keys): anything else is read again by LoadPackSpecs, so
// every diagnostic is yaml-cpp's, as before.  tests/pack/pack_loader_fast_test.cc
// checks that both loaders give the same PackSpecs for every built-in pack;
// that is why only the built-in packs, fixed at build time, take this path.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <memory>
#include <vector>

#include "evaluator/kernel/diagnostic.h"
#include "evaluator/pack/pack_spec.h"

namespace aimsgate {

// The file's packs, read with libyaml; false when the file is not one the fast
// path takes (above): *packs is then unspecified.
bool LoadPackSpecsFast(const std::shared_ptr<const SourceFile>& file, std::vector<PackSpec>* packs);

// LoadPackSpecsFast, else LoadPackSpecs(file, diagnostics).
std::vector<PackSpec> LoadBuiltinPackSpecs(const std::shared_ptr<const SourceFile>& file,
                                           std::vector<Diagnostic>* diagnostics);

}  // namespace aimsgate
