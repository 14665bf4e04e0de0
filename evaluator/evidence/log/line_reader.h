// Reads a file line by line in bounded memory (a 1 MiB buffer plus the longest line).
//
//   evidence::LineReader r;
//   if (!r.Open(path)) { std::cerr << r.error(); }
//   std::string_view line;
//   while (r.Next(&line)) { r.line_number(); r.terminated(); ... }
//   if (!r.error().empty()) ...                     // I/O error or over-long line
//
// Lines are returned without their '\n'; terminated() is false for a last line that has
// no newline (a torn or truncated line). The view is valid until the next call.
// Thread-safety: one reader per thread. Cost: one read(2) per MiB.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace aimsgate::evidence {

class LineReader {
 public:
  static constexpr size_t kMaxLine = 64 * 1024 * 1024;
  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // "-" reads stdin.
  bool Open(const std::string& path);
  bool Next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }
  bool terminated() const { return terminated_; }
  const std::string& error() const { return error_; }

 private:
  bool Fill();

  int fd_ = -1;
  bool owns_ = false;
  std::string path_;
  std::string buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool terminated_ = true;
  uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace aimsgate::evidence
