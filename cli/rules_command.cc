// aimsgate rules list|show ID|controls, aimsgate lint PACK..., aimsgate version:
// what packs check, which ISO 42001 controls they cover, and whether they compile.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/command.h"
#include "cli/rules_bench.h"
#include "cli/rules_export.h"
#include "cli/engine_flags.h"
#include "evaluator/pack/compiled_pack.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/pack/pack_loader.h"
#include "evaluator/kernel/utf8.h"

namespace aimsgate::cli {
namespace {

struct RulesOptions {
  EngineOptions engine;
  std::string id;
  std::string framework = kDefaultFramework;
};

// A pack's own text on the terminal: one line, its tabs and control characters
// escaped, so a title cannot end `rules list`'s line or column, start a line a CI
// runner reads as a command ("::error::"), or drive the terminal.
std::string Line(std::string_view text) { return kernel::EscapeControls(text); }

// `rules show` prints each field after a label this wide ("description: ").
constexpr size_t kShowLabelWidth = 13;

// Multi-line text (an assert written as a block): its newlines kept, every line
// after the first indented under the first (no line starts with the pack's text)
// and the other control characters escaped.
std::string Block(std::string_view text) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::string out;
  for (char c : kernel::EscapeControls(text, "\n")) {
    out += c;
    if (c == '\n') out.append(kShowLabelWidth, ' ');
  }
  return out;
}

std::shared_ptr<const Engine> LoadOrPrint(const EngineOptions& options) {
  std::vector<Diagnostic> diags;
  auto engine = Engine::Load(options, &diags);
  PrintDiagnostics(diags);
  return engine;
}

int RunList(const RulesOptions& o) {
  auto engine = LoadOrPrint(o.engine);
  if (!engine) return 2;
  for (const auto& r : engine->rules()) {
    std::string controls;
    for (const auto& c : r.rule->controls) controls += (controls.empty() ? "" : ",") + c;
    std::cout << Line(r.full_id) << "\t" << ToString(r.rule->action) << "\t" << ToString(r.rule->severity) << "\t"
              << Line(controls) << "\t" << Line(r.rule->title) << "\n";
  }
  return 0;
}

int RunShow(const RulesOptions& o) {
  auto engine = LoadOrPrint(o.engine);
  if (!engine) return 2;
  for (const auto& r : engine->rules()) {
    if (r.full_id != o.id && r.rule->id != o.id) continue;
    const RuleSpec& s = *r.rule;
    std::cout << "id:          " << Line(r.full_id) << "\n"
              << "title:       " << Line(s.title) << "\n"
              << "pack:        " << Line(r.pack->name + " " + r.pack->version) << " (" << r.pack->digest.value() << ")\n"
              << "source:      " << Line(r.pack->source->path()) << ":" << s.pos.line << "\n"
              << "controls:    ";
    bool first_framework = true;
    for (const auto& [framework_id, ids] : s.framework_controls) {
      std::cout << (first_framework ? "" : "; ") << Line(framework_id) << ":";
      for (const auto& c : ids) std::cout << " " << Line(c);
      first_framework = false;
    }
    if (!s.applies_from.empty()) std::cout << "\napplies from: " << Line(s.applies_from);
    std::cout << "\nseverity:    " << ToString(s.severity) << "\naction:      " << ToString(s.action) << "\n";
    if (!s.description.empty()) std::cout << "description: " << Block(s.description) << "\n";
    if (!s.match.when.empty()) std::cout << "when:        " << Block(s.match.when.text) << "\n";
    std::cout << "assert:      " << Block(s.assert_expr.text) << "\n";
    if (!s.message.empty()) std::cout << "message:     " << Block(s.message) << "\n";
    if (!s.remediation.empty()) std::cout << "remediation: " << Block(s.remediation) << "\n";
    return 0;
  }
  std::cerr << "aimsgate rules show: error: no rule '" << Line(o.id) << "'\n";
  return 2;
}

// Every control of one framework with the rules that check it, or why none can.
int RunControls(const RulesOptions& o) {
  const Framework* framework = FindFramework(o.framework);
  if (!framework) {
    std::cerr << "aimsgate rules controls: error: unknown framework '" << o.framework << "' (expected one of: "
              << FrameworkIdList() << ")\n";
    return 2;
  }
  auto engine = LoadOrPrint(o.engine);
  if (!engine) return 2;
  std::map<std::string, std::vector<std::string>> by_control;
  for (const auto& r : engine->rules()) {
    auto it = r.rule->framework_controls.find(framework->id);
    if (it == r.rule->framework_controls.end()) continue;
    for (const auto& c : it->second) by_control[c].push_back(r.full_id);
  }
  int covered = 0;
  for (const auto& c : framework->controls) {
    auto it = by_control.find(c.id);
    std::cout << c.id << "\t" << c.title << "\t";
    if (it != by_control.end()) {
      ++covered;
      for (size_t i = 0; i < it->second.size(); ++i) std::cout << (i ? ", " : "") << Line(it->second[i]);
    } else if (c.check == "organisational") {
      std::cout << "organisational: " << (c.why.empty() ? "no manifest can show it" : c.why);
    } else {
      std::cout << "not checked by the loaded packs" << (c.why.empty() ? "" : " (" + c.why + ")");
    }
    std::cout << "\n";
  }
  // References the catalogue does not hold (a custom pack's own) come last.
  std::vector<std::string> others;
  for (const auto& entry : by_control) {
    if (!framework->Find(entry.first)) others.push_back(entry.first);
  }
  std::sort(others.begin(), others.end(), ControlIdLess);
  for (const auto& control : others) {
    const auto& rules = by_control[control];
    std::cout << Line(control) << "\t(not in the " << framework->id << " catalogue)\t";
    for (size_t i = 0; i < rules.size(); ++i) std::cout << (i ? ", " : "") << Line(rules[i]);
    std::cout << "\n";
  }
  std::cout << covered << " of " << framework->controls.size() << " " << framework->title
            << " controls checked by the loaded packs\n";
  return 0;
}

struct LintOptions {
  std::vector<std::string> packs;
  std::vector<std::string> params;
};

int RunLint(const LintOptions& o) {
  if (o.packs.empty()) {
    std::cerr << "aimsgate lint: error: give one or more pack files or directories\n";
    return 2;
  }
  std::vector<Diagnostic> diags;
  std::vector<PackSpec> specs = LoadPackPaths(o.packs, &diags);
  for (const auto& d : diags) {
    if (d.line == 0 && d.message.rfind("cannot read", 0) == 0) {
      PrintDiagnostics(diags);
      return 2;
    }
  }
  ApplyParamOverrides(o.params, {}, &specs, &diags);
  size_t rules = 0;
  for (auto& spec : specs) {
    for (const auto& r : spec.rules) {
      ++rules;
      if (r.controls.empty() && !spec.namespaces) {  // VAP-derived packs have no controls to name
        diags.push_back({spec.source->path(), r.pos.line, r.pos.column,
                         "rule '" + r.id + "' names no controls: auditors cannot map it", Diagnostic::Level::kWarning});
      }
      for (const auto& [framework_id, ids] : r.framework_controls) {
        const Framework* framework = FindFramework(framework_id);
        for (const auto& id : ids) {
          if (framework && !framework->Find(id)) {
            diags.push_back({spec.source->path(), r.pos.line, r.pos.column,
                             "rule '" + r.id + "' cites '" + id + "', which the " + framework_id + " catalogue does not hold",
                             Diagnostic::Level::kWarning});
          }
        }
      }
      if (r.remediation.empty() && !spec.namespaces) {
        diags.push_back({spec.source->path(), r.pos.line, r.pos.column,
                         "rule '" + r.id + "' has no remediation: say how to fix a failure", Diagnostic::Level::kWarning});
      }
    }
    CompilePack(std::move(spec), cel::Limits(), &diags);
  }
  std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.source != b.source ? a.source < b.source : a.line < b.line;
  });
  PrintDiagnostics(diags);
  size_t errors = std::count_if(diags.begin(), diags.end(), [](const Diagnostic& d) { return d.level == Diagnostic::Level::kError; });
  std::cerr << specs.size() << " packs, " << rules << " rules: " << errors << " errors, " << diags.size() - errors
            << " warnings\n";
  return errors ? 1 : 0;
}

}  // namespace

