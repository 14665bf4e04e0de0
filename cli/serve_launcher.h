// `aimsgate serve` hands over to `aimsgate-serve`, the executable beside
// `aimsgate` that holds the webhook server. cpp-httplib (and with it libssl,
// zlib and brotli) ships as a shared library only, and loading it cost every
// other command its start-up. Without it, `aimsgate` links static archives
// (CMakeLists.txt, aimsgate_link_static).
//
//   if (argc >= 2 && std::string_view(argv[1]) == "serve") return ExecServe(argv);
#pragma once

#include <string>

#include "cli/command.h"

namespace aimsgate::cli {

// Where `aimsgate-serve` is: the directory of the running executable
// (/proc/self/exe, else argv0's when it names one), then the name; "" when
// that directory is unknown.
std::string ServeExecutablePath(const char* argv0);

// Replaces this process with `aimsgate-serve` and the same arguments (so the
// pid, signals and exit code are the server's). Returns only on failure: 2,
// with what was tried on stderr.
int ExecServe(char** argv);

// Lists `serve` in `aimsgate --help`; selecting it runs ExecServe.
void AddServeLauncher(CLI::App& root, CommandList* commands, char** argv);

}  // namespace aimsgate::cli
