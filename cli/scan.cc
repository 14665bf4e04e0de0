#include "cli/scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <iostream>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <system_error>
#include <thread>

#include "cli/field_locator.h"
#include "cli/heap_warmup.h"
#include "evaluator/kernel/exceptions.h"
#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_member.h"
#include "evaluator/manifest/admission_review.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/stream.h"

namespace aimsgate::cli {

namespace {

std::vector<std::string> Walk(const std::vector<std::string>& paths, const WalkOptions& options,
                              std::vector<Diagnostic>* errors, std::vector<Diagnostic>* skipped) {
  WalkResult w = WalkInputs(paths, options);
  errors->insert(errors->end(), w.errors.begin(), w.errors.end());
  if (skipped) skipped->insert(skipped->end(), w.skipped.begin(), w.skipped.end());
  return std::move(w.files);
}

}  // namespace

std::vector<std::string> ExpandInputs(const std::vector<std::string>& paths, std::vector<Diagnostic>* errors) {
  return Walk(paths, WalkOptions(), errors, nullptr);
}

namespace {

using kernel::Member;

struct FileResult {
  std::vector<Diagnostic> errors;
  std::string not_manifest;  // why a walked file was skipped
  bool helm_template = false;
  // Memory ran out, and then out again while the error was being written: the
  // calling thread writes it ("out of memory while checking the file").
  bool out_of_memory = false;
  uint64_t bytes = 0;
};

// A file below `templates/` of a directory holding Chart.yaml: a Helm chart's
// template, which is not YAML until `helm template` renders it.
bool InChartTemplates(const std::string& path) {
  for (size_t pos = path.find("templates/"); pos != std::string::npos; pos = path.find("templates/", pos + 1)) {
    if (pos != 0 && path[pos - 1] != '/') continue;
    std::string chart = path.substr(0, pos);
    struct stat st;
    if (stat((chart + "Chart.yaml").c_str(), &st) == 0 || stat((chart + "Chart.yml").c_str(), &st) == 0) return true;
  }
  return false;
}

constexpr const char* kRenderFirst = "unrendered Helm template; render it with `helm template` first";

// True when the file holds a template marker `{{`, read in blocks (the file may be large).
bool HoldsTemplateMarker(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char block[1 << 16];
  char previous = '\0';
  while (in.read(block, sizeof(block)) || in.gcount() > 0) {
    std::string_view text(block, static_cast<size_t>(in.gcount()));
    if (previous == '{' && text[0] == '{') return true;
    if (text.find("{{") != std::string_view::npos) return true;
    previous = text.back();
  }
  return false;
}

// Why a walked file that yielded no object is not a manifest, or "" when its
// errors are real input errors (a broken manifest stays an error).  `only_not_objects`:
// every error was a document that is not a Kubernetes object (Reader::not_objects).
std::string NotAManifest(bool only_not_objects, const std::string& path, bool* helm_template) {
  if (only_not_objects) return "no document has both apiVersion and kind; not a Kubernetes manifest";
  if (HoldsTemplateMarker(path)) {
    *helm_template = true;
    return kRenderFirst;
  }
  return "";
}

// The reader's object-size error names the flag that sets the limit.
std::string WithFlag(std::string message, const manifest::Limits& limits) {
  const std::string limit = "than the limit of " + std::to_string(limits.max_object_bytes) + " bytes";
  if (message.size() >= limit.size() && message.compare(message.size() - limit.size(), limit.size(), limit) == 0) {
    message += " (--max-file-bytes)";
  }
  return message;
}

Diagnostic WithFlag(Diagnostic e, const manifest::Limits& limits) {
  e.message = WithFlag(std::move(e.message), limits);
  return e;
}

// An object without metadata.name (nor generateName) cannot exist in a cluster:
// reporting it as "OK Pod <unnamed>" would pass a broken manifest.
bool HasName(const aimsgate::JsonValue& object) {
  const aimsgate::JsonValue* metadata = Member(object, "metadata");
  for (const char* key : {"name", "generateName"}) {
    const aimsgate::JsonValue* v = metadata ? Member(*metadata, key) : nullptr;
    if (v && v->IsString() && v->GetStringLength() > 0) return true;
  }
  return false;
}

// Hands one decision on; false when the run stops.
using EmitFn = std::function<bool(ResourceEvaluation&&)>;

// ReadManifests' calls, played back from a file read ahead: the same errors and
// resources in the same order, and the same stop when on_resource says so.
ManifestInput Replay(ReadAheadFile&& file, std::vector<Diagnostic>* errors, const ResourceFn& on_resource) {
  size_t next_error = 0;
  auto errors_until = [&](size_t end) {
    for (; next_error < end; ++next_error) errors->push_back(std::move(file.errors[next_error]));
  };
  for (auto& [resource, errors_before] : file.resources) {
    errors_until(errors_before);
    const bool go_on = on_resource(resource);
    resource = manifest::Resource();  // freed as a streamed resource is
    if (!go_on) return std::move(file.input);
  }
  errors_until(file.errors.size());
  return std::move(file.input);
}

void ScanFile(const Engine& engine, const FieldLocator* locator, const std::string& path, bool walked,
              ReadAheadFile* read_ahead, const ScanOptions& options, cel::EvalState* state, FileResult* out,
              const EmitFn& emit) {
  const ResourceFn on_resource = [&](const manifest::Resource& res) {
    const std::string& source = res.source;
    EvalRequest req;
    const aimsgate::JsonValue* object = res.object;
    if (!manifest::IsAdmissionReview(*object) && !HasName(*object)) {
      const aimsgate::JsonValue& kind = (*object)["kind"];
      out->errors.push_back({source, res.line, res.column,
                             std::string(kind.GetString(), kind.GetStringLength()) +
                                 " has no metadata.name (nor metadata.generateName)"});
      return true;
    }
    if (options.admission_reviews && manifest::IsAdmissionReview(*object)) {
      manifest::AdmissionReview review;
      std::string problem = manifest::ReadCapturedAdmissionReview(*object, &review);
      if (!problem.empty()) {
        out->errors.push_back({source, res.line, res.column, "AdmissionReview: " + problem});
        return true;
      }
      object = review.target;
      req.request = review.request;
      req.old_object = review.old_object;
    }
    req.now_unix = options.now_unix;
    req.source = source;
    req.line = res.line;
    req.document_index = res.document_index;
    req.item_index = res.item_index;
    req.digest_object = options.digest_objects;
    ResourceEvaluation decision = engine.Evaluate(*object, req, state);
    if (options.after_evaluate) options.after_evaluate(*object, &decision);
    if (locator) {
      for (auto& r : decision.results) {
        if (r.field_line == 0 &&
            (r.result == Outcome::kFail || r.result == Outcome::kWaived || r.result == Outcome::kError)) {
          r.field_line = locator->Locate(r.rule(), res);
        }
      }
    }
    return emit(std::move(decision));
  };
  ManifestInput input = read_ahead ? Replay(std::move(*read_ahead), &out->errors, on_resource)
                                   : ReadManifests(path, walked, options.max_file_bytes, &out->errors, on_resource);
  out->bytes = input.bytes;
  out->not_manifest = std::move(input.not_manifest);
  out->helm_template = input.helm_template;
}

// The hand-over between the workers and the sink: one slot per file of the
// window (a ring, so its memory does not grow with the run), emptied in file
// order by the calling thread.  A worker claims files at most
// kScanWindowFiles ahead of the file being handed on, and a worker whose file
// is not that one yet pauses once kScanQueuedDecisions of its decisions wait,
// or kScanWaitingDecisions of all files' decisions do.
// The head file's worker never waits, so the run always progresses.
//
// The calling thread hands on whatever is there; with nothing to hand on, it
// sleeps until a batch is ready (Ready): a few files done, or a file holding
// enough decisions that its worker may pause.  Workers wake it only when that
// holds: waking it for every decision cost two context switches per file.
class Reorder {
 public:
  explicit Reorder(size_t files) : files_(files), slots_(std::clamp<size_t>(files, 1, kScanWindowFiles)) {}

