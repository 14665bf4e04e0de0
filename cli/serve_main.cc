// aimsgate-serve: the admission webhook (`aimsgate serve`, SPEC §4), on its own
// so that only it loads cpp-httplib and libssl (cli/serve_launcher.h).
// `aimsgate serve ARGS` runs `aimsgate-serve serve ARGS`.
#include "cli/command.h"
#include "cli/run_cli.h"

int main(int argc, char** argv) {
  using namespace aimsgate::cli;
  return RunCli(argc, argv, [](CLI::App& app, CommandList* commands) {
    AddServeCommand(app, commands);
    AddVersionCommand(app, commands);
  });
}
