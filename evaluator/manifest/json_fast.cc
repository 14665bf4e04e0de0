// LoadJson's path for a whole file in memory that holds only what it should: one
// RapidJSON pass per top-level value straight over the bytes, positions noted as
// byte offsets and turned into line:column in one forward sweep, duplicate keys
// checked on the finished DOM. Anything else (a syntax error, a budget, a
// duplicate key, a value that is not a Kubernetes object, a lone surrogate
// escape...) makes it give up, and LoadJson runs the general reader
// (json_loader.cc), whose output is the reference: this path only ever returns
// what that reader would (tests/manifest/json_fast_test.cc compares them).
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/reader.h>

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

// Builds a document from RapidJSON's events, noting each node's offset in
// pre-order (member names before their values) and enforcing the limits.
class FastSax {
 public:
  FastSax(rapidjson::Document* doc, const MemoryStream* stream, std::vector<uint32_t>* offsets,
          const Limits& limits, int depth)
      : doc_(doc), stream_(stream), offsets_(offsets), max_nodes_(limits.max_nodes),
        max_string_bytes_(limits.max_string_bytes), max_depth_(limits.max_depth), depth_(depth) {}

  bool Null() { return Node() && doc_->Null(); }
  bool Bool(bool b) { return Node() && doc_->Bool(b); }
  bool Int(int i) { return Node() && doc_->Int(i); }
  bool Uint(unsigned u) { return Node() && doc_->Uint(u); }
  bool Int64(int64_t i) { return Node() && doc_->Int64(i); }
  bool Uint64(uint64_t u) { return Node() && doc_->Uint64(u); }
  bool Double(double d) { return Node() && doc_->Double(d); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }  // not asked for
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return Node() && n <= max_string_bytes_ && doc_->String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return Node() && n <= max_string_bytes_ && doc_->String(s, n, copy);
  }
  bool StartObject() { return Node() && ++depth_ <= max_depth_ && doc_->StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndObject(n);
  }
  bool StartArray() { return Node() && ++depth_ <= max_depth_ && doc_->StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndArray(n);
  }

 private:
  bool Node() {
    offsets_->push_back(stream_->token());
    return offsets_->size() <= max_nodes_;
  }

  rapidjson::Document* doc_;
  const MemoryStream* stream_;
  std::vector<uint32_t>* offsets_;
  size_t max_nodes_;
  size_t max_string_bytes_;
  int max_depth_;
  int depth_;
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
inline void Reader::ScanCopyUnescapedString(aimsgate::manifest::internal::MemoryStream& is,
                                            Reader::StackStream<char>& os) {
  const size_t run = is.PlainRun();
  if (run == 0) return;
  std::memcpy(os.Push(static_cast<SizeType>(run)), is.cur(), run);
  is.Skip(run);
}

