// A temporary file that a streaming writer spools a report's body to, when the
// body must follow a header of totals that are known only at the end (the JSON
// report's `summary` before its `results`, SARIF's invocation before its results,
// JUnit's counts before the test cases, a policy report's summary).  Memory stays
// one buffer whatever the body's size.
//
//   kernel::Spool body;
//   body.Write("...");  body.Put(',');            // buffered; the first failure sticks
//   ...
//   out << header;
//   if (!body.CopyTo(out)) return fail(body.error());  // "...: No space left on device"
//
// The file is created (in $TMPDIR, else /tmp) when the first 64 KiB buffer is
// full: a small body never touches the disk.  It is unlinked as soon as it is
// created, so nothing is left behind whatever happens to the process.  Every
// failure (cannot create, disk full on write, read back) is kept as the first
// error, ok() turns false and later writes are dropped: the writer may check
// once, at the end.
//
// Thread-compatible (one writer).  Cost: one 64 KiB buffer; the bytes go through
// the page cache, so a body that fits in memory is rarely read back from disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <string_view>

namespace aimsgate::kernel {

class Spool {
 public:
  Spool() = default;
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Spools to an open descriptor the Spool then owns instead of a temporary file
  // (tests: /dev/full).
  void Adopt(int fd, std::string name);

  void Put(char c) {
    if (used_ == sizeof(buffer_)) Drain();
    buffer_[used_++] = c;
  }
  void Write(std::string_view s) {
    if (s.size() <= sizeof(buffer_) - used_) {  // inline: report writers append many short runs
      std::memcpy(buffer_ + used_, s.data(), s.size());
      used_ += s.size();
      return;
    }
    WriteSlow(s);
  }
  // The same for RapidJSON writers that take a stream (Put/Flush).
  void Flush() {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes written so far (buffered ones included).
  uint64_t size() const { return written_ + used_; }
  bool empty() const { return size() == 0; }

  // Copies everything written, from the start, to `out` (the spool stays readable).
  bool CopyTo(std::ostream& out);
  // Reads `length` bytes at `offset` into *out (random access to spooled records).
  bool Read(uint64_t offset, size_t length, std::string* out);

 private:
  bool Create();
  void Drain();
  void WriteSlow(std::string_view s);
  void Fail(const std::string& what);

  int fd_ = -1;
  std::string name_;
  std::string error_;
  uint64_t written_ = 0;
  size_t used_ = 0;
  char buffer_[64 * 1024];
};

}  // namespace aimsgate::kernel
