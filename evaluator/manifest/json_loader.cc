// JSON: RapidJSON's iterative SAX reader over a block stream (JsonStream) feeding
// one Document per value, with a thin handler that records positions and
// enforces the limits. The top level (a List's envelope, a top-level array) is
// walked here so that each item can be parsed, yielded and freed on its own.
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "evaluator/kernel/json.h"
#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"
#include "evaluator/manifest/stream.h"

namespace aimsgate::manifest::internal {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag;
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes a JSON string copies as they are: not the quote, the backslash, nor a
// control character (an error RapidJSON reports).
struct PlainStringByteTable {
  bool plain[256] = {};
  constexpr PlainStringByteTable() {
    for (int c = 0x20; c < 256; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainStringByteTable kPlainStringBytes;

// A RapidJSON input stream over a TextInput's blocks, which stops (as at the end
// of the input) at the current object's byte budget. Reading a byte costs the
// refill check and nothing else: positions are byte offsets, turned into line
// and column only when one is asked for (At), by a cursor that moves forward
// over the block with Advance. The offset of the last token's first byte is
// noted where RapidJSON skips the blanks before each token (SkipWhitespace
// below), which the handler reads when RapidJSON reports a value.
class JsonStream {
 public:
  typedef char Ch;
  explicit JsonStream(TextInput* input) : input_(input) {}

  Ch Peek() {
    if (cur_ == stop_ && !Refill()) return '\0';
    return *cur_;
  }
  Ch Take() {
    if (cur_ == stop_ && !Refill()) return '\0';
    return *cur_++;
  }
  size_t Tell() const { return static_cast<size_t>(base_ + static_cast<uint64_t>(cur_ - begin_)); }
  // Unused (no in-situ parsing); required by the stream concept.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

  // Skips blanks; the next byte is the first of a token.
  void SkipBlanks() {
    for (;;) {
      while (cur_ < stop_ && IsJsonSpace(*cur_)) ++cur_;
      if (cur_ < stop_ || !Refill()) break;
    }
    token_ = Tell();
  }
  // The bytes from the next one up to (not including) the first quote, backslash
  // or control character in this block: what a string holds before anything
  // RapidJSON must look at byte by byte.
  std::string_view PlainStringRun() const {
    const char* p = cur_;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    for (; stop_ - p >= 8; p += 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      const uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
      // Some high bit set when (and only when) a byte is a quote, a backslash or
      // below 0x20; the byte loop finds which.
      const uint64_t maybe = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                             ((w - kOnes * 0x20) & ~w);
      if ((maybe & kHighs) != 0) break;
    }
#endif
    while (p < stop_ && kPlainStringBytes.plain[static_cast<unsigned char>(*p)]) ++p;
    return std::string_view(cur_, static_cast<size_t>(p - cur_));
  }
  void Skip(size_t n) { cur_ += n; }

  // Position of a byte offset. Offsets asked for go forward (each at or after the
  // previous one, but the last token's may come again): the cursor scans each
  // byte of a block once at most.
  Position At(uint64_t offset) {
    const uint64_t end = base_ + static_cast<uint64_t>(end_ - begin_);
    if (offset >= at_ && offset <= end) {
      at_pos_ = Advance(at_pos_, std::string_view(begin_ + (at_ - base_), static_cast<size_t>(offset - at_)));
      at_ = offset;
      return at_pos_;
    }
    if (offset == kept_token_) return kept_token_pos_;
    return input_->PositionAt(offset);  // behind the cursor: from the last two blocks
  }
  Position position() { return At(Tell()); }  // of the next byte
  Position token() { return At(token_); }     // of the first byte of the last token
  uint64_t offset() const { return Tell(); }
  // Bytes from `offset()` on count against `budget`; Peek stops at it.
  void SetLimit(uint64_t limit) {
    limit_ = limit;
    stop_ = StopFor(begin_, end_);
    if (stop_ < cur_) stop_ = cur_;
  }
  bool over_limit() const { return over_limit_; }

 private:
  const char* StopFor(const char* begin, const char* end) const {
    uint64_t size = static_cast<uint64_t>(end - begin);
    if (limit_ >= base_ + size) return end;
    return limit_ <= base_ ? begin : begin + (limit_ - base_);
  }

  bool Refill() {
    if (cur_ < end_) {  // stopped by the budget
      over_limit_ = true;
      return false;
    }
    // The block goes: keep the position of a token that starts in it (a string
    // may end blocks later), and move the cursor to its end for the next block.
    const uint64_t end = base_ + static_cast<uint64_t>(end_ - begin_);
    if (token_ >= at_ && token_ < end) {
      kept_token_pos_ = At(token_);
      kept_token_ = token_;
    }
    At(end);
    std::string_view block = input_->Next(&at_pos_);
    if (block.empty()) return false;
    base_ = input_->offset() - block.size();
    begin_ = cur_ = block.data();
    end_ = begin_ + block.size();
    stop_ = StopFor(begin_, end_);
    if (cur_ == stop_) {
      over_limit_ = true;
      return false;
    }
    return true;
  }

  TextInput* input_;
  const char* begin_ = nullptr;
  const char* cur_ = nullptr;
  const char* end_ = nullptr;
  const char* stop_ = nullptr;
  uint64_t base_ = 0;
  uint64_t limit_ = kNoLimit;
  bool over_limit_ = false;
  uint64_t token_ = 0;              // offset of the first byte of the last token
  uint64_t at_ = 0;                 // the cursor: an offset in the block
  Position at_pos_{1, 1};           // and its position
  uint64_t kept_token_ = kNoLimit;  // a token whose block is gone
  Position kept_token_pos_{1, 1};
};

}  // namespace
}  // namespace aimsgate::manifest::internal

// RapidJSON's two hooks for a stream of its own, specialized as its reader.h
// does for its in-memory streams: the blanks before every token (where the
// token's offset is noted), and the plain bytes at the start of a string and
// after each escape, copied in one go rather than Peek/Take/Put per byte. Should
// a RapidJSON release rename these, this fails to compile rather than going slow.
namespace rapidjson {
template <>
inline void SkipWhitespace(aimsgate::manifest::internal::JsonStream& is) {
  is.SkipBlanks();
}

template <>
template <>
inline void aimsgate::JsonReader::ScanCopyUnescapedString(aimsgate::manifest::internal::JsonStream& is,
                                                         aimsgate::JsonReader::StackStream<char>& os) {
  std::string_view run = is.PlainStringRun();
  if (run.empty()) return;
  std::memcpy(os.Push(static_cast<SizeType>(run.size())), run.data(), run.size());
  is.Skip(run.size());
}
}  // namespace rapidjson

namespace aimsgate::manifest::internal {
namespace {

// Builds `doc` from RapidJSON's events, recording an Entry per node (pre-order,
// member names before their values) and enforcing the limits.
class Sax {
 public:
  Sax(aimsgate::JsonDocument* doc, JsonStream* stream, std::vector<Entry>* entries, const Limits& limits,
      size_t* nodes, int depth)
      : doc_(doc), stream_(stream), entries_(entries), limits_(limits), nodes_(nodes), depth_(depth) {}

