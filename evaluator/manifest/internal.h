// Internal pieces shared by the YAML and JSON readers. Not part of the public API.
//
// Both readers build one rapidjson::Document per YAML document / JSON value (or
// per item of a top-level JSON List or array) and, alongside it, a vector of
// Entry in pre-order (each value, and each member name just before its value).
// FinishDocument walks the finished DOM in the same order to pair each node's
// final address with its position (addresses move while a document is built, so
// they can only be taken at the end), checks duplicate keys and turns the root
// into resources.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest::internal {

struct Entry {
  uint32_t line;
  uint32_t column : 31;
  // The node and every node below it take this position and consume no further
  // entries (alias copies, members added by a merge key).
  uint32_t whole : 1;
};

inline Entry MakeEntry(Position p, bool whole = false) {
  Entry e;
  e.line = p.line;
  e.column = p.column & 0x7fffffffu;
  e.whole = whole ? 1 : 0;
  return e;
}

// Offset of the first byte that is NUL (unless allow_nul) or not valid UTF-8 (surrogates
// D800-DFFF included), or npos. *ascii (when given) is set to whether no byte
// before that one is above 0x7F.
size_t FindInvalidText(std::string_view bytes, bool allow_nul = false, bool* ascii = nullptr);
// 1-based line and column (in characters) of a byte offset.
Position OffsetToPosition(std::string_view bytes, size_t offset);
// `p` moved past `bytes`.
Position Advance(Position p, std::string_view bytes);

// The message for a NUL or invalid byte at `offset` of the text (after a BOM).
std::string InvalidTextMessage(char byte, uint64_t offset);

// Rejects oversized, binary (NUL) and non-UTF-8 input; strips a UTF-8 BOM.
// Returns false and appends an error to `out` when the bytes cannot be loaded.
// *ascii (when given): the text is all ASCII.
bool PrepareText(std::string_view* bytes, std::string_view source, const Limits& limits,
                 LoadResult* out, bool* ascii = nullptr);

// LoadJson's fast path (json_fast.cc) over text PrepareText accepted, with the
// limits LoadJson applies: the result into *out, exactly what the general reader
// (NewJsonParser) gives, when the text is one or more objects (or arrays of
// objects) that load without any error; false, *out untouched, otherwise.
bool LoadJsonFast(std::string_view text, bool ascii, std::string_view source, const Limits& limits,
                  LoadResult* out);
// LoadJson without the fast path: the general reader alone (for the tests that
// hold the two to the same output).
LoadResult LoadJsonGeneral(std::string_view bytes, std::string_view source, const Limits& limits);

// The limits actually applied: max_depth clamped to [1, kMaxDepthCap] so the
// recursive passes (position walk, CanonicalJson, the evaluator) stay within a
// thread's stack whatever the caller asks for.
constexpr int kMaxDepthCap = 10000;
Limits Effective(const Limits& limits);

Diagnostic MakeError(std::string_view source, Position p, std::string message);

bool IsListKind(std::string_view kind);
// Empty when `v` is a Kubernetes object (kind and apiVersion), else why not.
std::string WhyNotAnObject(const aimsgate::JsonValue& v);

// What a reader produces, in input order.
class Queue {
 public:
  void Push(Resource r);
  void Push(Diagnostic e);
  // An error that is a document, but not a Kubernetes object (LoadResult::not_objects).
  void PushNotObject(Diagnostic e);
  bool empty() const { return items_.empty(); }
  // Moves the oldest item out (kEnd when empty); *not_object says whether an error
  // came from PushNotObject.
  ReadItem Pop(Resource* resource, Diagnostic* error, bool* not_object = nullptr);
  // Everything queued so far into `out`.
  void DrainInto(LoadResult* out);

 private:
  struct Item {
    bool is_error = false;
    bool not_object = false;
    Resource resource;
    Diagnostic error;
  };
  std::deque<Item> items_;
};

// See the file comment. Pushes the root (or a List's items) and/or errors.
void FinishDocument(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries,
                    int document_index, std::string_view source, const Limits& limits, Queue* out);

// One item of a List (or element of a top-level array) parsed into its own
// document: duplicate keys, positions, the Kubernetes-object check (errors are
// prefixed with `what`, e.g. "List item 3: ").
void FinishItem(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries,
                int document_index, int item_index, std::string_view what, std::string_view source,
                const Limits& limits, Queue* out);

// Duplicate keys (and the entries' agreement with the DOM) without keeping positions.
bool CheckDocument(LoadedDocument* doc, const std::vector<Entry>& entries, std::string_view source,
                   const Limits& limits, Diagnostic* error);

// Index of the first name that repeats an earlier one, or -1. `scratch` is reused.
int FindDuplicate(const std::vector<std::string_view>& names,
                  std::vector<std::pair<std::string_view, int>>* scratch);

