// LoadJson's path for a whole file in memory that holds only what it should: one
// RapidJSON pass per top-level value straight over the bytes, and nothing after
// it: the handler builds the DOM itself (as rapidjson::Document does), turns each
// token's byte offset into line:column in one forward sweep as it comes, pairs
// each node with its final address when its container closes and checks that
// container's member names for duplicates there. Anything else (a syntax error, a budget, a
// duplicate key, a value that is not a Kubernetes object, a lone surrogate
// escape...) makes it give up, and LoadJson runs the general reader
// (json_loader.cc), whose output is the reference: this path only ever returns
// what that reader would (tests/manifest/json_fast_test.cc compares them).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/document.h>
#include <rapidjson/internal/stack.h>
#include <rapidjson/reader.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest::internal {
namespace {

// Recursive RapidJSON: faster than the iterative reader, and as deep as
// max_depth + 1 at most (the handler refuses a container past it). Deeper
// settings take the general (iterative) reader rather than the thread's stack.
constexpr unsigned kFastFlags = rapidjson::kParseStopWhenDoneFlag;
constexpr int kFastMaxDepth = 256;

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A RapidJSON input stream over the text. SkipBlanks (RapidJSON's SkipWhitespace
// hook, run before every token) notes where the next token starts.
class MemoryStream {
 public:
  typedef char Ch;
  MemoryStream(const char* begin, const char* end) : begin_(begin), cur_(begin), end_(end), token_(begin) {}

  Ch Peek() const { return cur_ != end_ ? *cur_ : '\0'; }
  Ch Take() { return cur_ != end_ ? *cur_++ : '\0'; }
  size_t Tell() const { return static_cast<size_t>(cur_ - begin_); }
  // Unused (no in-situ parsing); required by the stream concept.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

  void SkipBlanks() {
    const char* p = cur_;
    // Most tokens follow the last one directly (compact JSON): one test.
    if (p != end_ && static_cast<unsigned char>(*p) > ' ') {
      token_ = p;
      return;
    }
    while (p != end_ && IsJsonSpace(*p)) ++p;
    cur_ = token_ = p;
  }
  uint32_t token() const { return static_cast<uint32_t>(token_ - begin_); }

  // The bytes from the next one up to (not including) the first quote, backslash
  // or control character: what a string holds before anything to decode.
  size_t PlainRun() const {
    const char* p = cur_;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    for (; end_ - p >= 16; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                        _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
      const int mask = _mm_movemask_epi8(stop);
      if (mask != 0) return static_cast<size_t>(p - cur_) + static_cast<size_t>(__builtin_ctz(mask));
    }
#endif
    for (; p != end_; ++p) {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20) break;
    }
    return static_cast<size_t>(p - cur_);
  }
  const char* cur() const { return cur_; }
  const char* end() const { return end_; }
  void Skip(size_t n) { cur_ += n; }

 private:
  const char* begin_;
  const char* cur_;
  const char* end_;
  const char* token_;
};


// A tag: rapidjson::GenericDocument specialised on it (below) reaches the raw
// setters GenericDocument itself builds its DOM with.
struct RawBuild {};

}  // namespace
}  // namespace aimsgate::manifest::internal

namespace rapidjson {
// GenericValue's SetObjectRaw / SetArrayRaw (a container from the members or
// elements on a parse stack: one allocation, one memcpy) are private to
// GenericDocument, which every GenericValue befriends in all its
// specialisations; this one only hands them on, so that the fast path builds
// exactly the DOM Document's own SAX handler (the general reader's) builds.
template <>
class GenericDocument<UTF8<>, aimsgate::JsonPool, aimsgate::manifest::internal::RawBuild> {
  using Value = aimsgate::JsonValue;

