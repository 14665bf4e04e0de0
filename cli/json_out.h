// Output streams for rapidjson writers, with bulk writes where rapidjson puts
// one character at a time.
//
//   JsonOut out(os);
//   rapidjson::PrettyWriter<JsonOut> w(out);
//   ...                                   // flushed by w's Flush() or ~JsonOut
//
// JsonOut buffers 64 KiB before writing to a std::ostream (rapidjson's
// OStreamWrapper calls ostream::put per character, which was 30% of `check
// --format json` on 2,000 files, bench/README.md).  For JsonOut and
// IndentedSpoolOut, the rapidjson writers' strings, integers and indentation are
// specialised below to append runs in bulk: rapidjson's generic string writer
// scans and puts every byte through the stream one by one (36 M of the 71 M
// instructions that `check --format json` spent in the report on 2,000 files,
// bench/README.md).  The bytes are rapidjson's own: UTF-8 in, UTF-8 out, no
// validation (kWriteDefaultFlags), so '"', '\\' and the bytes below 0x20 are
// escaped and every other byte (DEL, U+2028, invalid UTF-8) is copied as it is;
// tests/cli/json_out_test.cc compares them with rapidjson's.
#pragma once

#include <cstddef>
#include <cstring>
#include <ostream>
#include <string>


#include <rapidjson/prettywriter.h>

#include "evaluator/kernel/json.h"
#include "evaluator/kernel/json_escape.h"
#include "evaluator/kernel/spool.h"

namespace aimsgate::cli {

namespace json_out_detail {

// `"s"`, escaped as rapidjson's Writer escapes it, onto a stream with Put(char)
// and Write(const char*, size_t).
template <typename Out>
void WriteString(Out& out, const char* s, size_t length) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const char* end = s + length;
  out.Put('"');
  for (;;) {
    const char* p = kernel::FindJsonSpecial(s, end);
    if (p != s) out.Write(s, static_cast<size_t>(p - s));
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p);
    const char e = kernel::kJsonEscapes[c];
    if (e == 'u') {
      const char seq[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.Write(seq, sizeof seq);
    } else {
      const char seq[2] = {'\\', e};
      out.Write(seq, sizeof seq);
    }
    s = p + 1;
  }
  out.Put('"');
}

// `value` in decimal, as rapidjson's `toa` writes it into a buffer of `N` bytes.
template <size_t N, typename Out, typename T>
void WriteDecimal(Out& out, T value, char* (*toa)(T, char*)) {
  char buffer[N];
  out.Write(buffer, static_cast<size_t>(toa(value, buffer) - buffer));
}

// `n` copies of `c` (indentation).
template <typename Out>
void WriteRepeated(Out& out, char c, size_t n) {
  static constexpr char kSpaces[] = "                                                                ";
  static_assert(sizeof kSpaces == 64 + 1, "64 spaces");
  if (c != ' ') {
    for (size_t i = 0; i < n; ++i) out.Put(c);
    return;
  }
  while (n > 0) {
    const size_t k = n < sizeof kSpaces - 1 ? n : sizeof kSpaces - 1;
    out.Write(kSpaces, k);
    n -= k;
  }
}

}  // namespace json_out_detail

class JsonOut {
 public:
  typedef char Ch;
  explicit JsonOut(std::ostream& os) : os_(os) {}
  ~JsonOut() { Flush(); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  void Put(char c) {
    ++puts_;
    if (size_ == sizeof(buffer_)) Flush();
    buffer_[size_++] = c;
  }
  // Characters put one at a time: rapidjson's members put every byte so; the
  // specialisations below write runs (tests/cli/json_out_test.cc).
  size_t puts() const { return puts_; }
  void Write(const char* s, size_t n) {
    if (n > sizeof(buffer_) - size_) {
      Flush();
      if (n > sizeof(buffer_)) {
        os_.write(s, static_cast<std::streamsize>(n));
        return;
      }
    }
    std::memcpy(buffer_ + size_, s, n);
    size_ += n;
  }
  void Flush() {
    if (size_ > 0) os_.write(buffer_, static_cast<std::streamsize>(size_));
    size_ = 0;
  }

 private:
  std::ostream& os_;
  size_t puts_ = 0;
  size_t size_ = 0;
  char buffer_[64 * 1024];
};

// A rapidjson output stream into a Spool that indents every line by `indent`
// spaces: a value written by a fresh PrettyWriter lands as if it were written
// indent / 2 containers deep (a pretty writer emits '\n' only between tokens;
// in strings it is escaped, so Write never carries one).
class IndentedSpoolOut {
 public:
  typedef char Ch;
  IndentedSpoolOut(kernel::Spool& spool, int indent) : spool_(spool), indent_(indent) {}
  void Put(char c) {
    ++puts_;
    spool_.Put(c);
    if (record_) record_->push_back(c);
    if (c == '\n') json_out_detail::WriteRepeated(*this, ' ', static_cast<size_t>(indent_));
  }
  void Write(const char* s, size_t n) {
    spool_.Write(std::string_view(s, n));
    if (record_) record_->append(s, n);
  }
  size_t puts() const { return puts_; }  // as JsonOut::puts
  // Also appends what is written to *into until RecordInto(nullptr).
  void RecordInto(std::string* into) { record_ = into; }
  void Flush() {}
  // [","] "\n" and the line's indentation, `n` copies of `c` after this stream's
  // own: what Put(',') Put('\n') PutN(c, n) write, in one Write when it can.
  void NewLine(bool comma, char c, size_t n) {
    static constexpr char kLine[] =
        ",\n                                                                "
        "                                                                ";
    static_assert(sizeof kLine == 2 + 128 + 1, "a comma, a newline, 128 spaces");
    const size_t spaces = static_cast<size_t>(indent_) + n;
    if (c == ' ' && spaces <= sizeof kLine - 3) {
      Write(kLine + (comma ? 0 : 1), (comma ? 2 : 1) + spaces);
      return;
    }
    if (comma) Put(',');
    Put('\n');
    json_out_detail::WriteRepeated(*this, c, n);
  }

