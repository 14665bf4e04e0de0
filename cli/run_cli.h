// The body of main() of both executables, `aimsgate` (cli/main.cc) and
// `aimsgate-serve` (cli/serve_main.cc): the same parsing, exit codes (SPEC §1)
// and stdout checks, with the subcommands each one registers.
//
//   int main(int argc, char** argv) {
//     return aimsgate::cli::RunCli(argc, argv, [](CLI::App& app, CommandList* commands) {
//       AddCheckCommand(app, commands);
//     });
//   }
#pragma once

#include <functional>

#include "cli/command.h"

namespace aimsgate::cli {

using AddCommandsFn = std::function<void(CLI::App& app, CommandList* commands)>;

// Parses argv into the subcommands `add` registers and runs the selected one: its
// exit code, 0 for --help, 2 for a usage error or an exception nothing caught,
// 2 when stdout could not be written.
int RunCli(int argc, char** argv, const AddCommandsFn& add);

}  // namespace aimsgate::cli
