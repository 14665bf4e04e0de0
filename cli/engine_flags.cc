#include "cli/engine_flags.h"

#include <iostream>
#include <map>
#include <memory>

#include "evaluator/pack/embedded_files.h"
#include "evaluator/pack/pack_loader.h"

namespace aimsgate::cli {

void AddEngineFlags(CLI::App* app, EngineOptions* o, bool with_inputs) {
  app->add_option("--rules", o->rule_paths,
                  "Rule pack file or directory (repeatable); default: the built-in pack builtin:iso42001")->allow_extra_args(false);
  app->add_option("--param", o->param_overrides, "Override a pack parameter: KEY=VALUE or PACK.KEY=VALUE (value is YAML)")->allow_extra_args(false);
  app->add_option("--params", o->params_files, "YAML file of parameter overrides (key: value)")->allow_extra_args(false);
  if (!with_inputs) return;
  app->add_option("--inventory", o->inventory_path, "AI-system inventory (kind: Inventory, YAML or JSON)");
  app->add_option("--waivers", o->waiver_paths, "Waiver file or directory (repeatable)")->allow_extra_args(false);
  app->add_option("--model-card", o->model_card_path, "Hugging Face model card (Markdown with YAML front matter)");
  app->add_option("--bom", o->bom_path, "CycloneDX 1.5/1.6 ML-BOM (JSON)");
  app->add_option("--models", o->models_path,
                  "Model catalogue: DIR/<id>/README.md, bom.json, model.sig + verify.yaml; a workload names "
                  "its model with the annotation aimsgate.io/model (docs/model-signing.md)");
  app->add_option("--context", o->context_paths,
                  "File or directory of objects ValidatingAdmissionPolicies read: paramKind params and "
                  "Namespaces (repeatable; docs/vap.md)")->allow_extra_args(false);
}

void PrintDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  // Snippets come from the files themselves (read once each); unreadable ones print without.
  std::map<std::string, std::shared_ptr<const SourceFile>> files;
  for (const auto& d : diagnostics) {
    const SourceFile* source = nullptr;
    if (d.line > 0) {
      auto it = files.find(d.source);
      if (it == files.end()) {
        std::string error;
        std::shared_ptr<const SourceFile> f = EmbeddedSource(d.source);
        if (!f) f = SourceFile::Read(d.source, &error);
        it = files.emplace(d.source, f).first;
      }
      source = it->second.get();
    }
    std::cerr << d.ToString(source) << "\n";
  }
}

}  // namespace aimsgate::cli