 private:
  kernel::Spool& spool_;
  int indent_;
  size_t puts_ = 0;
  std::string* record_ = nullptr;
};

}  // namespace aimsgate::cli

// The rapidjson hooks: explicit specialisations of Writer's members for the two
// streams (rapidjson does the same for its StringBuffer), declared before any
// writer on them is instantiated.  They are spelt through aimsgate::JsonWriter and
// aimsgate::JsonPrettyWriter, the writers every report uses (their allocator is
// JsonCrtAllocator): a specialisation of rapidjson::Writer<Stream> names another
// class, whose members nothing calls, and the reports fell back to rapidjson's
// byte-at-a-time members unnoticed (bench/README.md, 2026-12-05).
RAPIDJSON_NAMESPACE_BEGIN

#define AIMSGATE_JSON_OUT_SPECIALISE(Stream)                                                                   \
  template <>                                                                                                  \
  inline bool aimsgate::JsonWriter<Stream>::WriteString(const Ch* str, SizeType length) {                      \
    aimsgate::cli::json_out_detail::WriteString(*os_, str, length);                                            \
    return true;                                                                                               \
  }                                                                                                            \
  template <>                                                                                                  \
  inline bool aimsgate::JsonWriter<Stream>::WriteInt(int i) {                                                  \
    aimsgate::cli::json_out_detail::WriteDecimal<11>(*os_, i, internal::i32toa);                               \
    return true;                                                                                               \
  }                                                                                                            \
  template <>                                                                                                  \
  inline bool aimsgate::JsonWriter<Stream>::WriteUint(unsigned u) {                                            \
    aimsgate::cli::json_out_detail::WriteDecimal<10>(*os_, u, internal::u32toa);                               \
    return true;                                                                                               \
  }                                                                                                            \
  template <>                                                                                                  \
  inline bool aimsgate::JsonWriter<Stream>::WriteInt64(int64_t i) {                                            \
    aimsgate::cli::json_out_detail::WriteDecimal<21>(*os_, i, internal::i64toa);                               \
    return true;                                                                                               \
  }                                                                                                            \
  template <>                                                                                                  \
  inline bool aimsgate::JsonWriter<Stream>::WriteUint64(uint64_t u) {                                          \
    aimsgate::cli::json_out_detail::WriteDecimal<20>(*os_, u, internal::u64toa);                               \
    return true;                                                                                               \
  }                                                                                                            \
  template <>                                                                                                  \
  inline void PutN(Stream& stream, char c, size_t n) {                                                         \
    aimsgate::cli::json_out_detail::WriteRepeated(stream, c, n);                                               \
  }

AIMSGATE_JSON_OUT_SPECIALISE(aimsgate::cli::JsonOut)
AIMSGATE_JSON_OUT_SPECIALISE(aimsgate::cli::IndentedSpoolOut)
#undef AIMSGATE_JSON_OUT_SPECIALISE

