#include "cli/serve_launcher.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "evaluator/kernel/utf8.h"

namespace aimsgate::cli {

std::string ServeExecutablePath(const char* argv0) {
  std::string self;
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf));
  if (n > 0 && static_cast<size_t>(n) < sizeof(buf)) {
    self.assign(buf, static_cast<size_t>(n));
  } else if (argv0 != nullptr) {
    self = argv0;
  }
  // argv0 without a slash was found on PATH: its directory is unknown, and the
  // working directory is not where aimsgate was installed.
  const size_t slash = self.rfind('/');
  if (slash == std::string::npos) return "";
  return self.substr(0, slash + 1) + "aimsgate-serve";
}

int ExecServe(char** argv) {
  const std::string path = ServeExecutablePath(argv[0]);
  int err = ENOENT;
  if (!path.empty()) {
    std::cout.flush();
    execv(path.c_str(), argv);
    err = errno;
  }
  std::cerr << "aimsgate serve: error: cannot run "
            << (path.empty() ? std::string("aimsgate-serve (the directory aimsgate runs from is unknown)")
                             : kernel::EscapeControls(path))
            << ": " << std::strerror(err)
            << " (the webhook server is the executable aimsgate-serve, installed beside aimsgate)\n";
  return 2;
}

void AddServeLauncher(CLI::App& root, CommandList* commands, char** argv) {
  CLI::App* app = root.add_subcommand("serve", kServeSummary);
  app->prefix_command();
  app->set_help_flag();
  app->footer("Run `aimsgate serve --help` for its flags (docs/webhook.md).");
  commands->push_back({app, [argv] { return ExecServe(argv); }});
}

}  // namespace aimsgate::cli