  // The next file to scan, or false when there is none (or the run stopped).
  bool Claim(size_t* file) {
    std::unique_lock<std::mutex> lock(mu_);
    drained_.wait(lock, [&] { return stopped_ || next_ < head_ + kScanWindowFiles; });
    if (stopped_ || next_ >= files_) return false;
    *file = next_++;
    return true;
  }

  bool Push(size_t file, ResourceEvaluation&& decision) {
    std::unique_lock<std::mutex> lock(mu_);
    drained_.wait(lock, [&] {
      return stopped_ || file == head_ ||
             (SlotOf(file).queue.size() < kScanQueuedDecisions && waiting_ < kScanWaitingDecisions);
    });
    if (stopped_) return false;
    SlotOf(file).queue.push_back(std::move(decision));
    ++waiting_;
    WakeDrainIfReady();
    return true;
  }

  void Done(size_t file, FileResult&& result) {
    std::lock_guard<std::mutex> lock(mu_);
    Slot& slot = SlotOf(file);
    slot.result = std::move(result);
    slot.done = true;
    WakeDrainIfReady();
  }

  // Calling thread: hands every decision to `sink` in order, then `finish(file, result)` per file.
  // False when the sink stopped the run.
  template <typename Sink, typename Finish>
  bool Drain(Sink&& sink, Finish&& finish) {
    std::vector<ResourceEvaluation> batch;
    for (size_t file = 0; file < files_; ++file) {
      Slot& slot = SlotOf(file);
      for (;;) {
        bool done = false;
        {
          std::unique_lock<std::mutex> lock(mu_);
          // Nothing to hand on: sleep until a batch is ready (the files before it
          // were handed on without sleeping).
          if (!stopped_ && !slot.done && slot.queue.empty() && !Ready(file)) {
            awaited_ = file;
            draining_waits_ = true;
            produced_.wait(lock, [&] { return Ready(file); });
            draining_waits_ = false;
          }
          batch.swap(slot.queue);
          waiting_ -= batch.size();
          done = slot.done && batch.empty();
          if (!batch.empty()) drained_.notify_all();
        }
        if (done) break;
        for (auto& d : batch) {
          if (!sink(d)) {
            Stop();
            return false;
          }
        }
        batch.clear();
      }
      finish(file, std::move(slot.result));
      // Free for file + kScanWindowFiles, which no worker claims before head_ passes `file`.
      slot = Slot();
      std::lock_guard<std::mutex> lock(mu_);
      head_ = file + 1;
      drained_.notify_all();
    }
    return true;
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    drained_.notify_all();
    produced_.notify_all();
  }

