// Turning a finished document into resources: positions, duplicate keys, List
// expansion, the Kubernetes-object check. Also the small shared helpers.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {

namespace {

using PositionEntry = std::pair<const aimsgate::JsonValue*, Position>;

void SortByAddress(std::vector<PositionEntry>* v) {
  std::sort(v->begin(), v->end(), [](const PositionEntry& a, const PositionEntry& b) {
    return std::less<const aimsgate::JsonValue*>()(a.first, b.first);
  });
}

Position FindSorted(const std::vector<PositionEntry>& positions, const aimsgate::JsonValue* v) {
  auto it = std::lower_bound(
      positions.begin(), positions.end(), v,
      [](const std::pair<const aimsgate::JsonValue*, Position>& a, const aimsgate::JsonValue* b) {
        return std::less<const aimsgate::JsonValue*>()(a.first, b);
      });
  if (it == positions.end() || it->first != v) return Position{};
  return it->second;
}

}  // namespace

Position LoadedDocument::Find(const aimsgate::JsonValue* v) const {
  if (lookups_.fetch_add(1, std::memory_order_relaxed) < kLinearLookups) {
    for (const auto& [value, position] : positions) {
      if (value == v) return position;
    }
    return Position{};
  }
  std::call_once(sorted_once_, [this] {
    sorted_ = positions;
    SortByAddress(&sorted_);
  });
  return FindSorted(sorted_, v);
}

int Resource::FieldLine(const aimsgate::JsonValue* v) const {
  return static_cast<int>(FieldPosition(v).line);
}

Position Resource::FieldPosition(const aimsgate::JsonValue* v) const {
  if (owner == nullptr || v == nullptr) return Position{};
  return owner->Find(v);
}

namespace internal {

size_t FindInvalidText(std::string_view bytes, bool allow_nul, bool* ascii) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  if (ascii != nullptr) *ascii = true;
  while (i < n) {
    // Fast path: ASCII bytes without NUL, 16 (or 8) at a time.
#if defined(__SSE2__)
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      int stop = _mm_movemask_epi8(v);  // high bits
      if (!allow_nul) stop |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
      if (stop == 0) {
        i += 16;
        continue;
      }
      i += static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(stop)));  // the byte to look at
    } else
#endif
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      bool high = (w & 0x8080808080808080ull) != 0;
      bool zero = !allow_nul && ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
      if (!high && !zero) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c == 0 && !allow_nul) return i;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (ascii != nullptr) *ascii = false;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

namespace {

constexpr uint64_t kLowBits = 0x7F7F7F7F7F7F7F7Full;
constexpr uint64_t kHighBits = 0x8080808080808080ull;
constexpr uint64_t kNewlines = 0x0A0A0A0A0A0A0A0Aull;

// The high bit of each byte of `w` that is zero (exact, no false positives).
inline uint64_t ZeroBytes(uint64_t w) { return ~(((w & kLowBits) + kLowBits) | w | kLowBits); }

inline uint32_t Popcount(uint64_t w) { return static_cast<uint32_t>(__builtin_popcountll(w)); }

}  // namespace

// Eight bytes at a time: a word without a newline or a UTF-8 continuation byte
// (most of a manifest) costs a handful of instructions. Callers convert byte
// offsets to positions with this only when a position is wanted, so the parsers
// need not count lines and columns per character.
Position Advance(Position p, std::string_view bytes) {
  const char* s = bytes.data();
  size_t n = bytes.size();
  size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    const uint64_t continuation = w & ~(w << 1) & kHighBits;  // bytes 10xxxxxx
    const uint64_t newline = ZeroBytes(w ^ kNewlines);
    if (newline == 0) {
      p.column += 8 - (continuation ? Popcount(continuation) : 0);
      continue;
    }
    for (uint64_t m = newline; m != 0; m &= m - 1) ++p.line;
    const int last = (63 - __builtin_clzll(newline)) >> 3;  // byte index of the last newline
    const uint64_t after = last == 7 ? 0 : continuation >> (8 * (last + 1));
    p.column = 1 + static_cast<uint32_t>(7 - last) - (after ? Popcount(after) : 0);
  }
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

