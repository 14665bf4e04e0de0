// aimsgate check: evaluate manifests against rule packs, print reports, exit
// 0 (compliant), 1 (violations per --fail-on) or 2 (usage, input or pack error).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/check_evidence.h"
#include "cli/command.h"
#include "cli/engine_flags.h"
#include "cli/heap_warmup.h"
#include "cli/output_file.h"
#include "cli/report.h"
#include "cli/report_util.h"
#include "cli/scan.h"
#include "cli/usage.h"
#include "cli/waiver_checks.h"
#include "cli/walk.h"
#include "evaluator/kernel/sha256.h"
#include "evaluator/pack/framework_catalog.h"
#include "evaluator/pack/k8s_library.h"

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
  bool allow_empty = false, verbose = false;
  std::string color = "auto";
  WaiverPolicy waiver_policy;
  EvidenceFlags evidence;
  std::vector<std::string> enforcement;  // --enforcement MODE | PACK=MODE, as `serve`
  bool audit_only = false;               // = --enforcement audit
  std::string results = "findings";      // --results findings|all (json, policyreport listings)
};

struct OutputSpec {
  std::string format;
  std::string path;  // empty = stdout
  std::string flag;  // how it was asked for: "--format json=a.json", "-o a.json"
};

// Where each report goes: standard output, or a file that replaces PATH only once
// the whole report is written (output_file.h), so a failed run leaves an older
// report as it was.
class ReportDestinations {
 public:
  // False, after printing why, when a file cannot be created.
  bool Open(const std::vector<OutputSpec>& outputs) {
    for (const auto& out : outputs) {
      paths_.push_back(out.path);
      files_.push_back(out.path.empty() ? nullptr : std::make_unique<OutputFile>());
      std::string why;
      if (files_.back() && !files_.back()->Open(out.path, &why)) {
        std::cerr << out.path << ": error: cannot write report: " << why << "\n";
        return false;
      }
    }
    return true;
  }

  std::ostream& stream(size_t i) { return files_[i] ? files_[i]->stream() : std::cout; }

  // No write has failed yet: a full disk stops the scan, not only its end.
  bool Writable() {
    for (size_t i = 0; i < files_.size(); ++i) {
      if (!stream(i)) return false;
    }
    return true;
  }

  // Every report written out (standard output flushed, files closed); false after
  // printing why one was not.  Nothing is put in place unless all were written.
  bool Close() { return !ReportStdoutFailure() && EachFile(&OutputFile::Close); }

  // Close, then each file renamed over its path.
  bool Commit() { return Close() && EachFile(&OutputFile::Commit); }

 private:
  // `step` on every file in turn; false after printing why one failed.
  bool EachFile(bool (OutputFile::*step)(std::string*)) {
    for (size_t i = 0; i < files_.size(); ++i) {
      std::string why;
      if (files_[i] && !(files_[i].get()->*step)(&why)) {
        std::cerr << paths_[i] << ": error: cannot write report: " << why << "\n";
        return false;
      }
    }
    return true;
  }

  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<OutputFile>> files_;  // null: standard output
};

// --color auto: a terminal, unless NO_COLOR (https://no-color.org) is set or TERM is dumb.
bool UseColor(const std::string& mode) {
  if (mode != "auto") return mode == "always";
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color && *no_color) return false;
  if (term && std::string_view(term) == "dumb") return false;
  return isatty(STDOUT_FILENO) != 0;
}

// "source[:line]: note: message" on stderr, the input's strings escaped as a
// Diagnostic's are (a file name must not start a line of its own in a CI log).
void Note(const std::string& source, int line, const std::string& message) {
  std::cerr << EscapeControls(source) << (line > 0 ? ":" + std::to_string(line) : "") << ": note: "
            << EscapeControls(message, "\t") << "\n";
}

// "skipped 4 non-Kubernetes YAML files" on stderr; -v names each one and why.
void PrintNotManifests(const ScanResult& scan, bool verbose) {
  if (scan.not_manifests.empty()) return;
  if (verbose) {
    for (const auto& s : scan.not_manifests) Note(s.source, 0, "skipped: " + s.message);
  }
  size_t other = scan.not_manifests.size() - scan.helm_templates;
  std::cerr << "aimsgate check: note: skipped ";
  if (other > 0) std::cerr << Plural(other, "non-Kubernetes YAML file");
  if (other > 0 && scan.helm_templates > 0) std::cerr << " and ";
  if (scan.helm_templates > 0) {
    std::cerr << Plural(scan.helm_templates, "unrendered Helm template") << " (render with `helm template` first)";
  }
  std::cerr << (verbose ? "" : "; -v lists them") << "\n";
}