  bool Null() { return Scalar() && doc_->Null(); }
  bool Bool(bool b) { return Scalar() && doc_->Bool(b); }
  bool Int(int i) { return Scalar() && doc_->Int(i); }
  bool Uint(unsigned u) { return Scalar() && doc_->Uint(u); }
  bool Int64(int64_t i) { return Scalar() && doc_->Int64(i); }
  bool Uint64(uint64_t u) { return Scalar() && doc_->Uint64(u); }
  bool Double(double d) { return Scalar() && doc_->Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar() && doc_->RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return StringNode(s, n) && doc_->String(s, n, copy);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return StringNode(s, n) && doc_->Key(s, n, copy);
  }
  bool StartObject() { return Open() && doc_->StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndObject(n);
  }
  bool StartArray() { return Open() && doc_->StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_->EndArray(n);
  }

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  Position error_position() const { return error_pos_; }

 private:
  bool Fail(Position p, std::string msg) {
    error_pos_ = p;
    error_ = std::move(msg);
    return false;
  }

  bool Count(Position p) {
    if (++*nodes_ > limits_.max_nodes) {
      return Fail(p, "node limit exceeded: more than " + std::to_string(limits_.max_nodes) +
                         " nodes in one object");
    }
    return true;
  }

  bool Scalar() {
    Position p = stream_->token();
    entries_->push_back(MakeEntry(p));
    return Count(p);
  }

