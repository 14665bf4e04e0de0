#include "cli/run_cli.h"

#include <exception>
#include <iostream>
#include <new>

#include "cli/output_file.h"
#include "cli/usage.h"
#include "evaluator/kernel/exceptions.h"

namespace aimsgate::cli {
namespace {

// The selected subcommand's exit code; 2, with what went wrong, for an exception
// nothing nearer caught on this thread (an allocation that failed, say), not an abort.
int RunSelected(const CommandList& commands) {
  for (const Command& c : commands) {
    if (!c.app->parsed()) continue;
    try {
      return c.run();
    } catch (const std::bad_alloc&) {  // written without allocating
      std::cerr << "aimsgate " << c.app->get_name() << ": error: out of memory\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "aimsgate " << c.app->get_name() << ": error: " << kernel::ExceptionText(e) << "\n";
      return 2;
    }
  }
  return 2;
}

// Output that did not reach stdout (a full disk, a closed pipe) is an error of
// every command, whatever it found: a report nobody got must not pass CI.
int WithStdoutChecked(int code) { return ReportStdoutFailure() ? 2 : code; }

}  // namespace

int RunCli(int argc, char** argv, const AddCommandsFn& add) {
  kernel::PrepareUnwinding();
  WatchStdout();
  CLI::App app{"aimsgate: ISO/IEC 42001 controls for AI deployments, in CI and at admission"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  CommandList commands;
  add(app, &commands);
  OneValuePerUse(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) std::cerr << SuggestFlags(app, app.remaining(true));
    // CLI11 exits 0 for --help; every usage error is exit code 2 (SPEC §1).
    return WithStdoutChecked(code == 0 ? 0 : 2);
  }
  return WithStdoutChecked(RunSelected(commands));
}

}  // namespace aimsgate::cli