Position OffsetToPosition(std::string_view bytes, size_t offset) {
  return Advance(Position{1, 1}, bytes.substr(0, std::min(offset, bytes.size())));
}

std::string InvalidTextMessage(char byte, uint64_t offset) {
  return byte == '\0' ? "binary file: NUL byte at offset " + std::to_string(offset) +
                            " (manifests must be UTF-8 text)"
                      : "not UTF-8 text: invalid byte at offset " + std::to_string(offset);
}

bool IsListKind(std::string_view kind) {
  return kind.size() >= 4 && kind.substr(kind.size() - 4) == "List";
}

Limits Effective(const Limits& limits) {
  Limits l = limits;
  l.max_depth = std::clamp(l.max_depth, 1, kMaxDepthCap);
  return l;
}

Diagnostic MakeError(std::string_view source, Position p, std::string message) {
  Diagnostic e;
  e.source = std::string(source);
  e.line = static_cast<int>(p.line);
  // A positioned manifest error always names a column (the first one when unknown).
  e.column = p.line > 0 ? std::max(1, static_cast<int>(p.column)) : 0;
  e.message = std::move(message);
  return e;
}

bool PrepareText(std::string_view* bytes, std::string_view source, const Limits& limits,
                 LoadResult* out, bool* ascii) {
  if (bytes->size() > limits.max_file_bytes) {
    out->errors.push_back(MakeError(
        source, Position{}, "file is " + std::to_string(bytes->size()) + " bytes, over the limit of " +
                                std::to_string(limits.max_file_bytes) + " bytes"));
    return false;
  }
  if (bytes->size() >= 3 && std::memcmp(bytes->data(), "\xEF\xBB\xBF", 3) == 0) {
    bytes->remove_prefix(3);
  }
  size_t bad = FindInvalidText(*bytes, /*allow_nul=*/false, ascii);
  if (bad != std::string_view::npos) {
    out->errors.push_back(
        MakeError(source, OffsetToPosition(*bytes, bad), InvalidTextMessage((*bytes)[bad], bad)));
    return false;
  }
  return true;
}

int FindDuplicate(const std::vector<std::string_view>& names,
                  std::vector<std::pair<std::string_view, int>>* scratch) {
  const int n = static_cast<int>(names.size());
  if (n <= 16) {
    for (int i = 1; i < n; ++i) {
      for (int j = 0; j < i; ++j) {
        if (names[j] == names[i]) return i;
      }
    }
    return -1;
  }
  scratch->clear();
  for (int i = 0; i < n; ++i) scratch->emplace_back(names[i], i);
  std::sort(scratch->begin(), scratch->end());
  int first = -1;
  for (size_t i = 1; i < scratch->size(); ++i) {
    if ((*scratch)[i].first == (*scratch)[i - 1].first) {
      // Sorted by (name, index): [i] is a later occurrence.
      if (first < 0 || (*scratch)[i].second < first) first = (*scratch)[i].second;
    }
  }
  return first;
}

void Queue::Push(Resource r) {
  items_.emplace_back();
  items_.back().resource = std::move(r);
}

void Queue::Push(Diagnostic e) {
  items_.emplace_back();
  items_.back().is_error = true;
  items_.back().error = std::move(e);
}

void Queue::PushNotObject(Diagnostic e) {
  Push(std::move(e));
  items_.back().not_object = true;
}

ReadItem Queue::Pop(Resource* resource, Diagnostic* error, bool* not_object) {
  if (items_.empty()) return ReadItem::kEnd;
  Item& item = items_.front();
  ReadItem kind = item.is_error ? ReadItem::kError : ReadItem::kResource;
  if (not_object) *not_object = item.not_object;
  if (item.is_error) {
    *error = std::move(item.error);
  } else {
    *resource = std::move(item.resource);
  }
  items_.pop_front();
  return kind;
}

void Queue::DrainInto(LoadResult* out) {
  for (Item& item : items_) {
    if (item.is_error) {
      out->errors.push_back(std::move(item.error));
      out->not_objects += item.not_object;
    } else {
      out->resources.push_back(std::move(item.resource));
    }
  }
  items_.clear();
}

