// JSON: RapidJSON's iterative SAX reader feeding the Document, with a thin handler
// that records positions (from the stream offset) and enforces the limits.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "evaluator/manifest/internal.h"
#include "evaluator/manifest/manifest.h"

namespace aimsgate::manifest {
namespace {

using internal::Entry;
using internal::MakeEntry;
using internal::MakeError;

// Line/column of increasing byte offsets in O(total bytes).
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  Position At(size_t offset) {
    if (offset < off_) {  // never expected; stay correct anyway
      off_ = 0;
      pos_ = Position{1, 1};
    }
    if (offset > text_.size()) offset = text_.size();
    for (; off_ < offset; ++off_) {
      unsigned char c = static_cast<unsigned char>(text_[off_]);
      if (c == '\n') {
        ++pos_.line;
        pos_.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++pos_.column;
      }
    }
    return pos_;
  }

 private:
  std::string_view text_;
  size_t off_ = 0;
  Position pos_{1, 1};
};

constexpr unsigned kParseFlags = rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag;

class Sax {
 public:
  Sax(rapidjson::Document* doc, const rapidjson::MemoryStream* stream, size_t base,
      std::string_view text, Cursor* cursor, std::vector<Entry>* entries, const Limits& limits,
      size_t* nodes)
      : doc_(doc), stream_(stream), base_(base), text_(text), cursor_(cursor), entries_(entries),
        limits_(limits), nodes_(nodes) {}

  bool Null() { return Scalar(End() - 4) && doc_->Null(); }
  bool Bool(bool b) { return Scalar(End() - (b ? 4 : 5)) && doc_->Bool(b); }
  bool Int(int i) { return Scalar(NumberStart()) && doc_->Int(i); }
  bool Uint(unsigned u) { return Scalar(NumberStart()) && doc_->Uint(u); }
  bool Int64(int64_t i) { return Scalar(NumberStart()) && doc_->Int64(i); }
  bool Uint64(uint64_t u) { return Scalar(NumberStart()) && doc_->Uint64(u); }
  bool Double(double d) { return Scalar(NumberStart()) && doc_->Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return Scalar(NumberStart()) && doc_->RawNumber(s, n, copy);
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
  size_t End() const { return base_ + stream_->Tell(); }

  size_t NumberStart() const {
    size_t i = End();
    while (i > 0) {
      char c = text_[i - 1];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        --i;
      } else {
        break;
      }
    }
    return i;
  }

  // The opening quote of the string that just ended: a quote preceded by an even
  // number of backslashes (raw JSON strings hold no other unescaped quote).
  size_t StringStart() const {
    size_t i = End() - 1;  // the closing quote
    while (i > 0) {
      --i;
      if (text_[i] != '"') continue;
      size_t backslashes = 0;
      while (i >= backslashes + 1 && text_[i - backslashes - 1] == '\\') ++backslashes;
      if (backslashes % 2 == 0) return i;
    }
    return i;
  }

  bool Fail(Position p, std::string msg) {
    error_pos_ = p;
    error_ = std::move(msg);
    return false;
  }

  bool Count(Position p) {
    if (++*nodes_ > limits_.max_nodes) {
      return Fail(p, "node limit exceeded: more than " + std::to_string(limits_.max_nodes) +
                         " nodes in the file");
    }
    return true;
  }

  bool Scalar(size_t start) {
    Position p = cursor_->At(start);
    entries_->push_back(MakeEntry(p));
    return Count(p);
  }

  bool StringNode(const char* s, rapidjson::SizeType n) {
    Position p = cursor_->At(StringStart());
    entries_->push_back(MakeEntry(p));
    if (!Count(p)) return false;
    if (n > limits_.max_string_bytes) {
      return Fail(p, "string of " + std::to_string(n) + " bytes exceeds the limit of " +
                         std::to_string(limits_.max_string_bytes) + " bytes");
    }
    // The raw text is UTF-8 (PrepareText), but RapidJSON decodes a lone \uDC00-\uDFFF
    // escape into bytes that are not: refuse them as YAML does.
    if (internal::FindInvalidText(std::string_view(s, n), /*allow_nul=*/true) != std::string_view::npos) {
      return Fail(p, "string holds a lone UTF-16 surrogate escape (\\uD800-\\uDFFF must form a pair): "
                     "not Unicode text");
    }
    return true;
  }