 private:
  // Files the calling thread waits for at once (within the claim window, so
  // that workers can always finish them).
  static constexpr size_t kDrainBatchFiles = kScanWindowFiles / 2;
  static_assert(kDrainBatchFiles >= 1 && kDrainBatchFiles <= kScanWindowFiles);

  struct Slot {
    std::vector<ResourceEvaluation> queue;  // a vector: an empty one allocates nothing, a deque 576 bytes
    FileResult result;
    bool done = false;
  };

  // Whether the calling thread, handing on `file`, has work that cannot wait:
  // from `file` on, the files are done up to kDrainBatchFiles of them (or the
  // last), or the first file not done holds kScanQueuedDecisions decisions (its
  // worker may pause: draining it, or the files before it, lets it go on), or
  // kScanWaitingDecisions wait (workers may pause) and `file` has some to hand on.
  // Holds mu_.
  bool Ready(size_t file) const {
    if (stopped_) return true;
    if (waiting_ >= kScanWaitingDecisions && (SlotOf(file).done || !SlotOf(file).queue.empty())) return true;
    const size_t last = std::min(files_, file + kDrainBatchFiles);
    for (size_t f = file; f < last; ++f) {
      if (SlotOf(f).queue.size() >= kScanQueuedDecisions) return true;
      if (!SlotOf(f).done) return false;
    }
    return true;
  }
  // Holds mu_.
  void WakeDrainIfReady() {
    if (draining_waits_ && Ready(awaited_)) produced_.notify_one();
  }

  // Files in [head_, head_ + kScanWindowFiles) have distinct slots.
  Slot& SlotOf(size_t file) { return slots_[file % slots_.size()]; }
  const Slot& SlotOf(size_t file) const { return slots_[file % slots_.size()]; }