namespace {

using Value = aimsgate::JsonValue;

// Pairs every node of a finished document with its entry (pre-order, member name
// before its value), checks duplicate keys.
class Walker {
 public:
  // Every node goes to *positions when all_positions; the root, its members and
  // a List's items (depth <= 2) also go to *top, which resources are placed from.
  Walker(const std::vector<Entry>& entries, bool all_positions,
         std::vector<PositionEntry>* positions, std::vector<PositionEntry>* top)
      : entries_(entries), all_(all_positions), positions_(positions), top_(top) {}

  bool Walk(const Value& root) {
    Visit(root, 0);
    if (!failed_ && cursor_ != entries_.size()) {
      failed_ = true;
      error_ = "internal error: position table out of step with the document";
    }
    return !failed_;
  }
  const std::string& error() const { return error_; }
  Position error_position() const { return error_pos_; }

 private:
  void Record(const Value* v, Position p, int depth) {
    // Without record_field_lines keep only what resources need: the root, its
    // members and a List's items.
    if (all_) positions_->emplace_back(v, p);
    if (depth <= 2) top_->emplace_back(v, p);
  }

  bool Next(Entry* e) {
    if (cursor_ >= entries_.size()) {
      failed_ = true;
      error_ = "internal error: position table shorter than the document";
      return false;
    }
    *e = entries_[cursor_++];
    return true;
  }

  void RecordWhole(const Value& v, Position p, int depth) {
    if (!all_) return;
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        Record(&m.name, p, depth + 1);
        Record(&m.value, p, depth + 1);
        RecordWhole(m.value, p, depth + 1);
      }
    } else if (v.IsArray()) {
      for (const Value& x : v.GetArray()) {
        Record(&x, p, depth + 1);
        RecordWhole(x, p, depth + 1);
      }
    }
  }

  // Index of the first member whose name repeats an earlier one, or -1.
  int FindDuplicateMember(const Value& obj) {
    names_.clear();
    for (const auto& m : obj.GetObject()) names_.emplace_back(m.name.GetString(), m.name.GetStringLength());
    return FindDuplicate(names_, &scratch_);
  }

  void Visit(const Value& v, int depth) {
    Entry e;
    if (!Next(&e)) return;
    Position p{e.line, e.column};
    Record(&v, p, depth);
    if (e.whole) {
      RecordWhole(v, p, depth);
      return;
    }
    if (v.IsObject()) {
      int dup = FindDuplicateMember(v);
      int i = 0;
      for (const auto& m : v.GetObject()) {
        Entry ke;
        if (!Next(&ke)) return;
        Position kp{ke.line, ke.column};
        Record(&m.name, kp, depth + 1);
        if (i == dup) {
          failed_ = true;
          error_pos_ = kp;
          error_ = "duplicate key \"" + std::string(m.name.GetString(), m.name.GetStringLength()) +
                   "\" in mapping";
          return;
        }
        Visit(m.value, depth + 1);
        if (failed_) return;
        ++i;
      }
    } else if (v.IsArray()) {
      for (const Value& x : v.GetArray()) {
        Visit(x, depth + 1);
        if (failed_) return;
      }
    }
  }

  const std::vector<Entry>& entries_;
  bool all_;
  std::vector<PositionEntry>* positions_;
  std::vector<PositionEntry>* top_;
  std::vector<std::string_view> names_;
  std::vector<std::pair<std::string_view, int>> scratch_;
  size_t cursor_ = 0;
  bool failed_ = false;
  std::string error_;
  Position error_pos_;
};

// Empty when `v` is a Kubernetes object, else why not.
std::string NotAnObject(const Value& v) {
  if (!v.IsObject()) {
    const char* what = v.IsArray() ? "a sequence" : "a scalar";
    return std::string("document is not a Kubernetes object (no kind): it is ") + what;
  }
  auto kind = v.FindMember("kind");
  if (kind == v.MemberEnd() || !kind->value.IsString() || kind->value.GetStringLength() == 0) {
    return "document is not a Kubernetes object (no kind)";
  }
  auto api = v.FindMember("apiVersion");
  if (api == v.MemberEnd() || !api->value.IsString() || api->value.GetStringLength() == 0) {
    return "document is not a Kubernetes object (no apiVersion)";
  }
  return "";
}

}  // namespace