 public:
  static void SetObject(Value* v, Value::Member* members, SizeType n, aimsgate::JsonPool& pool) {
    v->SetObjectRaw(members, n, pool);
  }
  static void SetArray(Value* v, Value* elements, SizeType n, aimsgate::JsonPool& pool) {
    v->SetArrayRaw(elements, n, pool);
  }
#if defined(__SSE2__) && RAPIDJSON_48BITPOINTER_OPTIMIZATION && RAPIDJSON_ENDIAN == RAPIDJSON_LITTLEENDIAN
  static constexpr SizeType kShortMax = Value::ShortString::MaxSize;
  // *v (a null value) into the string of the n <= kShortMax bytes at s, held
  // inline, byte for byte as GenericValue(s, n, allocator) makes it, without its
  // memcpy call: the bytes, zeros, the length byte, the flags. The 16 bytes from
  // s must be readable.
  static void SetShortString(Value* v, const char* s, SizeType n, aimsgate::JsonPool&) {
    static_assert(sizeof(v->data_) == 16 && Value::ShortString::MaxChars == 14 &&
                      Value::ShortString::LenPos == 13 && offsetof(Value::Flag, flags) == 14,
                  "the inline string layout this writes");
    const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i b = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)),
                              _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(n)), iota));
    b = _mm_or_si128(b, _mm_slli_si128(_mm_cvtsi32_si128(static_cast<int>(kShortMax - n)), 13));
    b = _mm_insert_epi16(b, Value::kShortStringFlag, 7);
    std::memcpy(static_cast<void*>(&v->data_), &b, sizeof(b));
  }
  // *v (a null value) into a copy of the kShortMax < n <= 32 bytes at s, in
  // `pool`, as GenericValue(s, n, allocator) makes it (the same allocation),
  // the bytes copied in two overlapping moves rather than by a memcpy call.
  static void SetMediumString(Value* v, const char* s, SizeType n, aimsgate::JsonPool& pool) {
    char* str = static_cast<char*>(pool.Malloc(n + 1));
    if (n >= 16) {
      const __m128i head = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
      const __m128i tail = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(str), head);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(str + n - 16), tail);
    } else {
      uint64_t head, tail;
      std::memcpy(&head, s, 8);
      std::memcpy(&tail, s + n - 8, 8);
      std::memcpy(str, &head, 8);
      std::memcpy(str + n - 8, &tail, 8);
    }
    str[n] = '\0';
    v->data_.f.flags = Value::kCopyStringFlag;
    v->data_.s.length = n;
    v->SetStringPointer(str);
  }
#else
  static constexpr SizeType kShortMax = 0;
  static void SetShortString(Value* v, const char* s, SizeType n, aimsgate::JsonPool& pool) {
    new (v) Value(s, n, pool);
  }
  static void SetMediumString(Value* v, const char* s, SizeType n, aimsgate::JsonPool& pool) {
    new (v) Value(s, n, pool);
  }
#endif
};
}  // namespace rapidjson

namespace aimsgate::manifest::internal {
namespace {

using rapidjson::SizeType;
using Value = aimsgate::JsonValue;
using Member = Value::Member;
using PositionEntry = std::pair<const Value*, Position>;
using RawSetter = rapidjson::GenericDocument<rapidjson::UTF8<>, aimsgate::JsonPool, RawBuild>;

// Positions of offsets that only go forward. In ASCII text a column is a
// subtraction from the start of the line, and lines are found with memchr;
// otherwise Advance counts the characters in between.
class PositionSweep {
 public:
  PositionSweep(std::string_view text, bool ascii) : text_(text), ascii_(ascii) { FindLineEnd(); }

  Position At(uint32_t offset) {
    if (!ascii_) {
      pos_ = Advance(pos_, text_.substr(at_, offset - at_));
      at_ = offset;
      return pos_;
    }
    while (offset > line_end_) {
      ++pos_.line;
      line_start_ = line_end_ + 1;
      FindLineEnd();
    }
    pos_.column = offset - line_start_ + 1;
    return pos_;
  }

 private:
  void FindLineEnd() {
    const void* nl = line_start_ < text_.size()
                         ? std::memchr(text_.data() + line_start_, '\n', text_.size() - line_start_)
                         : nullptr;
    line_end_ = nl != nullptr ? static_cast<uint32_t>(static_cast<const char*>(nl) - text_.data())
                              : static_cast<uint32_t>(text_.size());
  }