  std::mutex mu_;
  std::condition_variable produced_, drained_;
  const size_t files_;
  std::vector<Slot> slots_;
  size_t head_ = 0, next_ = 0;
  size_t waiting_ = 0;          // decisions in the slots' queues
  size_t awaited_ = 0;          // the file the calling thread waits for, while draining_waits_
  bool draining_waits_ = false;
  bool stopped_ = false;
};

}  // namespace

ScanResult Scan(const Engine& engine, const ScanOptions& options, const DecisionSinkFn& sink) {
  ScanResult result;
  std::vector<std::string> files;
  if (options.walked) {
    files = options.walked->files;
    result.errors = options.walked->errors;
    result.skipped = options.walked->skipped;
  } else {
    files = Walk(options.paths, options.walk, &result.errors, &result.skipped);
  }
  result.files = files.size();
  // Files named on the command line are manifests whatever they hold; walked ones may be anything.
  const std::set<std::string> named = NamedFiles(options.paths);
  std::unique_ptr<FieldLocator> locator;
  if (options.locate_fields) locator = std::make_unique<FieldLocator>(engine);
  Progress progress(files.size(), ShouldShowProgress(options.progress, files.size()));
  int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(files.size())));
  Reorder reorder(files.size());
  auto worker = [&] {
    WarmHeap(options.worker_heap_bytes);
    cel::EvalState state;
    size_t i = 0;
    while (reorder.Claim(&i)) {
      FileResult file;
      ReadAheadFile* ahead = options.read_ahead && i < options.read_ahead->files.size()
                                 ? &options.read_ahead->files[i]
                                 : nullptr;
      // An exception (an allocation that failed) is this file's error: on a
      // worker thread it would end the process.  The file's decisions handed
      // on before it stay; its error makes the run exit 2.
      try {
        ScanFile(engine, locator.get(), files[i], named.count(files[i]) == 0, ahead, options, &state, &file,
                 [&](ResourceEvaluation&& d) { return reorder.Push(i, std::move(d)); });
      } catch (const std::exception& e) {
        try {
          file.errors.push_back({files[i], 0, 0, kernel::ExceptionText(e) + " while checking the file"});
        } catch (const std::bad_alloc&) {
          file.out_of_memory = true;  // nothing here may throw: the thread would end the process
        }
      }
      progress.Add(1, file.bytes);
      reorder.Done(i, std::move(file));
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(jobs));
  if (!files.empty()) {
    for (int j = 0; j < jobs; ++j) {
      // A thread the system does not give (no memory for its stack, a pids
      // limit) is one worker fewer; with none at all the check cannot run,
      // and the exception says why (before any thread is left joinable).
      try {
        threads.emplace_back(worker);
      } catch (const std::system_error&) {
        if (threads.empty()) throw;
        break;
      }
    }
  }
  // Files are sorted and each file's documents come in order: the sink sees the
  // same sequence whatever the number of jobs.
  // An exception here (memory that ran out in a report) must not leave with the
  // workers running (a joinable std::thread ends the process): they are stopped
  // and joined first.
  std::exception_ptr drain_failed;
  try {
    result.stopped = !reorder.Drain(
        [&](ResourceEvaluation& d) {
          ++result.decisions;
          return sink(d);
        },
        [&](size_t i, FileResult&& f) {
          if (!f.not_manifest.empty()) {
            result.not_manifests.push_back({files[i], 0, 0, f.not_manifest});
            if (f.helm_template) ++result.helm_templates;
          }
          result.bytes += f.bytes;
          std::move(f.errors.begin(), f.errors.end(), std::back_inserter(result.errors));
          if (f.out_of_memory) result.errors.push_back({files[i], 0, 0, "out of memory while checking the file"});
        });
  } catch (...) {
    drain_failed = std::current_exception();
    reorder.Stop();
  }
  for (auto& t : threads) t.join();
  progress.Finish();
  if (drain_failed) std::rethrow_exception(drain_failed);
  return result;
}

std::set<std::string> NamedFiles(const std::vector<std::string>& paths) {
  std::set<std::string> named;
  for (const auto& p : paths) {
    struct stat st;
    if (p != "-" && (stat(p.c_str(), &st) != 0 || S_ISDIR(st.st_mode))) continue;
    std::string shown = p;
    while (shown.size() > 2 && shown.compare(0, 2, "./") == 0) shown.erase(0, 2);
    named.insert(shown);
  }
  return named;
}

