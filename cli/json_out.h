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

}  // namespace aimsgate::cli