  std::string_view text_;
  bool ascii_;
  Position pos_{1, 1};
  uint32_t at_ = 0;          // non-ASCII: the offset pos_ is at
  uint32_t line_start_ = 0;  // ASCII: the current line
  uint32_t line_end_ = 0;    // its '\n' (or the end of the text)
};

// A member name's length (its low 16 bits), first and last byte: names that
// differ mostly differ in these, which Builder notes as each name comes.
inline uint32_t NameKey(const char* s, SizeType n) {
  return n == 0 ? 0
                : (n & 0xFFFFu) << 16 | uint32_t{static_cast<unsigned char>(s[0])} << 8 |
                      static_cast<unsigned char>(s[n - 1]);
}

// True when some member name of the n members repeats an earlier one. `meta`:
// Builder's for the members (name, value, name...), a name's NameKey in the high half.
bool HasDuplicateName(const Member* members, const uint64_t* meta, SizeType n, std::vector<std::string_view>* names,
                      std::vector<std::pair<std::string_view, int>>* scratch) {
  if (n < 2) return false;
  if (n <= 16) {
    for (SizeType i = 1; i < n; ++i) {
      const uint32_t key = static_cast<uint32_t>(meta[2 * i] >> 32);
      for (SizeType j = 0; j < i; ++j) {
        if (static_cast<uint32_t>(meta[2 * j] >> 32) == key && members[i].name == members[j].name) return true;
      }
    }
    return false;
  }
  names->clear();
  for (SizeType i = 0; i < n; ++i) names->emplace_back(members[i].name.GetString(), members[i].name.GetStringLength());
  return FindDuplicate(*names, scratch) >= 0;
}

constexpr uint32_t kUnrecorded = 0xFFFFFFFFu;

// A growable array of T, appended to inline (std::vector's
// push_back and emplace_back were calls here, one per node).
template <typename T>
class Buffer {
 public:
  size_t size() const { return static_cast<size_t>(end_ - data_.get()); }
  T* data() { return data_.get(); }
  T* begin() { return data_.get(); }
  T* end() { return end_; }
  T& operator[](size_t i) { return data_.get()[i]; }
  void clear() { end_ = data_.get(); }
  void resize_down(size_t n) { end_ = data_.get() + n; }
  void push_back(const T& x) {
    if (RAPIDJSON_UNLIKELY(end_ == cap_)) Grow();
    new (end_++) T(x);
  }
  void reserve(size_t n) {
    if (n > static_cast<size_t>(cap_ - data_.get())) Reallocate(n);
  }

 private:
  void Grow() { Reallocate(2 * static_cast<size_t>(cap_ - data_.get()) + 64); }
  void Reallocate(size_t capacity) {
    const size_t n = size();
    std::unique_ptr<T, Free> bigger(static_cast<T*>(std::malloc(capacity * sizeof(T))));
    if (bigger == nullptr) throw std::bad_alloc();
    std::uninitialized_copy(data_.get(), end_, bigger.get());
    data_ = std::move(bigger);
    end_ = data_.get() + n;
    cap_ = data_.get() + capacity;
  }
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  static_assert(std::is_trivially_destructible_v<T>);

  std::unique_ptr<T, Free> data_;
  T* end_ = nullptr;
  T* cap_ = nullptr;
};

// What the loader keeps from one document to the next (no allocation per document).
struct Scratch {
  // The values being built, as on rapidjson::Document's parse stack: an open
  // container's members (name, value, name...) or elements above it.
  rapidjson::internal::Stack<aimsgate::JsonCrtAllocator> values{nullptr, 4096};
  // One per value on `values`: its entry in `positions` (or kUnrecorded) in the
  // low half, a member name's NameKey in the high half.
  Buffer<uint64_t> slots;
  // The document's positions in pre-order (member names before their values);
  // each node's address is filled in when its container closes (the root's at the end).
  Buffer<PositionEntry> positions;
  // The positions of a top-level `items` array's elements, in order.
  std::vector<Position> items;
  std::vector<std::string_view> names;
  std::vector<std::pair<std::string_view, int>> duplicates;
};

// Builds a document from RapidJSON's events as rapidjson::Document does, and
// along the way does what the general reader's FinishDocument does after it:
// positions (each node's, as its token comes, in one forward sweep; without
// record_field_lines only those FinishDocument keeps: the root, its members and
// theirs), duplicate keys (each object's, when it closes), the limits.
class Builder {
 public:
  Builder(Scratch* scratch, aimsgate::JsonPool* pool, const MemoryStream* stream, PositionSweep* sweep,
          const Limits& limits, int depth)
      : s_(scratch), pool_(pool), stream_(stream), sweep_(sweep), all_(limits.record_field_lines),
        max_nodes_(limits.max_nodes), max_string_bytes_(limits.max_string_bytes), max_depth_(limits.max_depth),
        depth_(depth) {}

