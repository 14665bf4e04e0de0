// aimsgate check: evaluate manifests against rule packs, print reports, exit
// 0 (compliant), 1 (violations per --fail-on) or 2 (usage, input or pack error).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/check_evidence.h"
#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/report.h"
#include "cli/scan.h"

namespace aimsgate::cli {
namespace {

struct CheckOptions {
  EngineOptions engine;
  std::vector<std::string> paths;
  std::vector<std::string> formats;
  std::string output;
  std::string fail_on = "deny";
  int jobs = 0;
  int64_t max_file_bytes = 64ll << 20;
  std::string now;
  std::vector<std::string> include, exclude;
  bool progress = false, no_progress = false;
  EvidenceFlags evidence;
};

struct OutputSpec {
  std::string format;
  std::string path;  // empty = stdout
};

int RunCheck(const CheckOptions& o) {
  // --format F or F=PATH, repeatable; --output applies to a format without a path.
  std::vector<OutputSpec> outputs;
  for (const auto& f : o.formats.empty() ? std::vector<std::string>{"text"} : o.formats) {
    size_t eq = f.find('=');
    OutputSpec spec{f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1)};
    const auto& known = ReportFormats();
    if (std::find(known.begin(), known.end(), spec.format) == known.end()) {
      std::cerr << "aimsgate check: error: unknown format '" << spec.format << "'\n";
      return 2;
    }
    outputs.push_back(spec);
  }
  int to_stdout = 0;
  for (auto& out : outputs) {
    if (out.path.empty() && !o.output.empty()) out.path = o.output;
    if (out.path.empty()) ++to_stdout;
  }
  if (to_stdout > 1) {
    std::cerr << "aimsgate check: error: several formats on stdout; give FORMAT=PATH for all but one\n";
    return 2;
  }
  if (o.paths.empty()) {
    std::cerr << "aimsgate check: error: no input: give files, directories or - for stdin\n";
    return 2;
  }
  ScanOptions scan_options;
  if (!o.now.empty() && !ParseRfc3339(o.now, &scan_options.now_unix)) {
    std::cerr << "aimsgate check: error: --now '" << o.now << "' is not an RFC 3339 date-time\n";
    return 2;
  }
  std::vector<Diagnostic> diags;
  EngineOptions engine_options = o.engine;
  engine_options.model_signature.now_unix = scan_options.now_unix;
  std::shared_ptr<const Engine> engine = Engine::Load(engine_options, &diags);
  PrintDiagnostics(diags);
  if (!engine) return 2;

  scan_options.paths = o.paths;
  scan_options.jobs = o.jobs;
  scan_options.max_file_bytes = o.max_file_bytes;
  scan_options.admission_reviews = true;  // a captured request is checked as the apiserver would send it
  scan_options.walk.include = o.include;
  scan_options.walk.exclude = o.exclude;
  scan_options.progress = o.progress      ? ProgressMode::kAlways
                          : o.no_progress ? ProgressMode::kNever
                                          : ProgressMode::kAuto;
  scan_options.digest_objects = !o.evidence.path.empty();
  if (!o.evidence.path.empty() && !CollectRedactValues(o.evidence, &scan_options)) return 2;
  ScanResult scan = Scan(*engine, scan_options);
  // Scores consume one decision at a time (a sink's counters, not the results).
  FrameworkScores scores(*engine, o.engine.framework);
  for (const auto& e : scan.evaluations) scores.Add(ResourceKey(e.resource), e.results);
  // Evidence first: a decision that was not recorded must not pass (exit 2).
  if (!o.evidence.path.empty() && !WriteCheckEvidence(o.evidence, *engine, scan)) return 2;
  for (const auto& s : scan.skipped) std::cerr << s.source << ": note: " << s.message << "\n";