  bool StringNode(const char* s, rapidjson::SizeType n) {
    Position p = stream_->token();
    entries_->push_back(MakeEntry(p));
    if (!Count(p)) return false;
    if (n > limits_.max_string_bytes) {
      return Fail(p, "string of " + std::to_string(n) + " bytes exceeds the limit of " +
                         std::to_string(limits_.max_string_bytes) + " bytes");
    }
    // The raw text is UTF-8 (TextInput), but RapidJSON decodes a lone \uDC00-\uDFFF
    // escape into bytes that are not: refuse them as YAML does.
    if (FindInvalidText(std::string_view(s, n), /*allow_nul=*/true) != std::string_view::npos) {
      return Fail(p, "string holds a lone UTF-16 surrogate escape (\\uD800-\\uDFFF must form a pair): "
                     "not Unicode text");
    }
    return true;
  }

  bool Open() {
    // The iterative reader calls StartObject/StartArray before it takes the bracket:
    // the token is the bracket.
    Position p = stream_->token();
    entries_->push_back(MakeEntry(p));
    if (!Count(p)) return false;
    if (++depth_ > limits_.max_depth) {
      return Fail(p, "nesting depth limit exceeded: more than " +
                         std::to_string(limits_.max_depth) + " levels");
    }
    return true;
  }

  aimsgate::JsonDocument* doc_;
  JsonStream* stream_;
  std::vector<Entry>* entries_;
  const Limits& limits_;
  size_t* nodes_;
  int depth_;
  std::string error_;
  Position error_pos_;
};

// A top-level object: a single resource or a List's envelope (see stream.h).
struct Envelope {
  std::shared_ptr<LoadedDocument> head;  // every member but a streamed `items`
  std::vector<Entry> entries;
  Position pos;
  size_t nodes = 0;
  uint64_t start = 0;         // offset of `{`
  uint64_t items_bytes = 0;   // bytes inside a streamed `items`, not the envelope's
  bool expect_separator = false;
  bool kind_seen = false;
  std::string kind;
  bool api_ok = false;
  // A streamed `items` array.
  bool items_seen = false;
  bool items_open = false;
  bool first_item = true;
  int item_index = 0;
  size_t marker = 0;          // where the items array's entries belong in `entries`
  Entry items_entry{};
  bool streaming = false;     // items are yielded as they come
  bool discard = false;       // items are parsed and dropped (the envelope failed)
  struct Held {
    std::shared_ptr<LoadedDocument> doc;
    std::vector<Entry> entries;
  };
  std::vector<Held> held;     // items waiting for kind and apiVersion
  uint64_t held_bytes = 0;

  bool ListConfirmed() const { return kind_seen && IsListKind(kind) && api_ok; }
};

class JsonParser : public Parser {
 public:
  JsonParser(TextInput* input, std::string_view source, const Limits& limits, bool stream_items)
      : input_(input), stream_(input), source_(source), limits_(Effective(limits)),
        stream_items_(stream_items) {}

  bool Step(Queue* out) override {
    out_ = out;
    while (out->empty() && state_ != State::kDone) {
      switch (state_) {
        case State::kTop: TopValue(); break;
        case State::kArray: ArrayElement(); break;
        case State::kMembers: Members(); break;
        case State::kItems: ItemElement(); break;
        case State::kDone: break;
      }
    }
    return state_ != State::kDone;
  }

  bool unquoted_key() const override { return unquoted_key_; }

 private:
  enum class State { kTop, kArray, kMembers, kItems, kDone };

  void SkipSpace() { stream_.SkipBlanks(); }

  // Between the elements of an array or the members of an object: the closing
  // bracket (taken: kClose), a comma (taken, blanks after it skipped: kNext), or
  // anything else (a syntax error, the input stops: kStop). With `first`, no
  // comma is due.
  enum class Sep { kNext, kClose, kStop };
  Sep Separator(bool first, char close, rapidjson::ParseErrorCode missing) {
    SkipSpace();
    char c = stream_.Peek();
    if (c == close) {
      stream_.Take();
      return Sep::kClose;
    }
    if (first) return Sep::kNext;
    if (c != ',') {
      Stop(missing);
      return Sep::kStop;
    }
    stream_.Take();
    SkipSpace();
    return Sep::kNext;
  }

  void Error(Position p, std::string message) {
    out_->Push(MakeError(source_, p, std::move(message)));
  }

  // A syntax error of the top-level walk: the input stops here.
  void Stop(rapidjson::ParseErrorCode code) {
    if (!InputTrouble()) {
      if (code == rapidjson::kParseErrorObjectMissName && document_index_ == 0 && !emitted_) {
        unquoted_key_ = true;
      }
      Error(stream_.position(), std::string("invalid JSON: ") + rapidjson::GetParseError_En(code));
    }
    state_ = State::kDone;
  }

