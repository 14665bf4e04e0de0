#include "cli/rules_export.h"

#include <iostream>
#include <memory>

#include "cli/engine_flags.h"
#include "cli/output_file.h"
#include "evaluator/pack/pack_loader.h"
#include "evaluator/pack/vap_export.h"

namespace aimsgate::cli {
namespace {

struct ExportOptions {
  std::string format = "vap";
  std::vector<std::string> packs;
  EngineOptions engine;
  std::string output;
};

int RunExport(const ExportOptions& o) {
  std::vector<std::string> paths = o.packs;
  paths.insert(paths.end(), o.engine.rule_paths.begin(), o.engine.rule_paths.end());
  std::vector<FileUse> uses = {{"-o " + o.output, o.output, true}};
  for (const auto& p : paths) uses.push_back({"pack " + p, p, false});
  for (const auto& p : o.engine.params_files) uses.push_back({"--params " + p, p, false});
  if (std::string conflict = SameFileConflict(uses); !conflict.empty()) {
    std::cerr << "aimsgate rules export: error: " << conflict << "\n";
    return 2;
  }
  std::vector<Diagnostic> diags;
  std::vector<PackSpec> specs = LoadPackPaths(paths, &diags);
  const bool load_errors = HasErrors(diags);
  if (!load_errors) ApplyParamOverrides(o.engine.param_overrides, o.engine.params_files, &specs, &diags);
  PrintDiagnostics(diags);
  if (HasErrors(diags)) return 2;
  // Packs that came from ValidatingAdmissionPolicies are already in the apiserver's language.
  std::vector<PackSpec> rule_packs;
  for (auto& s : specs) {
    if (!s.namespaces) rule_packs.push_back(std::move(s));
  }
  VapExport out = ExportPacksAsVap(rule_packs);
  for (const auto& s : out.skipped) std::cerr << "not exported: " << s.rule << ": " << s.reason << "\n";
  std::cerr << out.exported << " rules exported as ValidatingAdmissionPolicy + binding, " << out.skipped.size()
            << " not exported\n";
  if (o.output.empty() || o.output == "-") {
    std::cout << out.yaml;
  } else {
    OutputFile file;
    std::string why;
    bool written = file.Open(o.output, &why);
    if (written) file.stream() << out.yaml;
    if (!written || !file.Commit(&why)) {
      std::cerr << o.output << ": error: cannot write: " << why << "\n";
      return 2;
    }
  }
  return out.exported > 0 ? 0 : 1;
}

}  // namespace

void AddRulesExportCommand(CLI::App* rules, CommandList* commands) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* app = rules->add_subcommand(
      "export", "Write the rules that need nothing outside the object as Kubernetes ValidatingAdmissionPolicies");
  app->add_option("--format", o->format, "Export format")->check(CLI::IsMember({"vap"}));
  app->add_option("packs", o->packs, "Pack files or directories (default: the built-in pack)");
  app->add_option("-o,--output", o->output, "Output file (default: stdout)");
  AddEngineFlags(app, &o->engine, false);
  commands->push_back({app, [o] { return RunExport(*o); }});
}

}  // namespace aimsgate::cli
