// aimsgate: one command, subcommands (SPEC §1).  Each subcommand lives in its own
// file and registers itself through cli/command.h; `serve` hands over to the
// executable aimsgate-serve beside this one (cli/serve_launcher.h).
#include <string_view>

#include "cli/command.h"
#include "cli/run_cli.h"
#include "cli/schemas.h"
#include "cli/serve_launcher.h"

int main(int argc, char** argv) {
  using namespace aimsgate::cli;
  if (argc >= 2 && std::string_view(argv[1]) == "serve") return ExecServe(argv);
  return RunCli(argc, argv, [argv](CLI::App& app, CommandList* commands) {
    AddCheckCommand(app, commands);
    AddLintCommand(app, commands);
    AddTestCommand(app, commands);
    AddSchemaCommand(app, commands);
    AddRulesCommand(app, commands);
    AddModelCommands(app, commands);
    AddInventoryCommands(app, commands);
    AddEvidenceCommands(app, commands);
    AddSoaCommand(app, commands);
    AddServeLauncher(app, commands, argv);
    AddVersionCommand(app, commands);
  });
}
