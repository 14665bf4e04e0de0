// JSON Schemas (draft 2020-12) of the documents pack authors and operators
// write, for editors (`# yaml-language-server: $schema=...`) and CI
// (`aimsgate schema KIND`, docs/rule-packs.md).  They describe what the loaders
// accept (pack_loader.cc, inputs.cc, test_command.cc, soa.cc); the loaders
// stay the authority on what the schema cannot say (CEL that compiles, dates
// that parse, control ids a catalogue knows).
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace aimsgate::cli {

// `aimsgate schema KIND` (schema_command.cc).
void AddSchemaCommand(CLI::App& root, CommandList* commands);

// rulepack, rulepacktest, inventory, waiver, applicability.
const std::vector<std::string>& SchemaKinds();
// The schema text of `kind`; empty for an unknown kind.
std::string SchemaFor(const std::string& kind);

}  // namespace aimsgate::cli
