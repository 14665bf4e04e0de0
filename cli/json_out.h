// An output stream for rapidjson writers that buffers 64 KiB before writing to
// a std::ostream.  rapidjson::OStreamWrapper calls ostream::put per character,
// which was 30% of `check --format json` on 2,000 files (perf, bench/README.md).
//
//   JsonOut out(os);
//   rapidjson::PrettyWriter<JsonOut> w(out);
//   ...                                   // flushed by w's Flush() or ~JsonOut
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

#include <rapidjson/prettywriter.h>

#include "evaluator/kernel/spool.h"

namespace aimsgate::cli {

class JsonOut {
 public:
  typedef char Ch;
  explicit JsonOut(std::ostream& os) : os_(os) {}
  ~JsonOut() { Flush(); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  void Put(char c) {
    if (size_ == sizeof(buffer_)) Flush();
    buffer_[size_++] = c;
  }
  void Flush() {
    if (size_ > 0) os_.write(buffer_, static_cast<std::streamsize>(size_));
    size_ = 0;
  }

 private:
  std::ostream& os_;
  size_t size_ = 0;
  char buffer_[64 * 1024];
};

// A rapidjson output stream into a Spool that indents every line by `indent`
// spaces: a value written by a fresh PrettyWriter lands as if it were written
// indent / 2 containers deep (a pretty writer emits '\n' only between tokens;
// in strings it is escaped).
class IndentedSpoolOut {
 public:
  typedef char Ch;
  IndentedSpoolOut(kernel::Spool& spool, int indent) : spool_(spool), indent_(indent) {}
  void Put(char c) {
    spool_.Put(c);
    if (c != '\n') return;
    for (int i = 0; i < indent_; ++i) spool_.Put(' ');
  }
  void Flush() {}

 private:
  kernel::Spool& spool_;
  int indent_;
};

// The elements of one array of a pretty-printed (indent 2) JSON document,
// spooled until the document's header, which carries the run's totals, is
// written; then copied in place, byte for byte what one PrettyWriter writing
// the whole document would have written.
//
//   JsonArraySpool results(/*depth=*/2);   // root object, "results" array
//   results.Add([&](auto& w) { w.StartObject(); ...; w.EndObject(); });
//   ...
//   w.Key("results");  results.WriteTo(w, stream, os);
class JsonArraySpool {
 public:
  // depth: the containers enclosing an element, the array included.
  explicit JsonArraySpool(int depth) : indent_(2 * depth) {}

  template <typename WriteElement>
  void Add(WriteElement&& write) {
    spool_.Write(count_ == 0 ? "\n" : ",\n");
    for (int i = 0; i < indent_; ++i) spool_.Put(' ');
    IndentedSpoolOut out(spool_, indent_);
    rapidjson::PrettyWriter<IndentedSpoolOut> w(out);
    w.SetIndent(' ', 2);
    write(w);
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
};

}  // namespace aimsgate::cli