namespace {

// ReadManifests reading at most `max_input_bytes` of the input.
ManifestInput ReadManifestsUpTo(const std::string& path, bool walked, int64_t max_object_bytes,
                                size_t max_input_bytes, std::vector<Diagnostic>* errors,
                                const ResourceFn& on_resource) {
  ManifestInput input;
  if (walked && InChartTemplates(path)) {
    input.not_manifest = kRenderFirst;
    input.helm_template = true;
    return input;
  }
  // --max-file-bytes bounds an object (a YAML document, a JSON value, one item of
  // a List), not the stream: a cluster-sized List on stdin holds one item in memory.
  manifest::Limits limits;
  limits.max_object_bytes = static_cast<size_t>(max_object_bytes);
  limits.max_file_bytes = max_input_bytes;
  limits.max_documents = std::numeric_limits<size_t>::max();
  Diagnostic open_error;
  std::unique_ptr<manifest::Reader> reader = manifest::Reader::Open(path, limits, &open_error);
  if (!reader) {
    errors->push_back(std::move(open_error));
    return input;
  }
  // A walked file is skipped when nothing in it is a manifest: its errors wait
  // for its first resource.
  std::vector<Diagnostic> held;
  bool yielded = false;
  manifest::Resource res;
  Diagnostic load_error;
  for (;;) {
    manifest::ReadItem item = reader->Next(&res, &load_error);
    if (item == manifest::ReadItem::kEnd) break;
    if (item == manifest::ReadItem::kError) {
      if (walked && !yielded) {
        held.push_back(std::move(load_error));
      } else {
        errors->push_back(WithFlag(std::move(load_error), limits));
      }
      continue;
    }
    if (!yielded) {
      yielded = true;
      for (auto& e : held) errors->push_back(WithFlag(std::move(e), limits));
      held.clear();
    }
    ++input.objects;
    if (!on_resource(res)) break;
  }
  input.bytes = reader->bytes_read();
  if (walked && !yielded) {
    // Nothing was yielded, so every error so far is held: not_objects() counts theirs.
    input.not_manifest = NotAManifest(held.size() == reader->not_objects(), path, &input.helm_template);
    if (input.not_manifest.empty()) {
      for (auto& e : held) errors->push_back(WithFlag(std::move(e), limits));
    }
  }
  return input;
}

}  // namespace

ManifestInput ReadManifests(const std::string& path, bool walked, int64_t max_object_bytes,
                            std::vector<Diagnostic>* errors, const ResourceFn& on_resource) {
  return ReadManifestsUpTo(path, walked, max_object_bytes, std::numeric_limits<size_t>::max(), errors, on_resource);
}

void ReadAhead(const WalkResult& walked, const std::set<std::string>& named, int64_t max_object_bytes,
               const std::atomic<bool>& stop, ReadAheadFiles* out) {
  int64_t budget = kReadAheadBytes;
  for (const std::string& path : walked.files) {
    if (stop.load(std::memory_order_relaxed)) return;
    struct stat st;
    if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kReadAheadFileBytes ||
        st.st_size > budget) {
      return;
    }
    budget -= st.st_size;
    ReadAheadFile file;
    // The file's size bounds the read: a file that grows (or is replaced) while it
    // is read keeps the read-ahead's memory bounded, is left to Scan, and ends the read-ahead.
    const auto size = static_cast<size_t>(st.st_size);
    const size_t bound = std::max<size_t>(size, 1);  // 0 would mean no bound
    file.input = ReadManifestsUpTo(path, named.count(path) == 0, max_object_bytes, bound, &file.errors,
                                   [&](const manifest::Resource& res) {
                                     file.resources.emplace_back(res, file.errors.size());
                                     return true;
                                   });
    struct stat after;
    if (stat(path.c_str(), &after) != 0 || after.st_size != st.st_size || after.st_ino != st.st_ino ||
        after.st_mtim.tv_sec != st.st_mtim.tv_sec || after.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
      return;
    }
    out->files.push_back(std::move(file));
  }
}

CollectedScan ScanAll(const Engine& engine, const ScanOptions& options) {
  CollectedScan all;
  static_cast<ScanResult&>(all) = Scan(engine, options, [&](ResourceEvaluation& d) {
    all.evaluations.push_back(std::move(d));
    return true;
  });
  return all;
}

}  // namespace aimsgate::cli
