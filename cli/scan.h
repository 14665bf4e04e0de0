// Reading manifests from paths and evaluating them with an Engine, in
// parallel, with a deterministic order of results (file, then document).
//
//   ScanOptions opts; opts.paths = {"deploy/"}; opts.jobs = 2;
//   opts.walk.exclude = {"legacy/**"};       // see walk.h for the selection rules
//   ScanResult r = Scan(*engine, opts);
//   r.evaluations (sorted by source, document, item), r.errors (input errors),
//   r.skipped (symlinks not followed), r.not_manifests (walked files that
//   are not Kubernetes manifests: workflows, values.yaml, Helm templates)
//
// Order: files sorted (walk.h), each file's documents in order, so the result
// is byte-identical whatever `jobs` is.  Every failing, waived or erroring
// result gets RuleResult::field_line from FieldLocator (field_locator.h) when
// `locate_fields` is on.  Input problems (unreadable, over --max-file-bytes,
// binary or invalid UTF-8, YAML errors) are InputErrors with a location, never
// a crash.
//
// Thread-safety: Scan is reentrant; it runs `jobs` worker threads, each with
// its own cel::EvalState.  Cost: one read and one parse per file; memory is
// that of the per-file results (the parsed documents are freed per file).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cli/progress.h"
#include "cli/walk.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

struct InputError {
  std::string source;
  int line = 0;
  int column = 0;
  std::string message;
  std::string ToString() const;
};

struct ScanOptions {
  std::vector<std::string> paths;  // files, directories (recursive), "-" for stdin
  int jobs = 0;                     // 0 = number of cores
  int64_t now_unix = 0;             // 0 = current time
  int64_t max_file_bytes = 64ll << 20;
  bool digest_objects = false;      // evidence needs the objects' SHA-256
  WalkOptions walk;                 // extensions, --include/--exclude, ignore file name
  ProgressMode progress = ProgressMode::kNever;
  bool locate_fields = true;        // fill RuleResult::field_line (field_locator.h)
  // A `kind: AdmissionReview` document is evaluated as its request: request.object
  // (request.oldObject for DELETE) with that request's operation, userInfo and
  // oldObject (`aimsgate test` inputs, requests captured from a cluster).
  bool admission_reviews = false;
  // Called on a worker thread after each evaluation while the object is still
  // in memory (evidence collects the values to redact); must be thread-safe.
  std::function<void(const rapidjson::Value& object, ResourceEvaluation* evaluation)> after_evaluate;
};

struct ScanResult {
  std::vector<ResourceEvaluation> evaluations;
  std::vector<InputError> errors;
  std::vector<InputError> skipped;  // paths deliberately not read (symlinks out of the tree)
  // Files found by a directory walk that hold no Kubernetes object (no document
  // has both apiVersion and kind: CI workflows, Chart.yaml, values.yaml) or are
  // unrendered Helm templates (under a chart's templates/, or `{{` in a file that
  // does not parse). Not errors: a repository root holds such files. A file named
  // on the command line is read as a manifest whatever it holds.
  std::vector<InputError> not_manifests;
  size_t helm_templates = 0;  // of not_manifests
  size_t files = 0;
  uint64_t bytes = 0;
};

// Expands paths into the ordered list of manifest files with the default
// WalkOptions (.yaml, .yml, .json; .aimsgateignore honoured); "-" stays "-".
// Missing paths become input errors.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& paths, std::vector<InputError>* errors);

ScanResult Scan(const Engine& engine, const ScanOptions& options);

}  // namespace aimsgate::cli