// Every file the run reads or writes, for SameFileConflict.
std::vector<FileUse> FileUses(const CheckOptions& o, const std::vector<OutputSpec>& outputs) {
  std::vector<FileUse> uses;
  for (const auto& out : outputs) {
    if (!out.path.empty()) uses.push_back({out.flag, out.path, true});
  }
  const EvidenceFlags& ev = o.evidence;
  if (!ev.path.empty()) uses.push_back({"--evidence " + ev.path, ev.path, true});
  auto read = [&uses](const std::string& flag, const std::string& path) {
    if (!path.empty() && path.rfind("builtin:", 0) != 0) uses.push_back({flag + path, path, false});
  };
  for (const auto& p : o.paths) read("input ", p);
  const EngineOptions& e = o.engine;
  for (const auto& p : e.rule_paths) read("--rules ", p);
  for (const auto& p : e.context_paths) read("--context ", p);
  for (const auto& p : e.params_files) read("--params ", p);
  for (const auto& p : e.waiver_paths) read("--waivers ", p);
  read("--inventory ", e.inventory_path);
  read("--model-card ", e.model_card_path);
  read("--bom ", e.bom_path);
  read("--model-signature ", e.model_signature.signature);
  read("--pubkey ", e.model_signature.public_key);
  read("--cert-chain ", e.model_signature.cert_chain);
  read("--ca ", e.model_signature.ca);
  read("--evidence-key ", ev.key_path);
  return uses;
}

// Refuses (false, after saying why) two streams on stdout, and a report or the
// evidence log written over another output or over a file the run reads: either
// would destroy what is there (a tamper-evident log, the input) or leave invalid JSON.
bool OneOutputPerDestination(const CheckOptions& o, const std::vector<OutputSpec>& outputs) {
  const OutputSpec* on_stdout = nullptr;
  for (const auto& out : outputs) {
    if (!out.path.empty()) continue;
    if (on_stdout) {
      std::cerr << "aimsgate check: error: several formats on stdout; give FORMAT=PATH for all but one\n";
      return false;
    }
    on_stdout = &out;
  }
  if (on_stdout && o.evidence.path == "-") {
    std::cerr << "aimsgate check: error: --evidence - and the " << on_stdout->format
              << " report both on stdout; give the report -o FILE or FORMAT=PATH\n";
    return false;
  }
  std::string conflict = SameFileConflict(FileUses(o, outputs));
  if (!conflict.empty()) {
    std::cerr << "aimsgate check: error: " << conflict << "\n";
    return false;
  }
  return true;
}

