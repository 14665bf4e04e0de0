// A small status value for the evidence module: infrastructure failures
// (cannot write the log, bad key, unreadable file) are returned, never thrown.
//
//   evidence::Status s = writer.Append(input);
//   if (!s.ok()) { std::cerr << s.message() << "\n"; return 2; }
//
// Thread-safety: a value type; copy freely.
#pragma once

#include <string>
#include <utility>

namespace aimsgate::evidence {

class Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(std::string message, int error_number = 0) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    s.errno_ = error_number;
    return s;
  }

  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  // errno of the failing system call (ENOSPC, EACCES, EROFS, EFBIG, ...), 0 if none.
  int error_number() const { return errno_; }

 private:
  bool ok_ = true;
  std::string message_;
  int errno_ = 0;
};

}  // namespace aimsgate::evidence
