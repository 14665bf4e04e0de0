// How subcommands plug into the `aimsgate` binary: each module adds its
// subcommand(s) to the root CLI11 app and registers what to run when selected.
//
//   void AddEvidenceCommands(CLI::App& root, CommandList* commands) {
//     CLI::App* verify = root.add_subcommand("verify", "...");
//     auto opts = std::make_shared<VerifyOptions>();
//     verify->add_option("files", opts->files)->required();
//     commands->push_back({verify, [opts] { return RunVerify(*opts); }});
//   }
//
// Runners return the process exit code (SPEC §1: 0 ok, 1 violations/failures, 2 usage or input error)
// and never throw.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace aimsgate::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};
using CommandList = std::vector<Command>;

void AddCheckCommand(CLI::App& root, CommandList* commands);
void AddLintCommand(CLI::App& root, CommandList* commands);
void AddTestCommand(CLI::App& root, CommandList* commands);
void AddRulesCommand(CLI::App& root, CommandList* commands);
void AddVersionCommand(CLI::App& root, CommandList* commands);
void AddEvidenceCommands(CLI::App& root, CommandList* commands);  // evidence verify|report|keygen
// `serve` itself is in the executable aimsgate-serve (cli/serve_main.cc); `aimsgate serve`
// hands over to it (cli/serve_launcher.h).
void AddServeCommand(CLI::App& root, CommandList* commands);
inline constexpr const char* kServeSummary = "Run the HTTPS validating admission webhook (POST /validate)";
void AddModelCommands(CLI::App& root, CommandList* commands);  // model verify
void AddInventoryCommands(CLI::App& root, CommandList* commands);  // inventory discover
void AddSoaCommand(CLI::App& root, CommandList* commands);  // needs the evidence library

}  // namespace aimsgate::cli