  // The input ended early because of a bad byte or the object budget: reports it.
  bool InputTrouble() {
    if (stream_.over_limit()) {
      Error(unit_pos_, "object larger than the limit of " + std::to_string(limits_.max_object_bytes) +
                           " bytes");
      return true;
    }
    if (input_->failed()) {
      Error(input_->error_position(), input_->error());
      return true;
    }
    return false;
  }

  // Budget for the object that starts at the next byte.
  void BeginUnit(uint64_t already = 0) {
    unit_pos_ = stream_.position();
    uint64_t max = limits_.max_object_bytes;
    if (max == 0 || max == std::numeric_limits<size_t>::max()) {
      stream_.SetLimit(kNoLimit);
    } else {
      stream_.SetLimit(stream_.offset() + (max > already ? max - already : 0));
    }
  }

  // One JSON value into `doc`; false (input stopped, error queued) on failure.
  bool ParseValue(aimsgate::JsonDocument* doc, std::vector<Entry>* entries, size_t* nodes, int depth) {
    char first = stream_.Peek();
    if (first == '\0' || first == ']' || first == '}') {  // RapidJSON would say "empty document"
      Stop(rapidjson::kParseErrorValueInvalid);
      return false;
    }
    Sax sax(doc, &stream_, entries, limits_, nodes, depth);
    aimsgate::JsonReader reader;
    bool parsed = false;
    auto generator = [&](aimsgate::JsonDocument&) {
      parsed = !reader.Parse<kParseFlags>(stream_, sax).IsError();
      return parsed;
    };
    doc->Populate(generator);
    if (parsed) return true;
    state_ = State::kDone;
    if (sax.failed()) {
      Error(sax.error_position(), sax.error());
      return false;
    }
    if (InputTrouble()) return false;
    uint64_t at = reader.GetErrorOffset();
    rapidjson::ParseErrorCode code = reader.GetParseErrorCode();
    // `{"a": 1,}` fails the same way as `{kind: Pod}` (no name where one is due), but
    // a trailing comma is broken JSON, not flow-style YAML: YAML would accept it.
    bool trailing_comma = code == rapidjson::kParseErrorObjectMissName && input_->ByteAt(at) == '}';
    if (code == rapidjson::kParseErrorObjectMissName && !trailing_comma && document_index_ == 0 && !emitted_) {
      unquoted_key_ = true;
    }
    Error(input_->PositionAt(at), trailing_comma ? std::string("invalid JSON: trailing comma before '}'")
                                                 : std::string("invalid JSON: ") + rapidjson::GetParseError_En(code));
    return false;
  }

  void Emit(std::shared_ptr<LoadedDocument> doc, const std::vector<Entry>& entries, int item,
            const char* what) {
    FinishItem(std::move(doc), entries, document_index_, item, what + std::to_string(item) + ": ", source_,
               limits_, out_);
    emitted_ = true;
  }

  void TopValue() {
    stream_.SetLimit(kNoLimit);
    SkipSpace();
    char c = stream_.Peek();
    if (c == '\0') {
      InputTrouble();
      state_ = State::kDone;
      return;
    }
    if (documents_ >= limits_.max_documents) {
      Error(stream_.position(), "document limit exceeded: more than " + std::to_string(limits_.max_documents) +
                                    " JSON values");
      state_ = State::kDone;
      return;
    }
    document_index_ = static_cast<int>(documents_++);
    BeginUnit();
    if (c == '{') {
      OpenObject();
    } else if (c == '[') {
      array_pos_ = stream_.position();
      stream_.Take();
      array_index_ = 0;
      array_rejected_ = false;
      state_ = State::kArray;
    } else {
      auto doc = std::make_shared<LoadedDocument>();
      entries_.clear();
      size_t nodes = 0;
      if (!ParseValue(&doc->doc, &entries_, &nodes, 0)) return;
      FinishDocument(std::move(doc), entries_, document_index_, source_, limits_, out_);
      emitted_ = true;
    }
  }

