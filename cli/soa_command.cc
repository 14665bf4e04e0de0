// aimsgate soa: the Statement of Applicability of one framework (cli/soa.h).
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/output_file.h"
#include "cli/soa.h"
#include "evaluator/pack/pack_loader.h"

namespace aimsgate::cli {
namespace {

struct SoaOptions {
  EngineOptions engine;
  std::string framework = kDefaultFramework;
  std::string applicability;
  std::vector<std::string> evidence;
  std::string format = "md";
  std::string output;
};

int RunSoa(SoaOptions o) {
  const Framework* framework = FindFramework(o.framework);
  if (!framework) {
    std::cerr << "aimsgate soa: error: unknown framework '" << o.framework << "' (expected one of: " << FrameworkIdList()
              << ")\n";
    return 2;
  }
  SoaFormat format;
  if (o.format == "md" || o.format == "markdown") format = SoaFormat::kMarkdown;
  else if (o.format == "csv") format = SoaFormat::kCsv;
  else if (o.format == "html") format = SoaFormat::kHtml;
  else {
    std::cerr << "aimsgate soa: error: unknown format '" << o.format << "' (expected md, csv or html)\n";
    return 2;
  }
  std::vector<FileUse> uses = {{"-o " + o.output, o.output, true},
                               {"--applicability " + o.applicability, o.applicability, false}};
  for (const auto& f : o.evidence) uses.push_back({"--evidence " + f, f, false});
  for (const auto& p : o.engine.rule_paths) uses.push_back({"--rules " + p, p, false});
  if (std::string conflict = SameFileConflict(uses); !o.output.empty() && !conflict.empty()) {
    std::cerr << "aimsgate soa: error: " << conflict << "\n";
    return 2;
  }
  // Without --rules: every built-in pack, so each framework's rules are all known.
  if (o.engine.rule_paths.empty()) {
    for (const auto& name : BuiltinPackNames()) o.engine.rule_paths.push_back("builtin:" + name);
  }
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(o.engine, &diags);
  Applicability applicability;
  if (engine && !o.applicability.empty()) LoadApplicability(o.applicability, *framework, &applicability, &diags);
  PrintDiagnostics(diags);
  if (!engine || HasErrors(diags)) return 2;
  for (const auto& f : o.evidence) {
    if (!std::ifstream(f)) {
      std::cerr << f << ": error: cannot read evidence log\n";
      return 2;
    }
  }
  SoaTable table = BuildSoa(*framework, *engine, applicability, o.evidence);
  if (o.output.empty()) {
    RenderSoa(table, format, std::cout);
    return 0;
  }
  OutputFile out;
  std::string why;
  if (out.Open(o.output, &why)) {
    RenderSoa(table, format, out.stream());
    if (out.Commit(&why)) return 0;
  }
  std::cerr << o.output << ": error: cannot write the statement: " << why << "\n";
  return 2;
}

}  // namespace

void AddSoaCommand(CLI::App& root, CommandList* commands) {
  auto o = std::make_shared<SoaOptions>();
  CLI::App* app = root.add_subcommand(
      "soa", "Statement of Applicability: every control of a framework, applicability, implementing rules, evidence");
  app->add_option("--framework", o->framework, "iso42001 (default), eu-ai-act or nist-ai-rmf")->allow_extra_args(false);
  app->add_option("--applicability", o->applicability, "kind: Applicability YAML (exclusions with justification)")
      ->allow_extra_args(false);
  app->add_option("--evidence", o->evidence, "Evidence log (repeatable): records, pass/fail counts, last decision")
      ->allow_extra_args(false);
  app->add_option("--format", o->format, "md (default), csv or html")->allow_extra_args(false);
  app->add_option("-o,--output", o->output, "Write to FILE instead of stdout")->allow_extra_args(false);
  AddEngineFlags(app, &o->engine, false);
  commands->push_back({app, [o] { return RunSoa(*o); }});
}

}  // namespace aimsgate::cli