// The pretty writer's separators on the spool (every element of a report's
// arrays): the comma, newline and indentation before a value, and the newline
// and indentation before a closing bracket, as one write each.  Same bytes as
// PrettyWriter's PrettyPrefix / EndObject / EndArray.
template <>
inline void aimsgate::JsonPrettyWriter<aimsgate::cli::IndentedSpoolOut>::PrettyPrefix(Type) {
  if (Base::level_stack_.GetSize() == 0) {  // the root
    Base::hasRoot_ = true;
    return;
  }
  typename Base::Level* level = Base::level_stack_.template Top<typename Base::Level>();
  const size_t indent = (Base::level_stack_.GetSize() / sizeof(typename Base::Level)) * indentCharCount_;
  if (level->inArray) {
    if (formatOptions_ & kFormatSingleLineArray) {
      if (level->valueCount > 0) Base::os_->Write(", ", 2);
    } else {
      Base::os_->NewLine(level->valueCount > 0, indentChar_, indent);
    }
  } else if (level->valueCount % 2 == 1) {  // after a key
    Base::os_->Write(": ", 2);
  } else {
    Base::os_->NewLine(level->valueCount > 0, indentChar_, indent);
  }
  level->valueCount++;
}

template <>
inline bool aimsgate::JsonPrettyWriter<aimsgate::cli::IndentedSpoolOut>::EndObject(SizeType) {
  const bool empty = Base::level_stack_.template Pop<typename Base::Level>(1)->valueCount == 0;
  if (!empty) {
    Base::os_->NewLine(false, indentChar_,
                       (Base::level_stack_.GetSize() / sizeof(typename Base::Level)) * indentCharCount_);
  }
  Base::os_->Put('}');
  return true;
}

template <>
inline bool aimsgate::JsonPrettyWriter<aimsgate::cli::IndentedSpoolOut>::EndArray(SizeType) {
  const bool empty = Base::level_stack_.template Pop<typename Base::Level>(1)->valueCount == 0;
  if (!empty && !(formatOptions_ & kFormatSingleLineArray)) {
    Base::os_->NewLine(false, indentChar_,
                       (Base::level_stack_.GetSize() / sizeof(typename Base::Level)) * indentCharCount_);
  }
  Base::os_->Put(']');
  return true;
}

RAPIDJSON_NAMESPACE_END

namespace aimsgate::cli {

// The elements of one array of a pretty-printed (indent 2) JSON document,
// spooled until the document's header, which carries the run's totals, is
// written; then copied in place, byte for byte what one PrettyWriter writing
// the whole document would have written.
//
//   JsonArraySpool results(/*depth=*/2);   // root object, "results" array
//   results.Add([&](auto& w) { w.StartObject(); ...; w.EndObject(); });
//   ...
//   w.Key("results");  results.WriteTo(w, stream, os);
//
// One writer serves every element (Reset between them): its level stack is
// allocated once, not per element.
class JsonArraySpool {
 public:
  // The pretty writer, and members written once replayed as bytes:
  //   w.StartObject(); w.RecordInto(&ref); w.Key("resource"); ...; w.RecordInto(nullptr);
  //   ... in another element at the same depth (an array of the same `depth`):
  //   w.StartObject(); w.RawMembers(ref, 1);      // the same bytes, and w counts the member
  // The bytes are the same only at the same depth and as the same members of an
  // object (the first ones, or after as many members as when recorded).
  class ElementWriter : public aimsgate::JsonPrettyWriter<IndentedSpoolOut> {
   public:
    using PrettyWriter::PrettyWriter;
    void RecordInto(std::string* into) { Base::os_->RecordInto(into); }
    void RawMembers(const std::string& bytes, unsigned members) {
      Base::os_->Write(bytes.data(), bytes.size());
      Base::level_stack_.template Top<typename Base::Level>()->valueCount += 2 * members;
    }
  };

  // depth: the containers enclosing an element, the array included.
  explicit JsonArraySpool(int depth) : indent_(2 * depth) { writer_.SetIndent(' ', 2); }

  template <typename WriteElement>
  void Add(WriteElement&& write) {
    spool_.Write(count_ == 0 ? "\n" : ",\n");
    json_out_detail::WriteRepeated(out_, ' ', static_cast<size_t>(indent_));
    writer_.Reset(out_);
    write(writer_);
    ++count_;
  }

  size_t count() const { return count_; }
  bool ok() const { return spool_.ok(); }
  const std::string& error() const { return spool_.error(); }

  // Writes the array as the value that `w` (a PrettyWriter<JsonOut> on `os`) expects next.
  template <typename Writer>
  bool WriteTo(Writer& w, JsonOut& stream, std::ostream& os) {
    w.RawValue("", 0, rapidjson::kArrayType);
    stream.Flush();
    os << '[';
    if (count_ > 0) {
      if (!spool_.CopyTo(os)) return false;
      os << '\n' << std::string(static_cast<size_t>(indent_ - 2), ' ');
    }
    os << ']';
    return spool_.ok();
  }

 private:
  kernel::Spool spool_;
  int indent_;
  size_t count_ = 0;
  IndentedSpoolOut out_{spool_, indent_};
  ElementWriter writer_{out_};
};

}  // namespace aimsgate::cli