  bool Null() { return Node() && (new (Push()) Value(), true); }
  bool Bool(bool b) { return Node() && (new (Push()) Value(b), true); }
  bool Int(int i) { return Node() && (new (Push()) Value(i), true); }
  bool Uint(unsigned u) { return Node() && (new (Push()) Value(u), true); }
  bool Int64(int64_t i) { return Node() && (new (Push()) Value(i), true); }
  bool Uint64(uint64_t u) { return Node() && (new (Push()) Value(u), true); }
  bool Double(double d) { return Node() && (new (Push()) Value(d), true); }
  bool RawNumber(const char*, SizeType, bool) { return false; }  // not asked for
  bool String(const char* s, SizeType n, bool) {
    return Node() && n <= max_string_bytes_ && (new (Push()) Value(s, n, *pool_), true);
  }
  bool Key(const char* s, SizeType n, bool) {
    return Node(uint64_t{NameKey(s, n)} << 32) && n <= max_string_bytes_ && (new (Push()) Value(s, n, *pool_), true);
  }
  // A string without escapes, straight from the text; `wide`: the 16 bytes from s are readable.
  bool Plain(const char* s, SizeType n, bool key, bool wide) {
    if (!Node(key ? uint64_t{NameKey(s, n)} << 32 : 0) || n > max_string_bytes_) return false;
    Value* v = new (Push()) Value();
    if (n <= RawSetter::kShortMax) {
      if (wide) {
        RawSetter::SetShortString(v, s, n, *pool_);
      } else {
        new (v) Value(s, n, *pool_);
      }
    } else if (n <= 32) {
      RawSetter::SetMediumString(v, s, n, *pool_);
    } else {
      new (v) Value(s, n, *pool_);
    }
    return true;
  }
  bool StartObject() {
    if (!Node() || ++depth_ > max_depth_) return false;
    new (Push()) Value(rapidjson::kObjectType);
    ++level_;
    return true;
  }
  bool EndObject(SizeType n) {
    --depth_;
    --level_;
    Member* members = s_->values.Pop<Member>(n);
    const size_t base = s_->slots.size() - 2 * size_t{n};
    const uint64_t* slot = s_->slots.data() + base;
    if (HasDuplicateName(members, slot, n, &s_->names, &s_->duplicates)) return false;
    Value* obj = s_->values.Top<Value>();
    RawSetter::SetObject(obj, members, n, *pool_);
    if (n != 0 && Recorded(level_ + 1)) {  // then every member has its entry
      const Member* m = &*obj->MemberBegin();
      PositionEntry* positions = s_->positions.data();
      for (SizeType i = 0; i < n; ++i) {
        positions[static_cast<uint32_t>(slot[2 * i])].first = &m[i].name;
        positions[static_cast<uint32_t>(slot[2 * i + 1])].first = &m[i].value;
      }
    }
    s_->slots.resize_down(base);
    return true;
  }
  bool StartArray() {
    if (!Node() || ++depth_ > max_depth_) return false;
    new (Push()) Value(rapidjson::kArrayType);
    ++level_;
    return true;
  }
  bool EndArray(SizeType n) {
    --depth_;
    --level_;
    Value* elements = s_->values.Pop<Value>(n);
    Value* arr = s_->values.Top<Value>();
    RawSetter::SetArray(arr, elements, n, *pool_);
    const size_t base = s_->slots.size() - n;
    if (n != 0 && Recorded(level_ + 1)) {  // then every element has its entry
      const Value* e = arr->Begin();
      const uint64_t* slot = s_->slots.data() + base;
      PositionEntry* positions = s_->positions.data();
      for (SizeType i = 0; i < n; ++i) positions[static_cast<uint32_t>(slot[i])].first = &e[i];
      // A member of the root (always an object) named `items`: its name is just below it.
      if (level_ == 1 && IsItems(arr[-1])) {
        s_->items.clear();
        for (SizeType i = 0; i < n; ++i) s_->items.push_back(positions[static_cast<uint32_t>(slot[i])].second);
      }
    }
    s_->slots.resize_down(base);
    return true;
  }