namespace {

// Walks `doc` (positions, duplicate keys); fills *top (the root, its members and
// a List's items, sorted by address). False with *error on a duplicate key.
bool IndexDocument(LoadedDocument* doc, const std::vector<Entry>& entries, std::string_view source,
                   const Limits& limits, std::vector<PositionEntry>* top, Diagnostic* error) {
  doc->positions.reserve(limits.record_field_lines ? entries.size() : 0);
  Walker walker(entries, limits.record_field_lines, &doc->positions, top);
  if (!walker.Walk(doc->doc)) {
    *error = MakeError(source, walker.error_position(), walker.error());
    return false;
  }
  SortByAddress(top);
  if (!limits.record_field_lines) doc->positions = *top;  // FieldLine knows the objects only
  return true;
}

Resource MakeResource(const std::shared_ptr<LoadedDocument>& doc, const std::vector<PositionEntry>& top,
                      const Value* obj, int document_index, int item, std::string_view source) {
  Resource r;
  r.object = obj;
  r.owner = doc;
  r.source = std::string(source);
  Position p = FindSorted(top, obj);
  r.line = static_cast<int>(p.line);
  r.column = static_cast<int>(p.column);
  r.document_index = document_index;
  r.item_index = item;
  return r;
}

}  // namespace

void FinishDocument(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries,
                    int document_index, std::string_view source, const Limits& limits, Queue* out) {
  const Value& root = doc->doc;
  if (root.IsNull()) return;  // empty document: a stray `---`, only comments
  std::vector<PositionEntry> top;
  Diagnostic error;
  if (!IndexDocument(doc.get(), entries, source, limits, &top, &error)) {
    out->Push(std::move(error));
    return;
  }
  std::string why = NotAnObject(root);
  if (!why.empty()) {
    out->PushNotObject(MakeError(source, FindSorted(top, &root), std::move(why)));
    return;
  }
  const Value& kind = root["kind"];
  auto items = root.FindMember("items");
  if (IsListKind(std::string_view(kind.GetString(), kind.GetStringLength())) &&
      items != root.MemberEnd() && items->value.IsArray()) {
    int i = 0;
    for (const Value& item : items->value.GetArray()) {
      std::string item_why = NotAnObject(item);
      if (item_why.empty()) {
        out->Push(MakeResource(doc, top, &item, document_index, i, source));
      } else {
        out->Push(MakeError(source, FindSorted(top, &item), "List item " + std::to_string(i) + ": " + item_why));
      }
      ++i;
    }
    return;
  }
  out->Push(MakeResource(doc, top, &root, document_index, -1, source));
}

void FinishItem(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries,
                int document_index, int item_index, std::string_view what, std::string_view source,
                const Limits& limits, Queue* out) {
  std::vector<PositionEntry> top;
  Diagnostic error;
  if (!IndexDocument(doc.get(), entries, source, limits, &top, &error)) {
    out->Push(std::move(error));
    return;
  }
  const Value& root = doc->doc;
  std::string why = NotAnObject(root);
  if (!why.empty()) {
    out->Push(MakeError(source, FindSorted(top, &root), std::string(what) + why));
    return;
  }
  out->Push(MakeResource(doc, top, &root, document_index, item_index, source));
}

std::string WhyNotAnObject(const aimsgate::JsonValue& v) { return NotAnObject(v); }

bool CheckDocument(LoadedDocument* doc, const std::vector<Entry>& entries, std::string_view source,
                   const Limits& limits, Diagnostic* error) {
  std::vector<PositionEntry> top;
  bool ok = IndexDocument(doc, entries, source, limits, &top, error);
  doc->positions.clear();
  return ok;
}

}  // namespace internal
}  // namespace aimsgate::manifest