// The bytes of one input, handed out in blocks of validated UTF-8 text: from a
// file descriptor (read in kBlockBytes blocks, never more held than two blocks)
// or from memory (one block, the caller's bytes, not copied). A UTF-8 BOM at the
// start is dropped; offsets count from after it. A NUL or invalid byte ends the
// text there with an error; so does max_bytes (a limit on the whole input).
class TextInput {
 public:
  static constexpr size_t kBlockBytes = 64u << 10;

  // `bytes` must outlive the input. When `validated`, PrepareText has run.
  TextInput(std::string_view bytes, bool validated);
  // Reads `fd` (not closed) up to max_bytes.
  TextInput(int fd, uint64_t max_bytes);
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  // The next block; empty at the end of the text (or at an error). A caller that
  // knows the position of the end of the block it is done with passes it in
  // `end_position`, sparing the input a scan of that block (positions are
  // otherwise worked out only when PositionAt needs them).
  std::string_view Next(const Position* end_position = nullptr);
  // Set once Next returned the end because of a bad byte, the size limit or a read error.
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  Position error_position() const { return error_pos_; }
  // A bad byte (or the size limit) found ahead in the block being consumed, before
  // the parser reached it; "" when none.
  const std::string& pending_error() const { return pending_error_; }
  Position pending_error_position() const { return PositionAt(pending_offset_); }

  // The caller's bytes of a memory input (not yet validated: see the constructor).
  bool in_memory() const { return memory_; }
  std::string_view whole() const { return whole_; }

  // Bytes handed out so far.
  uint64_t offset() const { return block_base_ + block_.size(); }
  // Position of an offset inside the last two blocks handed out (else of the
  // start of the previous block: never expected).
  Position PositionAt(uint64_t offset) const;
  // The byte at an offset inside the last two blocks, or 0.
  char ByteAt(uint64_t offset) const;

  // Keeps every block handed out from now on, up to `cap` bytes, so that
  // Rewind can hand them out again (the JSON to YAML fallback).
  void StartRecording(size_t cap);
  void StopRecording();
  // Starts over from the first recorded block; false when the recording
  // overflowed (or none was made).
  bool Rewind();
  // More than the cap was handed out since StartRecording: Rewind will fail.
  bool recording_overflowed() const { return overflowed_; }

 private:
  bool Fill();  // reads the next block from fd_; false at the end
  void Fail(uint64_t offset, std::string message);
  // Position of the first byte of block_, worked out from the previous block on demand.
  Position BlockPosition() const;

  int fd_ = -1;
  uint64_t max_bytes_ = 0;
  bool memory_ = false;
  bool validated_ = false;
  bool eof_ = false;
  bool started_ = false;
  std::string_view whole_;  // memory input
  // A block's bytes, grown without zero-filling: resizing a std::string to 64 KiB
  // before each read() was a fifth of `check`'s instructions on small files.
  struct BlockBuffer {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t capacity = 0;
    std::string_view view() const { return {data.get(), size}; }
  };
  BlockBuffer buf_, prev_buf_;
  std::string replay_block_;  // the recorded blocks being handed out again
  std::string carry_buf_;  // bytes of an incomplete UTF-8 sequence kept for the next read
  std::string_view block_, prev_block_;
  uint64_t block_base_ = 0, prev_base_ = 0;
  mutable Position block_pos_{1, 1};
  mutable bool block_pos_known_ = true;
  Position prev_pos_{1, 1};
  std::string error_;
  Position error_pos_;
  // An error found in a block handed out: it becomes error_ once that block is consumed.
  std::string pending_error_;
  uint64_t pending_offset_ = 0;
  // Recording and replay.
  bool recording_ = false;
  bool overflowed_ = false;
  size_t record_cap_ = 0;
  std::string recorded_;
  std::string replay_;
  bool replaying_ = false;
};

// One format's parser over a TextInput, pushing into a Queue.
class Parser {
 public:
  virtual ~Parser() = default;
  // Parses until something is queued in *out or the input ends; false once
  // nothing more will come.
  virtual bool Step(Queue* out) = 0;
  // JSON: the first value failed on a member name without quotes (flow-style YAML).
  virtual bool unquoted_key() const { return false; }
};

// `stream_items`: yield a top-level List's items (and a top-level array's
// elements) one by one (stream.h); false reads each top-level value whole.
std::unique_ptr<Parser> NewJsonParser(TextInput* input, std::string_view source, const Limits& limits,
                                      bool stream_items);
// `scan_flow_depth`: run the FlowDepthScanner over the blocks (false when the
// caller already ran FindExcessiveFlowDepth on the whole text).
std::unique_ptr<Parser> NewYamlParser(TextInput* input, std::string_view source, const Limits& limits,
                                      bool scan_flow_depth);

}  // namespace aimsgate::manifest::internal