 private:
  bool Recorded(int level) const { return all_ || level <= 2; }
  static bool IsItems(const Value& name) {
    return name.GetStringLength() == 5 && std::memcmp(name.GetString(), "items", 5) == 0;
  }
  Value* Push() { return s_->values.Push<Value>(); }
  // Every value and member name, in pre-order, before it is pushed.
  // `key`: a member name's NameKey, high half.
  __attribute__((always_inline)) bool Node(uint64_t key = 0) {
    if (++nodes_ > max_nodes_) return false;
    uint32_t slot = kUnrecorded;
    if (Recorded(level_)) {
      slot = static_cast<uint32_t>(s_->positions.size());
      s_->positions.push_back(PositionEntry(nullptr, sweep_->At(stream_->token())));
    }
    s_->slots.push_back(key | slot);
    return true;
  }

  Scratch* s_;
  aimsgate::JsonPool* pool_;
  const MemoryStream* stream_;
  PositionSweep* sweep_;
  bool all_;
  size_t max_nodes_;
  size_t max_string_bytes_;
  int max_depth_;
  int depth_;      // for max_depth: from 1 for an element of a top-level array
  int level_ = 0;  // the open containers: the root's members are at level 1
  size_t nodes_ = 0;
};

}  // namespace
}  // namespace aimsgate::manifest::internal

// RapidJSON's hooks for MemoryStream (see json_loader.cc for JsonStream's): the
// blanks before every token, where its offset is noted; a string without
// escapes handed to the handler straight from the text; the plain bytes of a
// string with escapes copied in runs. A string with escapes is checked for lone
// surrogates (\uDC00 decodes to bytes that are not UTF-8), which stop the parse.
namespace rapidjson {
template <>
inline void SkipWhitespace(aimsgate::manifest::internal::MemoryStream& is) {
  is.SkipBlanks();
}

template <>
template <>
inline void aimsgate::JsonReader::ScanCopyUnescapedString(aimsgate::manifest::internal::MemoryStream& is,
                                            aimsgate::JsonReader::StackStream<char>& os) {
  const size_t run = is.PlainRun();
  if (run == 0) return;
  std::memcpy(os.Push(static_cast<SizeType>(run)), is.cur(), run);
  is.Skip(run);
}

template <>
template <>
inline void aimsgate::JsonReader::ParseString<aimsgate::manifest::internal::kFastFlags,
                                aimsgate::manifest::internal::MemoryStream,
                                aimsgate::manifest::internal::Builder>(
    aimsgate::manifest::internal::MemoryStream& is, aimsgate::manifest::internal::Builder& handler,
    bool isKey) {
  is.Take();  // the opening quote
  const char* start = is.cur();
  const size_t run = is.PlainRun();
  bool success;
  if (start + run != is.end() && start[run] == '"') {
    is.Skip(run + 1);
    const SizeType length = static_cast<SizeType>(run);
    success = handler.Plain(start, length, isKey, is.end() - start >= 16);
  } else {
    StackStream<char> stackStream(stack_);
    ParseStringToStream<aimsgate::manifest::internal::kFastFlags, UTF8<>, UTF8<>>(is, stackStream);
    RAPIDJSON_PARSE_ERROR_EARLY_RETURN_VOID;
    const SizeType length = static_cast<SizeType>(stackStream.Length()) - 1;
    const char* const str = stackStream.Pop();
    success = aimsgate::manifest::internal::FindInvalidText(std::string_view(str, length), /*allow_nul=*/true) ==
                  std::string_view::npos &&
              (isKey ? handler.Key(str, length, true) : handler.String(str, length, true));
  }
  if (RAPIDJSON_UNLIKELY(!success)) RAPIDJSON_PARSE_ERROR(kParseErrorTermination, is.Tell());
}
}  // namespace rapidjson

namespace aimsgate::manifest::internal {
namespace {

class FastLoader {
 public:
  FastLoader(std::string_view text, bool ascii, std::string_view source, const Limits& limits)
      : text_(text), stream_(text.data(), text.data() + text.size()), sweep_(text, ascii), source_(source),
        limits_(limits) {}

