// Loading Kubernetes manifests (YAML and JSON) into RapidJSON documents that the
// evaluator reads in place.
//
//   manifest::Limits limits;                         // every budget, documented defaults
//   manifest::LoadResult r = manifest::LoadYaml(bytes, "deploy/app.yaml", limits);
//   manifest::LoadResult r = manifest::LoadJson(bytes, "deploy/app.json", limits);
//   manifest::LoadResult r = manifest::LoadBytes(bytes, source, limits); // sniffs JSON vs YAML
//   for (const manifest::Resource& res : r.resources) {
//     const rapidjson::Value& obj = *res.object;   // a Kubernetes object (List expanded)
//     res.source; res.line; res.column;             // 1-based position of the object
//     res.document_index;                           // index of the YAML document in the file
//     res.item_index;                               // index in a List's items, -1 otherwise
//     res.FieldLine(&obj["spec"]) ...               // line of any value (or key) inside, 0 if unknown
//   }
//   for (const Diagnostic& e : r.errors) {           // "source:line:col: error: message"
//     e.source; e.line; e.column; e.message; e.ToString();
//   }
//
// A file may yield resources AND errors: a document with an error (duplicate key,
// no kind, over a per-document budget) is dropped and the others are kept; a
// syntax error or a per-file budget stops the file there, keeping what came before.
//
// Scalars are typed as Kubernetes types them (sigs.k8s.io/yaml on go-yaml v2,
// YAML 1.1 resolution):
//   null: "", ~, null, Null, NULL            bool: y Y yes Yes YES true True TRUE on On ON
//                                                  n N no No NO false False FALSE off Off OFF
//   int:  123, +1, -1, 1_000, 0x1F, 0o17, 017 (octal), 0b101; beyond int64 -> uint64,
//         beyond uint64 -> float
//   float: 1.5, 1e3, .5, 1., 08 (not octal: a float), .inf, -.Inf, +.INF, .nan, .NaN
//   everything else, quoted and block scalars, !!str and unknown tags: strings.
// Explicit tags !!int, !!float, !!bool, !!null, !!str, !!timestamp are honoured
// ("cannot decode !!str `x` as a !!int" otherwise). Timestamps stay strings (as
// go-yaml v2 does when decoding into interface{}). !!binary stays base64 text.
// Map keys that are not strings become strings as sigs.k8s.io/yaml does: ints in
// decimal, bools "true"/"false" (so `on:` is the key "true"), floats in Go's %g of
// float32; a null key is an error. Duplicate keys are an error (Kubernetes rejects
// them, JSON included). Merge keys `<<` are SUPPORTED: `<<: *base` or
// `<<: [*a, *b]`; keys written in the mapping win over merged ones, and earlier
// merge sources win over later ones.
// Anchors/aliases are supported by copying the anchored subtree; the copies count
// against Limits::max_alias_nodes (billion-laughs guard).
//
// Thread-safety: the Load functions are reentrant (no shared state); a
// LoadResult and its documents are immutable afterwards (the lazily sorted
// position index is guarded by std::call_once) and may be read from any number
// of threads.
// Cost: a linear UTF-8 check and, for YAML, a linear flow-nesting pre-scan; then
// one pass (libyaml events or RapidJSON SAX) straight into a pool-allocated
// rapidjson::Document per YAML document (or JSON value). record_field_lines keeps
// 16 bytes per node (value or key); the index is sorted on the first FieldLine
// of a document. Measured on 2,000 Deployments (tests/manifest/throughput_test.cc):
// YAML at ~80-95% of libyaml's bare event rate, JSON at ~150-190 MB/s.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "evaluator/kernel/diagnostic.h"
#include "evaluator/kernel/json.h"

