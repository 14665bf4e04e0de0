// `aimsgate rules export --format vap [PACK...]`: writes a ValidatingAdmissionPolicy
// and binding per exportable rule (evaluator/pack/vap_export.h); every rule that
// cannot be exported is named on stderr with the reason.  Exit 0 when something
// was exported, 1 when nothing could be, 2 on input errors.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace aimsgate::cli {

void AddRulesExportCommand(CLI::App* rules, CommandList* commands);

}  // namespace aimsgate::cli