template <>
template <>
inline void Reader::ParseString<aimsgate::manifest::internal::kFastFlags,
                                aimsgate::manifest::internal::MemoryStream,
                                aimsgate::manifest::internal::FastSax>(
    aimsgate::manifest::internal::MemoryStream& is, aimsgate::manifest::internal::FastSax& handler,
    bool isKey) {
  is.Take();  // the opening quote
  const char* start = is.cur();
  const size_t run = is.PlainRun();
  bool success;
  if (start + run != is.end() && start[run] == '"') {
    is.Skip(run + 1);
    const SizeType length = static_cast<SizeType>(run);
    success = isKey ? handler.Key(start, length, true) : handler.String(start, length, true);
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

using rapidjson::Value;
using PositionEntry = std::pair<const Value*, Position>;

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

// True when some member name of `obj` repeats an earlier one.
bool HasDuplicateName(const Value& obj, std::vector<std::string_view>* names,
                      std::vector<std::pair<std::string_view, int>>* scratch) {
  const rapidjson::SizeType n = obj.MemberCount();
  if (n < 2) return false;
  Value::ConstMemberIterator m = obj.MemberBegin();
  if (n <= 16) {
    std::string_view seen[16];
    for (rapidjson::SizeType i = 0; i < n; ++i, ++m) {
      const std::string_view name(m->name.GetString(), m->name.GetStringLength());
      for (rapidjson::SizeType j = 0; j < i; ++j) {
        // Most names that differ differ in length or first byte.
        if (seen[j].size() == name.size() && (name.empty() || (seen[j][0] == name[0] && seen[j] == name))) {
          return true;
        }
      }
      seen[i] = name;
    }
    return false;
  }
  names->clear();
  for (; m != obj.MemberEnd(); ++m) names->emplace_back(m->name.GetString(), m->name.GetStringLength());
  return FindDuplicate(*names, scratch) >= 0;
}

// Pairs each node of a finished document with its offset's position (the DOM in
// pre-order meets the offsets in the order they were noted), as the general
// reader's FinishDocument does; false on a duplicate key.
class Indexer {
 public:
  Indexer(const std::vector<uint32_t>& offsets, PositionSweep* sweep, bool all, std::vector<PositionEntry>* positions)
      : offsets_(offsets), sweep_(sweep), all_(all), positions_(positions) {}

  // `items`: the positions of a top-level `items` array's elements, in order.
  bool Index(const Value& root, Position* root_pos, std::vector<Position>* items) {
    items_ = items;
    *root_pos = sweep_->At(offsets_[0]);
    return Visit(root, *root_pos, 0, nullptr) && next_ == offsets_.size();
  }

 private:
  // Without record_field_lines keep what resources need, as FinishDocument does:
  // the root, its members and theirs. Deeper nodes are not swept to at all (the
  // sweep only goes forward, so the next position asked for is as right).
  bool Recorded(int depth) const { return all_ || depth <= 2; }
  void Record(const Value* v, Position p, int depth) {
    if (Recorded(depth)) positions_->emplace_back(v, p);
  }
  // The position of the node at offsets_[next_], when it is recorded.
  Position PositionAt(int depth) { return Recorded(depth) ? sweep_->At(offsets_[next_]) : Position{}; }

  // `p`: the position of `v`. `elements`: where the positions of v's elements go
  // when it is an array (the top-level `items`).
  bool Visit(const Value& v, Position p, int depth, std::vector<Position>* elements) {
    ++next_;
    Record(&v, p, depth);
    if (v.IsObject()) {
      if (HasDuplicateName(v, &names_, &scratch_)) return false;
      for (const auto& m : v.GetObject()) {
        if (next_ + 1 >= offsets_.size()) return false;
        Record(&m.name, PositionAt(depth + 1), depth + 1);
        ++next_;
        const bool items = depth == 0 && m.value.IsArray() && m.name.GetStringLength() == 5 &&
                           std::memcmp(m.name.GetString(), "items", 5) == 0;
        if (!Visit(m.value, PositionAt(depth + 1), depth + 1, items ? items_ : nullptr)) return false;
      }
    } else if (v.IsArray()) {
      for (const Value& x : v.GetArray()) {
        if (next_ >= offsets_.size()) return false;
        // The top-level `items` are at depth 1, so their elements' positions are recorded.
        const Position xp = PositionAt(depth + 1);
        if (elements != nullptr) elements->push_back(xp);
        if (!Visit(x, xp, depth + 1, nullptr)) return false;
      }
    }
    return true;
  }

  const std::vector<uint32_t>& offsets_;
  PositionSweep* sweep_;
  bool all_;
  std::vector<PositionEntry>* positions_;
  std::vector<Position>* items_ = nullptr;
  std::vector<std::string_view> names_;
  std::vector<std::pair<std::string_view, int>> scratch_;
  size_t next_ = 0;
};

class FastLoader {
 public:
  FastLoader(std::string_view text, bool ascii, std::string_view source, const Limits& limits)
      : text_(text), stream_(text.data(), text.data() + text.size()), sweep_(text, ascii), source_(source),
        limits_(limits) {}

  bool Run(LoadResult* out) {
    offsets_.reserve(text_.size() / 8 + 16);  // a manifest has a node per 8-12 bytes
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
    offsets_.clear();
    {
      rapidjson::Document parsed(&doc->pool);  // its parse stack goes with it
      FastSax sax(&parsed, &stream_, &offsets_, limits_, depth);
      bool ok = false;
      auto generator = [&](rapidjson::Document&) {
        ok = !reader_.Parse<kFastFlags>(stream_, sax).IsError();
        return ok;
      };
      parsed.Populate(generator);
      if (!ok) return false;
      static_cast<Value&>(doc->doc) = static_cast<Value&>(parsed);
    }
    const Value& root = doc->doc;
    Position root_pos;
    items_.clear();
    if (limits_.record_field_lines) doc->positions.reserve(offsets_.size());
    Indexer indexer(offsets_, &sweep_, limits_.record_field_lines, &doc->positions);
    if (!indexer.Index(root, &root_pos, item < 0 ? &items_ : nullptr)) return false;
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
        if (items_.size() != list.Size()) return false;
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
          out->resources.push_back(MakeResource(doc, &list[i], items_[i], document_index, static_cast<int>(i)));
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
  rapidjson::Reader reader_;
  std::vector<uint32_t> offsets_;
  std::vector<Position> items_;
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