  bool Open() {
    // The iterative reader calls StartObject/StartArray before it takes the bracket.
    size_t at = End();
    if (at >= text_.size() || (text_[at] != '{' && text_[at] != '[')) at = at > 0 ? at - 1 : 0;
    Position p = cursor_->At(at);
    entries_->push_back(MakeEntry(p));
    if (!Count(p)) return false;
    if (++depth_ > limits_.max_depth) {
      return Fail(p, "nesting depth limit exceeded: more than " +
                         std::to_string(limits_.max_depth) + " levels");
    }
    return true;
  }

  rapidjson::Document* doc_;
  const rapidjson::MemoryStream* stream_;
  size_t base_;
  std::string_view text_;
  Cursor* cursor_;
  std::vector<Entry>* entries_;
  const Limits& limits_;
  size_t* nodes_;
  int depth_ = 0;
  std::string error_;
  Position error_pos_;
};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// *unquoted_key: the first value failed because an object key was not a string,
// the signature of flow-style YAML such as `{kind: Pod}`.
LoadResult LoadJsonImpl(std::string_view bytes, std::string_view source, const Limits& requested,
                        bool* unquoted_key) {
  const Limits limits = internal::Effective(requested);
  LoadResult out;
  *unquoted_key = false;
  if (!internal::PrepareText(&bytes, source, limits, &out)) return out;
  Cursor cursor(bytes);
  std::vector<Entry> entries;
  size_t nodes = 0;
  size_t offset = 0;
  int document_index = 0;
  for (;;) {
    while (offset < bytes.size() && IsJsonSpace(bytes[offset])) ++offset;
    if (offset >= bytes.size()) break;
    if (static_cast<size_t>(document_index) >= limits.max_documents) {
      out.errors.push_back(MakeError(source, cursor.At(offset),
                                     "document limit exceeded: more than " +
                                         std::to_string(limits.max_documents) + " JSON values"));
      break;
    }
    auto doc = std::make_shared<LoadedDocument>();
    entries.clear();
    rapidjson::MemoryStream stream(bytes.data() + offset, bytes.size() - offset);
    Sax sax(&doc->doc, &stream, offset, bytes, &cursor, &entries, limits, &nodes);
    rapidjson::Reader reader;
    bool parsed = false;
    auto generator = [&](rapidjson::Document&) {
      parsed = !reader.Parse<kParseFlags>(stream, sax).IsError();
      return parsed;
    };
    doc->doc.Populate(generator);
    if (!parsed) {
      if (sax.failed()) {
        out.errors.push_back(MakeError(source, sax.error_position(), sax.error()));
      } else {
        size_t at = offset + reader.GetErrorOffset();
        // `{"a": 1,}` fails the same way as `{kind: Pod}` (no name where one is due), but
        // a trailing comma is broken JSON, not flow-style YAML: YAML would accept it.
        bool trailing_comma = reader.GetParseErrorCode() == rapidjson::kParseErrorObjectMissName &&
                              at < bytes.size() && bytes[at] == '}';
        *unquoted_key = document_index == 0 && !trailing_comma &&
                        reader.GetParseErrorCode() == rapidjson::kParseErrorObjectMissName;
        out.errors.push_back(MakeError(source, internal::OffsetToPosition(bytes, at),
                                       trailing_comma ? std::string("invalid JSON: trailing comma before '}'")
                                                      : std::string("invalid JSON: ") +
                                                            rapidjson::GetParseError_En(reader.GetParseErrorCode())));
      }
      break;
    }
    offset += stream.Tell();
    internal::FinishDocument(std::move(doc), entries, document_index, source, limits, &out);
    ++document_index;
  }
  return out;
}

}  // namespace

LoadResult LoadJson(std::string_view bytes, std::string_view source, const Limits& limits) {
  bool unquoted_key;
  return LoadJsonImpl(bytes, source, limits, &unquoted_key);
}

LoadResult LoadBytes(std::string_view bytes, std::string_view source, const Limits& limits) {
  size_t i = 0;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < bytes.size() && IsJsonSpace(bytes[i])) ++i;
  if (i < bytes.size() && (bytes[i] == '{' || bytes[i] == '[')) {
    bool unquoted_key;
    LoadResult json = LoadJsonImpl(bytes, source, limits, &unquoted_key);
    if (!unquoted_key) return json;
    // Flow-style YAML (`{kind: Pod, ...}`) is not JSON: take YAML when it loads cleanly.
    LoadResult yaml = LoadYaml(bytes, source, limits);
    if (yaml.ok()) return yaml;
    return json;
  }
  return LoadYaml(bytes, source, limits);
}

}  // namespace aimsgate::manifest
