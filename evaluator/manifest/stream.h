// Reading manifests incrementally: one Resource at a time from a file, a pipe or
// bytes in memory, holding one object's worth of input, not the whole input.
//
//   manifest::Limits limits;                 // limits.max_object_bytes bounds one object
//   limits.max_file_bytes = 0;               // no cap on the whole stream
//   Diagnostic open_error;
//   std::unique_ptr<manifest::Reader> reader = manifest::Reader::Open("-", limits, &open_error);
//   if (!reader) { ... open_error.ToString() ... }   // "<stdin>" or the path is the source
//   manifest::Resource res;
//   Diagnostic err;
//   for (;;) {
//     manifest::ReadItem item = reader->Next(&res, &err);
//     if (item == manifest::ReadItem::kEnd) break;
//     if (item == manifest::ReadItem::kError) { ... err.ToString() ... continue; }
//     ... *res.object, res.line, res.item_index, res.FieldLine(&(*res.object)["spec"]) ...
//   }                                        // res.owner keeps the object alive as long as wanted
//
// What is streamed (the same Resource fields as LoadBytes gives, FieldLine included):
//   JSON   a top-level List object: its items one by one, each parsed into its own
//          document. `items` may come before `kind` (kubectl prints keys sorted:
//          apiVersion, items, kind, metadata): the items are then held until kind
//          and apiVersion are known, up to kItemsLookaheadBytes of them; past that
//          the object is taken for a List and its items are yielded as they come.
//          If it then turns out not to be a List (or has no apiVersion), a located
//          error says so at the end; within the lookahead such an object is one
//          resource, exactly as LoadBytes reads it.
//          A top-level array: its elements one by one (item_index = index). A
//          single object, or several concatenated values (JSON Lines).
//   YAML   one document at a time (a multi-document stream never holds more than
//          one). A List document is held whole and its items yielded one by one:
//          for YAML the bound is one document, not one item.
// The format is sniffed as LoadBytes does: a first non-blank `{` or `[` is JSON.
// Flow-style YAML (`{kind: Pod}`) that fails as JSON in its first value is re-read
// as YAML when nothing was yielded yet and the input so far fits in
// kReplayBytes; if YAML fails too, the JSON error is reported.
//
// Semantics are the Load functions' (manifest.h): scalar typing, duplicate keys
// (an item or document with one is dropped with a located error), NaN rejection,
// the not-an-object errors (counted by not_objects()), every Limits budget. Differences, all from reading as it comes:
//   - Bad text (NUL, invalid UTF-8) ends the input with a located error where it
//     is; what came before it has been yielded. So do a syntax error, a JSON depth
//     or string error, max_object_bytes and the alias budget (which counts over
//     the whole stream); a YAML document over a per-document budget is dropped
//     and the stream goes on, as in LoadYaml.
//   - max_nodes counts per object (JSON List item, JSON value, YAML document).
//   - A duplicate key inside a streamed JSON List item drops that item only; in
//     the List's envelope (or when the List turns out not to be one), the error
//     comes after the items already yielded.
//
// Thread-safety: a Reader is used by one thread at a time. The Resources it yields
// are independent of it (each holds its own document) and may be read from any
// number of threads, and outlive it.
// Cost: the input is read in TextInput::kBlockBytes (64 KiB) blocks; memory is
// one item's DOM plus its position index (record_field_lines), two blocks, and,
// until the first item is yielded, up to kReplayBytes of replay buffer.
// A regular file of at most WholeReadBytes(limits) (within one object's budget)
// is read whole instead, and JSON in memory of that size goes through LoadJson's
// one-pass reader first: the same resources, read about three times faster. Any
// error sends it through the streaming reader above, which reports it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {

namespace internal {
class TextInput;
class Parser;
class Queue;
}  // namespace internal

// Items of a List whose kind comes after them are held up to this many bytes.
constexpr size_t kItemsLookaheadBytes = 1u << 20;  // 1 MiB
// The start of a stream is kept this long for the JSON to YAML fallback.
constexpr size_t kReplayBytes = 1u << 20;  // 1 MiB

// Inputs up to this size are read whole (see Cost above): never more than one
// object's budget, nor than the List lookahead, so the result is the same.
size_t WholeReadBytes(const Limits& limits);

class Reader {
 public:
  // `path` "-" is stdin (source "<stdin>"). Null with *error when the file
  // cannot be opened.
  static std::unique_ptr<Reader> Open(const std::string& path, const Limits& limits, Diagnostic* error);
  // Reads `fd` (not closed by the reader); errors name `source`.
  static std::unique_ptr<Reader> FromFd(int fd, std::string source, const Limits& limits);
  // Reads `bytes` (not copied: they must outlive the reader).
  static std::unique_ptr<Reader> FromBytes(std::string_view bytes, std::string source, const Limits& limits);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The next resource (kResource, *resource set) or error (kError, *error set),
  // in input order; kEnd when the input is exhausted (then always kEnd).
  ReadItem Next(Resource* resource, Diagnostic* error);
  // How many of the errors yielded so far are documents that are not Kubernetes
  // objects (LoadResult::not_objects): compare before and after Next to tell.
  size_t not_objects() const { return not_objects_; }

  const std::string& source() const { return source_; }
  // Bytes read from the input so far (after a BOM).
  uint64_t bytes_read() const;
  // True once the input was found to be JSON (after the first Next).
  bool is_json() const { return format_ == Format::kJson; }

 private:
  enum class Format { kUnknown, kJson, kYaml };
  Reader(std::unique_ptr<internal::TextInput> input, int owned_fd, std::string source, const Limits& limits);
  bool Step();  // runs the parser until something is queued; false at the end
  void Sniff();
  // JSON in memory read by LoadJson's one-pass reader; false (nothing queued)
  // unless it loaded without any error.
  bool LoadWholeJson(std::string_view bytes);

  std::string owned_bytes_;  // a small file read whole (Open)
  std::unique_ptr<internal::TextInput> input_;
  int owned_fd_ = -1;
  uint64_t whole_bytes_read_ = 0;  // set when LoadWholeJson took the input
  std::string source_;
  Limits limits_;
  Format format_ = Format::kUnknown;
  std::unique_ptr<internal::Parser> parser_;
  std::unique_ptr<internal::Queue> queue_;
  bool done_ = false;
  bool yielded_ = false;      // something left the reader: no more fallback
  bool yaml_fallback_ = false;  // re-reading flow-style YAML; *json_error_ if it fails at once
  std::unique_ptr<Diagnostic> json_error_;
  bool json_error_not_object_ = false;
  size_t not_objects_ = 0;
};

}  // namespace aimsgate::manifest
