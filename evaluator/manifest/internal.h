// Internal pieces shared by the YAML and JSON loaders. Not part of the public API.
//
// Both loaders build one rapidjson::Document per YAML document / JSON value and,
// alongside it, a vector of Entry in pre-order (each value, and each member name
// just before its value). FinishDocument walks the finished DOM in the same order
// to pair each node's final address with its position (addresses move while a
// document is built, so they can only be taken at the end), checks duplicate keys
// and turns the root into resources.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
// D800-DFFF included), or npos.
size_t FindInvalidText(std::string_view bytes, bool allow_nul = false);
// 1-based line and column (in characters) of a byte offset.
Position OffsetToPosition(std::string_view bytes, size_t offset);

// Rejects oversized, binary (NUL) and non-UTF-8 input; strips a UTF-8 BOM.
// Returns false and appends an error to `out` when the bytes cannot be loaded.
bool PrepareText(std::string_view* bytes, std::string_view source, const Limits& limits,
                 LoadResult* out);

// The limits actually applied: max_depth clamped to [1, kMaxDepthCap] so the
// recursive passes (position walk, CanonicalJson, the evaluator) stay within a
// thread's stack whatever the caller asks for.
constexpr int kMaxDepthCap = 10000;
Limits Effective(const Limits& limits);

LoadError MakeError(std::string_view source, Position p, std::string message);

// See the file comment. Appends resources and/or errors to `out`.
void FinishDocument(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries,
                    int document_index, std::string_view source, const Limits& limits,
                    LoadResult* out);

}  // namespace aimsgate::manifest::internal
