// The flags that choose packs and the organisation's inputs, shared by
// `check`, `test`, `lint`, `rules` and `serve`.
#pragma once

#include <CLI/CLI.hpp>

#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

// Adds --rules, --param, --params, --inventory, --waivers, --model-card, --bom, --models, --context.
void AddEngineFlags(CLI::App* app, EngineOptions* options, bool with_inputs = true);

// Prints diagnostics to stderr as "path:line:col: error: message" with a caret snippet.
void PrintDiagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace aimsgate::cli