void AddRulesCommand(CLI::App& root, CommandList* commands) {
  CLI::App* rules = root.add_subcommand("rules", "What the packs check and which ISO 42001 controls they cover");
  rules->require_subcommand(1);
  auto o = std::make_shared<RulesOptions>();
  CLI::App* list = rules->add_subcommand("list", "One line per rule: id, action, severity, controls, title");
  AddEngineFlags(list, &o->engine, false);
  commands->push_back({list, [o] { return RunList(*o); }});
  CLI::App* show = rules->add_subcommand("show", "Everything about one rule");
  show->add_option("id", o->id, "Rule id (pack/id or id)")->required();
  AddEngineFlags(show, &o->engine, false);
  commands->push_back({show, [o] { return RunShow(*o); }});
  CLI::App* controls = rules->add_subcommand("controls", "Every control of a framework and the rules that check each");
  controls->add_option("--framework", o->framework, "iso42001 (default), eu-ai-act or nist-ai-rmf")->allow_extra_args(false);
  AddEngineFlags(controls, &o->engine, false);
  commands->push_back({controls, [o] { return RunControls(*o); }});
  AddRulesExportCommand(rules, commands);
  AddRulesBenchCommand(rules, commands);
}

void AddLintCommand(CLI::App& root, CommandList* commands) {
  auto o = std::make_shared<LintOptions>();
  CLI::App* app = root.add_subcommand("lint", "Compile rule packs and report every error as file:line:col (exit 1 on errors)");
  app->add_option("packs", o->packs, "Pack files or directories (builtin:iso42001 for the built-in pack)");
  app->add_option("--param", o->params, "Override a pack parameter: KEY=VALUE")->allow_extra_args(false);
  commands->push_back({app, [o] { return RunLint(*o); }});
}

void AddVersionCommand(CLI::App& root, CommandList* commands) {
  CLI::App* app = root.add_subcommand("version", "Version, build and the built-in pack's digest");
  commands->push_back({app, [] {
    std::cout << "aimsgate " << AIMSGATE_VERSION << " (built " << __DATE__ << ", " <<
#ifdef __clang__
        "clang "
#else
        "gcc "
#endif
              << __VERSION__ << ")\n";
    std::vector<Diagnostic> diags;
    std::vector<std::string> builtins;
    for (const auto& name : BuiltinPackNames()) builtins.push_back("builtin:" + name);
    for (const auto& p : LoadPackPaths(builtins, &diags)) {
      std::cout << "builtin pack " << p.name << " " << p.version << " " << p.digest.value() << "\n";
    }
    return 0;
  }});
}

}  // namespace aimsgate::cli