  // An element of a top-level array: each one is a resource of its own.
  void ArrayElement() {
    stream_.SetLimit(kNoLimit);  // blanks and commas between items belong to no item
    Sep sep = Separator(array_index_ == 0, ']', rapidjson::kParseErrorArrayMissCommaOrSquareBracket);
    if (sep == Sep::kStop) return;
    if (sep == Sep::kClose) {
      if (array_index_ == 0) RejectArray();  // [] holds no object: as before, not a manifest
      state_ = State::kTop;
      return;
    }
    BeginUnit();
    auto doc = std::make_shared<LoadedDocument>();
    entries_.clear();
    size_t nodes = 0;
    if (!ParseValue(&doc->doc, &entries_, &nodes, 1)) return;
    int i = array_index_++;
    if (array_rejected_) return;
    if (i == 0 && !WhyNotAnObject(doc->doc).empty()) {
      RejectArray();  // a data file, not a list of manifests: one error, the rest is skipped
      return;
    }
    Emit(std::move(doc), entries_, i, "array item ");
  }

  void RejectArray() {
    array_rejected_ = true;
    out_->PushNotObject(MakeError(source_, array_pos_, "document is not a Kubernetes object (no kind): it is a sequence"));
    emitted_ = true;
  }

  void OpenObject() {
    env_ = Envelope();
    env_.head = std::make_shared<LoadedDocument>();
    env_.head->doc.SetObject();
    env_.pos = stream_.position();
    env_.start = stream_.offset();
    env_.entries.push_back(MakeEntry(env_.pos));
    ++env_.nodes;
    stream_.Take();
    state_ = State::kMembers;
  }

  aimsgate::JsonPool& head_alloc() { return env_.head->doc.GetAllocator(); }

  // Members of a top-level object up to its end, or up to a List's items.
  void Members() {
    for (;;) {
      Sep sep = Separator(!env_.expect_separator, '}', rapidjson::kParseErrorObjectMissCommaOrCurlyBracket);
      if (sep == Sep::kStop) return;
      if (sep == Sep::kClose) return CloseObject();
      char c = stream_.Peek();
      if (env_.expect_separator && c == '}') {
        if (!InputTrouble()) Error(stream_.position(), "invalid JSON: trailing comma before '}'");
        state_ = State::kDone;
        return;
      }
      if (c != '"') return Stop(rapidjson::kParseErrorObjectMissName);
      if (!Member()) return;
      env_.expect_separator = true;
      if (state_ != State::kMembers) return;
    }
  }

  // One member (name, colon, value) into the head; false when the input stopped.
  bool Member() {
    aimsgate::JsonDocument key_doc(&head_alloc());
    if (!ParseValue(&key_doc, &env_.entries, &env_.nodes, 1)) return false;
    std::string_view key(key_doc.GetString(), key_doc.GetStringLength());
    SkipSpace();
    if (stream_.Peek() != ':') {
      Stop(rapidjson::kParseErrorObjectMissColon);
      return false;
    }
    stream_.Take();
    SkipSpace();
    if (stream_items_ && key == "items" && stream_.Peek() == '[' && !env_.items_seen &&
        !(env_.kind_seen && !IsListKind(env_.kind))) {
      OpenItems();
      return true;
    }
    aimsgate::JsonDocument value(&head_alloc());
    if (!ParseValue(&value, &env_.entries, &env_.nodes, 1)) return false;
    if (key == "kind") {
      env_.kind_seen = true;
      env_.kind = value.IsString() ? std::string(value.GetString(), value.GetStringLength()) : std::string();
    } else if (key == "apiVersion") {
      env_.api_ok = value.IsString() && value.GetStringLength() > 0;
    }
    aimsgate::JsonValue name(key.data(), static_cast<rapidjson::SizeType>(key.size()), head_alloc());
    env_.head->doc.AddMember(name, static_cast<aimsgate::JsonValue&>(value), head_alloc());
    return true;
  }

  void OpenItems() {
    env_.items_seen = true;
    env_.items_open = true;
    env_.items_entry = MakeEntry(stream_.position());
    ++env_.nodes;
    env_.marker = env_.entries.size();
    stream_.Take();
    env_.head->doc.AddMember("items", aimsgate::JsonValue(rapidjson::kArrayType), head_alloc());
    if (env_.ListConfirmed()) {
      env_.streaming = true;
      // A duplicate key before the items drops the List, as LoadBytes does.
      Diagnostic dup;
      if (!CheckHead(&dup)) {
        out_->Push(std::move(dup));
        emitted_ = true;
        env_.discard = true;
      }
    }
    state_ = State::kItems;
  }

  // The head with an empty `items`: duplicate keys.
  bool CheckHead(Diagnostic* error) {
    return CheckDocument(env_.head.get(), WithItems({}), source_, limits_, error);
  }