int RunCheck(const CheckOptions& o) {
  // --format F or F=PATH, repeatable; --output applies to a format without a path.
  std::vector<OutputSpec> outputs;
  for (const auto& f : o.formats.empty() ? std::vector<std::string>{"text"} : o.formats) {
    size_t eq = f.find('=');
    OutputSpec spec{f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1), "--format " + f};
    const auto& known = ReportFormats();
    if (std::find(known.begin(), known.end(), spec.format) == known.end()) {
      std::cerr << "aimsgate check: error: --format: " << UnknownValue("format", spec.format, known) << "\n";
      return 2;
    }
    outputs.push_back(spec);
  }
  for (auto& out : outputs) {
    if (out.path.empty() && !o.output.empty()) {
      out.path = o.output;
      out.flag = "-o " + o.output + " (" + out.format + " report)";
    }
  }
  if (!OneOutputPerDestination(o, outputs)) return 2;
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
  if (o.audit_only) engine_options.enforcement.mode = EnforcementMode::kAudit;
  for (const auto& e : o.enforcement) {
    std::string error;
    if (!engine_options.enforcement.Add(e, &error)) {
      std::cerr << "aimsgate check: error: " << error << "\n";
      return 2;
    }
  }
  engine_options.model_signature.now_unix = scan_options.now_unix;
  // Start-up work that needs no engine runs on a second thread while Engine::Load
  // parses and compiles the packs: OpenSSL's SHA-256 set-up (the packs' digests),
  // the Kubernetes helper library (CompilePack), the framework catalogues
  // (FrameworkScores) and the directory walk (Scan).
  // Then it reads and parses the first files ahead (ReadAhead, scan.h) until the
  // engine is there.  Start-up is serial, and it bounded --jobs scaling (issue 15).
  // Loading and compiling the built-in ISO pack touches ≈ 2.3 MiB of heap (DHAT, peak);
  // the walk, the files read ahead and each worker's documents take their own arenas.
  constexpr size_t kStartupHeap = 3 << 20;
  constexpr size_t kThreadHeap = 1 << 20;
  WarmHeap(kStartupHeap);
  scan_options.walk.include = o.include;
  scan_options.walk.exclude = o.exclude;
  WalkResult walked;
  ReadAheadFiles read_ahead;
  std::atomic<bool> engine_ready{false};
  // An exception must not leave a thread (std::terminate): it is kept (without
  // allocating: memory may be what ran out) and ends the run after the join.
  std::exception_ptr prelude_failed;
  std::thread prelude([&walked, &read_ahead, &engine_ready, &prelude_failed, &o, walk = scan_options.walk] {
    try {
      WarmHeap(kThreadHeap);
      kernel::Sha256Hex("");
      K8sLibrary();
      Frameworks();
      walked = WalkInputs(o.paths, walk);
      ReadAhead(walked, NamedFiles(o.paths), o.max_file_bytes, engine_ready, &read_ahead);
    } catch (...) {
      prelude_failed = std::current_exception();
    }
  });
  struct Join {
    std::thread& thread;
    std::atomic<bool>& stop;
    void operator()() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
    ~Join() { (*this)(); }
  } join_prelude{prelude, engine_ready};
  std::shared_ptr<const Engine> engine = Engine::Load(engine_options, &diags);
  PrintDiagnostics(diags);
  if (!engine) return 2;
  WaiverReview waivers = ReviewWaivers(
      *engine, o.waiver_policy, scan_options.now_unix != 0 ? scan_options.now_unix : static_cast<int64_t>(time(nullptr)));
  PrintDiagnostics(waivers.diagnostics);
  if (!waivers.ok) return 2;

  scan_options.paths = o.paths;
  scan_options.jobs = o.jobs;
  scan_options.max_file_bytes = o.max_file_bytes;
  scan_options.worker_heap_bytes = kThreadHeap;
  scan_options.admission_reviews = true;  // a captured request is checked as the apiserver would send it
  scan_options.progress = o.progress      ? ProgressMode::kAlways
                          : o.no_progress ? ProgressMode::kNever
                                          : ProgressMode::kAuto;
  scan_options.digest_objects = !o.evidence.path.empty();
  if (!o.evidence.path.empty() && !CollectRedactValues(o.evidence, &scan_options)) return 2;

  // The sinks, in the order each decision visits them: evidence first (a decision that
  // was not recorded must not pass: exit 2), then the counters, then every report.
  std::unique_ptr<DecisionSink> evidence;
  if (!o.evidence.path.empty() && !(evidence = OpenCheckEvidence(o.evidence, *engine))) return 2;
  FrameworkScores scores(*engine, o.engine.framework);
  Summary summary;
  const bool color = UseColor(o.color);
  ReportDestinations destinations;
  if (!destinations.Open(outputs)) return 2;
  std::vector<std::unique_ptr<DecisionSink>> reports;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputSpec& out = outputs[i];
    // Input errors go to stderr (below), once: a text report on stdout would show
    // them a second time in a CI log, which interleaves both streams.
    const bool text_here = out.path.empty() && out.format == "text";
    ReportOptions options;
    options.color = text_here && color;
    options.now_unix = scan_options.now_unix;
    options.scores = &scores;
    options.list_input_errors = !text_here;
    for (const auto& n : waivers.notices) options.notices.push_back({n.source, n.line, n.message, n.waiver});
    options.all_results = o.results == "all";
    reports.push_back(MakeReportSink(out.format, *engine, options, destinations.stream(i)));
  }
  join_prelude();
  if (prelude_failed) std::rethrow_exception(prelude_failed);  // main() says what it was, exit 2
  scan_options.walked = &walked;
  scan_options.read_ahead = &read_ahead;
  const DecisionSink* failed = nullptr;
  bool unwritable = false;
  ScanResult scan = Scan(*engine, scan_options, [&](ResourceEvaluation& d) {
    if (evidence && !evidence->Add(d)) {
      failed = evidence.get();
      return false;
    }
    scores.AddDistinct(d.results);  // every decision of a check is on a different object
    summary.Add(d);
    for (const auto& report : reports) {
      if (!report->Add(d)) {
        failed = report.get();
        return false;
      }
    }
    unwritable = !destinations.Writable();
    return !unwritable;
  });
  if (unwritable) {
    destinations.Close();  // says why
    return 2;
  }
  if (failed) {
    std::cerr << failed->error() << "\n";
    return 2;
  }
  if (evidence && !evidence->Finish(scan)) {
    std::cerr << evidence->error() << "\n";
    return 2;
  }
  for (const auto& s : scan.skipped) Note(s.source, 0, s.message);
  PrintNotManifests(scan, o.verbose);

  for (size_t i = 0; i < outputs.size(); ++i) {
    const OutputSpec& out = outputs[i];
    const bool ok = reports[i]->Finish(scan);
    if (!ok) {
      std::cerr << (out.path.empty() ? "aimsgate check" : out.path) << ": error: " << reports[i]->error() << "\n";
      return 2;
    }
  }
  if (!destinations.Commit()) return 2;
  for (const auto& err : scan.errors) std::cerr << err.ToString() << "\n";
  bool text_on_stdout = std::any_of(outputs.begin(), outputs.end(),
                                    [](const OutputSpec& out) { return out.path.empty() && out.format == "text"; });
  if (!text_on_stdout) {
    for (const auto& n : waivers.notices) Note(n.source, n.line, n.message);
  }
  if (!scan.errors.empty()) return 2;
  // `helm template … | aimsgate check -` must not pass when helm printed nothing.
  if (scan.decisions == 0 && !o.allow_empty) {
    std::cerr << "aimsgate check: error: no Kubernetes objects found (" << Plural(scan.files, "file") << " read";
    if (!scan.not_manifests.empty()) std::cerr << ", " << scan.not_manifests.size() << " of them skipped as not manifests";
    std::cerr << "); give --allow-empty if that is expected\n";
    return 2;
  }
  const Summary& s = summary;
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
  std::string formats;
  for (const auto& f : ReportFormats()) formats += (formats.empty() ? "" : ", ") + f;
  app->add_option("--format", o->formats, "Report format, or FORMAT=PATH (repeatable): " + formats)
      ->allow_extra_args(false)
      ->type_name("FORMAT[=PATH]");
  app->add_option("-o,--output", o->output, "Write the report to FILE instead of stdout");
  app->add_option("--results", o->results,
                  "Which results the json and policyreport formats list: findings (fail, error, waived; pass and "
                  "skip only counted) or all")
      ->check(CLI::IsMember({"findings", "all"}))
      ->capture_default_str();
  app->add_option("--color", o->color, "ANSI colours in the text report: auto (a terminal without NO_COLOR or TERM=dumb)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app->add_option("--fail-on", o->fail_on, "Which failures make exit code 1")
      ->check(CLI::IsMember({"deny", "warn", "never"}));
  app->add_option("--jobs", o->jobs, "Files evaluated in parallel (default: number of cores)")->check(CLI::NonNegativeNumber);
  app->add_option("--max-file-bytes", o->max_file_bytes, "Largest object accepted: a YAML document, a JSON value or one item of a List")->check(CLI::PositiveNumber);
  app->add_option("--include", o->include, "Only files matching this glob in walked directories (repeatable)")
      ->type_name("GLOB")->allow_extra_args(false);
  app->add_option("--exclude", o->exclude, "Skip files and directories matching this glob (repeatable)")
      ->type_name("GLOB")->allow_extra_args(false);
  app->add_flag("--progress", o->progress, "Progress on stderr even when it is not a terminal");
  app->add_flag("--no-progress", o->no_progress, "No progress bar (default: shown on a terminal for >300 files)");
  app->add_flag("--allow-empty", o->allow_empty,
                "Exit 0 when the input holds no Kubernetes object (default: exit 2, so an empty `helm template` "
                "pipe does not pass)");
  app->add_flag("-v,--verbose", o->verbose, "List the walked files skipped as not Kubernetes manifests");
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
  app->add_flag("--strict", o->waiver_policy.strict, "Waiver rule ids that match no loaded rule are errors, not warnings");
  app->add_option("--waiver-max-days", o->waiver_policy.max_days,
                  "Longest a waiver may run from now (default: the packs' waiverMaxDays, else 365)")
      ->check(CLI::PositiveNumber);
  app->add_option("--waiver-min-justification", o->waiver_policy.min_justification,
                  "Fewest characters a waiver's justification may have")
      ->default_val(20)->check(CLI::NonNegativeNumber);
  app->add_option("--waiver-notice-days", o->waiver_policy.notice_days,
                  "Report waivers that expire within this many days")
      ->default_val(14)->check(CLI::NonNegativeNumber);
  AddEvidenceFlags(app, &o->evidence);
  app->add_option("--enforcement", o->enforcement,
                  "enforce, warn or audit: what deny rules do, for all packs or PACK=MODE for one (repeatable; "
                  "as `serve --enforcement`)")
      ->type_name("MODE|PACK=MODE")
      ->allow_extra_args(false);
  app->add_flag("--audit-only", o->audit_only, "Report deny rules as audit: nothing fails (= --enforcement audit)");
  commands->push_back({app, [o] { return RunCheck(*o); }});
}

}  // namespace aimsgate::cli