  bool Run(LoadResult* out) {
    size_t documents = 0;
    for (;;) {
      stream_.SkipBlanks();
      const char c = stream_.Peek();
      if (c == '\0') return true;
      if (documents >= limits_.max_documents) return false;
      const int document_index = static_cast<int>(documents++);
      if (c == '{') {
        if (!Object(document_index, -1, 0, out)) return false;
      } else if (c == '[') {
        if (!Array(document_index, out)) return false;
      } else {
        return false;
      }
    }
  }

 private:
  // The elements of a top-level array, each a document of its own.
  bool Array(int document_index, LoadResult* out) {
    stream_.Take();
    for (int i = 0;; ++i) {
      stream_.SkipBlanks();
      char c = stream_.Peek();
      if (c == ']') {
        stream_.Take();
        return i > 0;  // [] is an error (not a manifest)
      }
      if (i > 0) {
        if (c != ',') return false;
        stream_.Take();
        stream_.SkipBlanks();
        c = stream_.Peek();
      }
      if (c != '{') return false;  // an element that is not an object is an error
      if (!Object(document_index, i, 1, out)) return false;
    }
  }

  // One object (a top-level value when item < 0, else an array element) into a
  // document of its own, and what FinishDocument / FinishItem make of it.
  bool Object(int document_index, int item, int depth, LoadResult* out) {
    auto doc = std::make_shared<LoadedDocument>();
    Scratch& s = scratch_;
    s.values.Clear();
    s.slots.clear();
    s.positions.clear();
    s.items.clear();
    if (!reserved_) {  // a manifest has a node per 8-12 bytes
      reserved_ = true;
      const size_t nodes = std::min(text_.size(), size_t{1} << 20) / 8 + 16;
      s.slots.reserve(nodes);
      s.positions.reserve(limits_.record_field_lines ? nodes : 64);
    }
    Builder builder(&s, &doc->pool, &stream_, &sweep_, limits_, depth);
    if (reader_.Parse<kFastFlags>(stream_, builder).IsError()) return false;
    // The root, alone on the stack; its entry is the first.
    static_cast<Value&>(doc->doc) = *s.values.Pop<Value>(1);
    const Value& root = doc->doc;
    s.positions[0].first = &root;
    const Position root_pos = s.positions[0].second;
    doc->positions.assign(s.positions.begin(), s.positions.end());
    if (!WhyNotAnObject(root).empty()) return false;
    if (item < 0) {
      const Value& kind = root["kind"];
      auto items = root.FindMember("items");
      if (IsListKind(std::string_view(kind.GetString(), kind.GetStringLength())) && items != root.MemberEnd() &&
          items->value.IsArray()) {
        const Value& list = items->value;
        for (const Value& x : list.GetArray()) {
          if (!WhyNotAnObject(x).empty()) return false;
        }
        if (s.items.size() != list.Size()) return false;
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
          out->resources.push_back(MakeResource(doc, &list[i], s.items[i], document_index, static_cast<int>(i)));
        }
        return true;
      }
    }
    out->resources.push_back(MakeResource(doc, &root, root_pos, document_index, item));
    return true;
  }

  Resource MakeResource(const std::shared_ptr<LoadedDocument>& doc, const Value* obj, Position p, int document_index,
                        int item) const {
    Resource r;
    r.object = obj;
    r.owner = doc;
    r.source = std::string(source_);
    r.line = static_cast<int>(p.line);
    r.column = static_cast<int>(p.column);
    r.document_index = document_index;
    r.item_index = item;
    return r;
  }

  std::string_view text_;
  MemoryStream stream_;
  PositionSweep sweep_;
  std::string_view source_;
  const Limits& limits_;
  aimsgate::JsonReader reader_;
  Scratch scratch_;
  bool reserved_ = false;
};

}  // namespace

bool LoadJsonFast(std::string_view text, bool ascii, std::string_view source, const Limits& limits,
                  LoadResult* out) {
  if (text.size() >= 0xFFFFFFFFull || limits.max_depth > kFastMaxDepth) return false;
  LoadResult result;
  FastLoader loader(text, ascii, source, limits);
  if (!loader.Run(&result)) return false;
  *out = std::move(result);
  return true;
}

}  // namespace aimsgate::manifest::internal