  // The head's entries with the items array's (its `[` and then `items`) spliced in.
  std::vector<Entry> WithItems(const std::vector<Entry>& items) const {
    std::vector<Entry> all;
    all.reserve(env_.entries.size() + 1 + items.size());
    all.insert(all.end(), env_.entries.begin(), env_.entries.begin() + static_cast<long>(env_.marker));
    all.push_back(env_.items_entry);
    all.insert(all.end(), items.begin(), items.end());
    all.insert(all.end(), env_.entries.begin() + static_cast<long>(env_.marker), env_.entries.end());
    return all;
  }

  void ItemElement() {
    stream_.SetLimit(kNoLimit);  // blanks and commas between items belong to no item
    Sep sep = Separator(env_.first_item, ']', rapidjson::kParseErrorArrayMissCommaOrSquareBracket);
    if (sep == Sep::kStop) return;
    if (sep == Sep::kClose) return CloseItems();
    env_.first_item = false;
    const uint64_t start = stream_.offset();
    const Position saved_unit = unit_pos_;
    BeginUnit();
    auto doc = std::make_shared<LoadedDocument>();
    std::vector<Entry> entries;
    size_t nodes = 0;
    if (!ParseValue(&doc->doc, &entries, &nodes, 2)) return;
    unit_pos_ = saved_unit;
    const uint64_t bytes = stream_.offset() - start;
    env_.items_bytes += bytes;
    int i = env_.item_index++;
    if (env_.discard) return;
    if (env_.streaming) return Emit(std::move(doc), entries, i, "List item ");
    env_.held.push_back({std::move(doc), std::move(entries)});
    env_.held_bytes += bytes;
    if (env_.held_bytes > kItemsLookaheadBytes) {  // taken for a List from here on
      env_.streaming = true;
      int k = 0;
      for (Envelope::Held& h : env_.held) Emit(std::move(h.doc), h.entries, k++, "List item ");
      env_.held.clear();
      env_.held.shrink_to_fit();
    }
  }

  void CloseItems() {
    env_.items_open = false;
    env_.expect_separator = true;
    // The envelope's own budget resumes: what it read before, not the items.
    unit_pos_ = env_.pos;
    BeginUnit(stream_.offset() - env_.start - env_.items_bytes);
    state_ = State::kMembers;
  }

  void CloseObject() {
    state_ = State::kTop;
    emitted_ = true;
    if (env_.discard) return;
    if (!env_.items_seen) {  // a single object (or a List read whole)
      FinishDocument(std::move(env_.head), env_.entries, document_index_, source_, limits_, out_);
      return;
    }
    if (!env_.streaming) {  // items held: the object is read exactly as LoadBytes reads it
      aimsgate::JsonValue& items = env_.head->doc["items"];
      std::vector<Entry> item_entries;
      for (Envelope::Held& h : env_.held) {
        items.PushBack(aimsgate::JsonValue(h.doc->doc, head_alloc()), head_alloc());
        item_entries.insert(item_entries.end(), h.entries.begin(), h.entries.end());
      }
      env_.held.clear();
      FinishDocument(std::move(env_.head), WithItems(item_entries), document_index_, source_, limits_, out_);
      return;
    }
    // Items were yielded: what is left to say about the envelope.
    Diagnostic dup;
    if (!CheckHead(&dup)) {
      out_->Push(std::move(dup));
      return;
    }
    std::string why = WhyNotAnObject(env_.head->doc);
    if (!why.empty()) {
      Error(env_.pos, "List " + why);
    } else if (!IsListKind(env_.kind)) {
      Error(env_.pos, "kind " + env_.kind + " is not a List, but its items (before kind, more than " +
                          std::to_string(kItemsLookaheadBytes) + " bytes) were read as a List's");
    }
  }

  TextInput* input_;
  JsonStream stream_;
  std::string source_;
  Limits limits_;
  bool stream_items_;
  Queue* out_ = nullptr;
  State state_ = State::kTop;
  size_t documents_ = 0;
  int document_index_ = 0;
  bool emitted_ = false;
  bool unquoted_key_ = false;
  Position unit_pos_;
  std::vector<Entry> entries_;
  // Top-level array.
  Position array_pos_;
  int array_index_ = 0;
  bool array_rejected_ = false;
  Envelope env_;
};

}  // namespace

std::unique_ptr<Parser> NewJsonParser(TextInput* input, std::string_view source, const Limits& limits,
                                      bool stream_items) {
  return std::make_unique<JsonParser>(input, source, limits, stream_items);
}

}  // namespace aimsgate::manifest::internal
