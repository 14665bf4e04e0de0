// Reading manifests from paths and evaluating them with an Engine, in
// parallel, handing each decision to a sink in a deterministic order (file,
// document, item) and freeing it: a run keeps no decision it has passed on.
//
//   ScanOptions opts; opts.paths = {"deploy/"}; opts.jobs = 2;
//   opts.walk.exclude = {"legacy/**"};       // see walk.h for the selection rules
//   ScanResult r = Scan(*engine, opts, [&](Decision& d) { sink.Add(d); return true; });
//   r.errors (input errors), r.skipped (symlinks not followed), r.not_manifests
//   (walked files that are not Kubernetes manifests: workflows, values.yaml,
//   Helm templates), r.decisions (how many the sink was given)
//
//   CollectedScan small = ScanAll(*engine, opts);   // test suites: every decision kept
//
// Order: files sorted (walk.h), each file's documents in order, so the sink sees
// the same sequence whatever `jobs` is.  Workers evaluate files ahead of the one
// being handed on, within a bounded window (kScanWindowFiles files, at most
// kScanQueuedDecisions decisions waiting per file and kScanWaitingDecisions in
// all), so memory is bounded by the window, not by the input.  The sink runs on
// the calling thread; returning false stops the run (ScanResult::stopped).
// Every failing, waived or erroring result gets RuleResult::field_line from
// FieldLocator (field_locator.h) when `locate_fields` is on.  Input problems
// (unreadable, over --max-file-bytes, binary or invalid UTF-8, YAML errors) are
// Diagnostics with a location, never a crash.
//
// Thread-safety: Scan is reentrant; it runs `jobs` worker threads, each with
// its own cel::EvalState, and calls the sink from the calling thread only.
// Cost: each input is read as a stream (manifest::Reader): one object (a YAML
// document, a JSON value, one item of a List or top-level array) is parsed,
// evaluated and freed at a time, so memory follows the largest object and the
// window, not the size of a file or pipe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/progress.h"
#include "cli/walk.h"
#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/pack/engine.h"