namespace aimsgate::manifest {

// Every budget of the loader. Each over-limit input fails fast with a located
// Diagnostic; none of them crashes or hangs.
struct Limits {
  // Bytes of one file (or stdin). Checked before parsing by the Load functions;
  // a Reader (stream.h) stops there. 0 or SIZE_MAX: no limit (Reader only).
  size_t max_file_bytes = 64u << 20;  // 64 MiB
  // Bytes of one object's text, for a Reader (stream.h): a YAML document, a JSON
  // value, one item of a top-level List's `items` or of a top-level JSON array,
  // or a List's envelope outside its items. An object over it is a located error
  // at its first byte and the reader stops there: a pipe that never ends holds at
  // most this much at once. The Load functions hold the whole file anyway and do
  // not apply it. `aimsgate check --max-file-bytes N` sets it for every input and
  // lifts max_file_bytes.
  size_t max_object_bytes = 64u << 20;  // 64 MiB
  // Nesting depth of mappings/sequences (objects/arrays), alias copies included.
  // The loader and the evaluator recurse this deep at most; values are clamped
  // to [1, 10000] so no setting can overflow a thread's stack.
  int max_depth = 100;
  // YAML documents (or top-level JSON values) in one stream, empty ones included.
  size_t max_documents = 100000;
  // Bytes of one string scalar (value or key).
  size_t max_string_bytes = 16u << 20;  // 16 MiB
  // Nodes produced by alias expansion, per file (fixed cap: a billion-laughs
  // file fails here after at most this many copied nodes).
  size_t max_alias_nodes = 1000000;
  // Text (scalar and key bytes) of one object once its aliases are expanded: a few
  // aliases to a long string copy it past any count of nodes.  0: max_object_bytes.
  // The Load functions, which do not apply max_object_bytes, still apply this.
  size_t max_expanded_bytes = 0;
  // Nodes (scalars, keys, mappings, sequences) per object (a YAML document, a
  // JSON value, one item of a streamed List or array), alias copies included.
  size_t max_nodes = 10000000;
  // Keep a line/column for every value and key so Resource::FieldLine works.
  // Off: FieldLine returns 0 except for the objects themselves (see the report
  // figures in tests/manifest/throughput_test.cc).
  bool record_field_lines = true;
};

// 1-based position; 0 means unknown.
struct Position {
  uint32_t line = 0;
  uint32_t column = 0;
};

// One parsed YAML document or JSON value with the positions of its nodes.
// Shared by all resources that come from it (a List's items).
class LoadedDocument {
 public:
  // Small chunks: a typical manifest needs a few KiB, RapidJSON's default chunk
  // is 64 KiB per document. Declared before `doc`, which allocates from it.
  aimsgate::JsonPool pool{8192};
  aimsgate::JsonDocument doc{&pool};

  // Position of `v`, a value or a member name inside `doc`; {0,0} if unknown.
  // Thread-safe. The first kLinearLookups calls scan the index; after that it is
  // copied and sorted by address once (O(n log n)) and calls are a binary search.
  // A report looks up one or two fields of most documents: sorting every one of
  // them cost ten times the scans. Loading pays nothing for FieldLine.
  Position Find(const aimsgate::JsonValue* v) const;
  static constexpr uint32_t kLinearLookups = 16;

  // Internal: filled by the loader in document order, and not changed after.
  std::vector<std::pair<const aimsgate::JsonValue*, Position>> positions;

 private:
  mutable std::atomic<uint32_t> lookups_{0};
  mutable std::once_flag sorted_once_;
  mutable std::vector<std::pair<const aimsgate::JsonValue*, Position>> sorted_;
};

struct Resource {
  const aimsgate::JsonValue* object = nullptr;       // a JSON object with kind and apiVersion
  std::shared_ptr<const LoadedDocument> owner;    // keeps *object alive
  std::string source;
  int line = 0;    // 1-based position of the object's first token
  int column = 0;
  int document_index = 0;  // 0-based index of the YAML document (JSON value) in the file
  int item_index = -1;     // index in a List's items, -1 otherwise

  // Line of any value or member name inside *object (0 if unknown or if
  // Limits::record_field_lines was false).
  int FieldLine(const aimsgate::JsonValue* v) const;
  Position FieldPosition(const aimsgate::JsonValue* v) const;
};

// What Reader::Next (stream.h) produced.
enum class ReadItem { kEnd, kResource, kError };

struct LoadResult {
  std::vector<Resource> resources;
  // "source:line:col: error: message"; line 0 when the error has no position (e.g. file
  // too large), otherwise line and column are set.
  std::vector<Diagnostic> errors;
  // How many of `errors` are documents that parsed but are not Kubernetes objects (no
  // kind or no apiVersion): a directory walk skips files that hold nothing else (CI
  // workflows, values.yaml).
  size_t not_objects = 0;
  bool ok() const { return errors.empty(); }
  bool OnlyNotObjects() const { return errors.size() == not_objects; }
};

// The Load functions read bytes already in memory and are thin wrappers over the
// streaming readers of stream.h, which also read files and pipes block by block.
// YAML stream (multi-document). Empty documents (a stray `---`, only comments) are skipped.
LoadResult LoadYaml(std::string_view bytes, std::string_view source, const Limits& limits = Limits());
// One JSON value, or several concatenated (JSON Lines); a UTF-8 BOM is skipped;
// NaN/Infinity are rejected. A top-level array of objects yields each element
// (item_index = its index); an array whose first element is not a Kubernetes
// object is one error, counted in not_objects.
LoadResult LoadJson(std::string_view bytes, std::string_view source, const Limits& limits = Limits());
// First non-blank character `{` or `[` -> JSON (falling back to YAML when the JSON
// parser fails and the YAML one succeeds: flow-style YAML), else YAML.
LoadResult LoadBytes(std::string_view bytes, std::string_view source, const Limits& limits = Limits());

}  // namespace aimsgate::manifest