  for (const auto& out : outputs) {
    ReportInput in{*engine, scan, out.path.empty() && out.format == "text" && isatty(STDOUT_FILENO),
                   scan_options.now_unix, &scores};
    if (out.path.empty()) {
      WriteReport(out.format, in, std::cout);
      std::cout.flush();
      continue;
    }
    std::ofstream file(out.path, std::ios::binary | std::ios::trunc);
    if (file) WriteReport(out.format, in, file);
    file.flush();
    if (!file) {
      std::cerr << out.path << ": error: cannot write report\n";
      return 2;
    }
  }
  // Input errors always reach stderr, except when the text report already shows
  // them on the same terminal (stdout redirected in CI: stderr is what is read).
  bool text_on_stdout = false;
  for (const auto& out : outputs) text_on_stdout |= out.path.empty() && out.format == "text";
  if (!text_on_stdout || !isatty(STDOUT_FILENO)) {
    for (const auto& err : scan.errors) std::cerr << err.ToString() << "\n";
  }
  if (!scan.errors.empty()) return 2;
  Summary s = Summarize(scan);
  if (o.fail_on == "deny" && s.denied > 0) return 1;
  if (o.fail_on == "warn" && (s.denied > 0 || s.warned > 0)) return 1;
  return 0;
}

}  // namespace

void AddCheckCommand(CLI::App& root, CommandList* commands) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* app = root.add_subcommand("check", "Evaluate manifests against rule packs (exit 0 ok, 1 violations, 2 error)");
  app->add_option("paths", o->paths, "Manifest files, directories (recursive) or - for stdin");
  AddEngineFlags(app, &o->engine);
  app->add_option("--format", o->formats,
                  "Report format, or FORMAT=PATH (repeatable): text, json, sarif, junit, github")->allow_extra_args(false)
      ->type_name("FORMAT[=PATH]");
  app->add_option("--output", o->output, "Write the report to FILE instead of stdout");
  app->add_option("--fail-on", o->fail_on, "Which failures make exit code 1")
      ->check(CLI::IsMember({"deny", "warn", "never"}));
  app->add_option("--jobs", o->jobs, "Files evaluated in parallel (default: number of cores)")->check(CLI::NonNegativeNumber);
  app->add_option("--max-file-bytes", o->max_file_bytes, "Largest input file accepted")->check(CLI::PositiveNumber);
  app->add_option("--include", o->include, "Only files matching this glob in walked directories (repeatable)")
      ->type_name("GLOB")->allow_extra_args(false);
  app->add_option("--exclude", o->exclude, "Skip files and directories matching this glob (repeatable)")
      ->type_name("GLOB")->allow_extra_args(false);
  app->add_flag("--progress", o->progress, "Progress on stderr even when it is not a terminal");
  app->add_flag("--no-progress", o->no_progress, "No progress bar (default: shown on a terminal for >300 files)");
  app->add_option("--now", o->now, "Evaluate as of this RFC 3339 time (expiry of waivers and assessments)");
  app->add_option("--framework", o->engine.framework,
                  "Only the rules mapped to this framework, and its scores: iso42001, eu-ai-act or nist-ai-rmf")
      ->allow_extra_args(false);
  auto* model_dir = app->add_option("--model-dir", o->engine.model_signature.dir,
                                    "Model directory whose OMS signature rules read as model.signature");
  auto& ms = o->engine.model_signature;
  app->add_option("--model-signature", ms.signature, "OMS signature (model.sig or claims.jsonl) of --model-dir")
      ->needs(model_dir);
  auto* pubkey = app->add_option("--pubkey", ms.public_key, "Public key that signed the model (key mode)");
  auto* ca = app->add_option("--ca", ms.ca, "Root certificate(s) of the model signer (certificate mode)");
  app->add_option("--cert-chain", ms.cert_chain, "Signing certificate and intermediates of the model signer")->needs(ca);
  pubkey->excludes(ca);
  AddEvidenceFlags(app, &o->evidence);
  app->add_flag("--audit-only", o->engine.audit_only, "Report deny rules as audit: nothing fails (shadow rollout)");
  commands->push_back({app, [o] { return RunCheck(*o); }});
}

}  // namespace aimsgate::cli