namespace aimsgate::cli {

struct ScanOptions {
  std::vector<std::string> paths;  // files, directories (recursive), "-" for stdin
  int jobs = 0;                     // 0 = number of cores
  int64_t now_unix = 0;             // 0 = current time
  int64_t max_file_bytes = 64ll << 20;  // largest object (not file): manifest::Limits::max_object_bytes
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
  std::function<void(const aimsgate::JsonValue& object, ResourceEvaluation* evaluation)> after_evaluate;
  // WalkInputs(paths, walk) when the caller ran it already (`check` walks on a
  // second thread while the engine loads); null: Scan walks.
  const WalkResult* walked = nullptr;
  // Files of `walked` read and parsed ahead (ReadAhead below); Scan takes them
  // from there instead of reading them again, and frees each one as it goes.
  struct ReadAheadFiles* read_ahead = nullptr;
  // Bytes of its malloc arena each worker maps up front (WarmHeap, heap_warmup.h):
  // its first pages are then not one page fault each.  0: none.
  size_t worker_heap_bytes = 0;
};

struct ScanResult {
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> skipped;  // paths deliberately not read (symlinks out of the tree)
  // Files found by a directory walk that hold no Kubernetes object (no document
  // has both apiVersion and kind: CI workflows, Chart.yaml, values.yaml) or are
  // unrendered Helm templates (under a chart's templates/, or `{{` in a file that
  // does not parse). Not errors: a repository root holds such files. A file named
  // on the command line is read as a manifest whatever it holds.
  std::vector<Diagnostic> not_manifests;
  size_t helm_templates = 0;  // of not_manifests
  size_t files = 0;
  uint64_t bytes = 0;
  size_t decisions = 0;  // handed to the sink
  bool stopped = false;  // the sink returned false: the run ended there
};

// A run's decisions kept in memory, for small inputs only (`aimsgate test` suites, tests).
struct CollectedScan : ScanResult {
  std::vector<ResourceEvaluation> evaluations;
};

// Takes a run's decisions one at a time, in order, then its totals.
class DecisionSink {
 public:
  virtual ~DecisionSink() = default;
  // False stops the run: the sink cannot go on (error() says why).
  virtual bool Add(const ResourceEvaluation& decision) = 0;
  // After the last decision: the run's input errors, files and skipped paths.  False
  // (error() set) when the output cannot be completed, e.g. its spool's disk is full.
  virtual bool Finish(const ScanResult& scan) = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

// Gets each decision, in order, on the calling thread; may move from it.  False stops the run.
using DecisionSinkFn = std::function<bool(ResourceEvaluation& decision)>;

// Files a worker may run ahead of the one being handed to the sink, the
// decisions that may wait for the sink per file before its worker pauses, and
// in all (the head file's decisions count, but its worker never pauses).
// The window is wide so that workers go on while the sink's thread waits for
// a core (a scheduler slice is a few ms, ~100 small files on two workers); the
// decisions that may wait stay what 32 files of 64 allowed.
inline constexpr size_t kScanWindowFiles = 128;
inline constexpr size_t kScanQueuedDecisions = 64;
inline constexpr size_t kScanWaitingDecisions = 32 * kScanQueuedDecisions;

// Expands paths into the ordered list of manifest files with the default
// WalkOptions (.yaml, .yml, .json; .aimsgateignore honoured); "-" stays "-".
// Missing paths become input errors.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& paths, std::vector<Diagnostic>* errors);

// The paths given as files (not directories), as WalkInputs shows them: they are
// read as manifests whatever they hold; files found by walking are `walked`.
std::set<std::string> NamedFiles(const std::vector<std::string>& paths);

// One input read as `check` reads it, the loop `check` and `inventory discover`
// share: `path` (a file, or "-" for stdin) is streamed through manifest::Reader
// and each Kubernetes object goes to `on_resource` (false stops reading), then is
// freed. `max_object_bytes` (--max-file-bytes) bounds one object, not the input.
// Input problems are appended to *errors with their location. A `walked` file
// (found in a directory, not named) that yields no object and holds only
// documents that are not objects, or an unrendered Helm template, is no error:
// ManifestInput::not_manifest says why it was skipped.
struct ManifestInput {
  std::string not_manifest;
  bool helm_template = false;
  uint64_t bytes = 0;    // read from the input
  size_t objects = 0;    // handed to on_resource
};
using ResourceFn = std::function<bool(const manifest::Resource& resource)>;
ManifestInput ReadManifests(const std::string& path, bool walked, int64_t max_object_bytes,
                            std::vector<Diagnostic>* errors, const ResourceFn& on_resource);

// Read-ahead while the engine loads: `check` reads and parses the first files of
// the walk on its start-up thread while Engine::Load compiles the packs, so that
// start-up is not a serial cost of the run (issue 15).  Only a prefix of the walk is
// read: regular files of at most kReadAheadFileBytes each, kReadAheadBytes in all,
// read exactly as ReadManifests reads them (same errors, same order); reading
// stops at the first other input ("-", a FIFO, a larger file) or when `stop` is
// set.  Memory: bounded by kReadAheadBytes of input, not by the run.
inline constexpr int64_t kReadAheadFileBytes = 1 << 20;
inline constexpr int64_t kReadAheadBytes = 8 << 20;

struct ReadAheadFile {
  ManifestInput input;
  std::vector<Diagnostic> errors;
  // Each resource with how many of `errors` came before it.
  std::vector<std::pair<manifest::Resource, size_t>> resources;
};
struct ReadAheadFiles {
  std::vector<ReadAheadFile> files;  // files[i] is the walk's i-th file
};

// Reads `walked.files` (named: NamedFiles of the command line) from the first on.
void ReadAhead(const WalkResult& walked, const std::set<std::string>& named, int64_t max_object_bytes,
               const std::atomic<bool>& stop, ReadAheadFiles* out);

ScanResult Scan(const Engine& engine, const ScanOptions& options, const DecisionSinkFn& sink);
CollectedScan ScanAll(const Engine& engine, const ScanOptions& options);

}  // namespace aimsgate::cli
