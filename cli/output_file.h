// Where a command's output goes, and saying why when it could not be written.
//
//   OutputFile file;
//   std::string why;
//   if (!file.Open("report.json", &why)) fail(why);
//   WriteReport(..., file.stream());
//   if (!file.Commit(&why)) fail(why);   // "No space left on device"; report.json is as it was
//
//   WatchStdout();                        // main(), before anything is printed
//   if (ReportStdoutFailure()) return 2;  // once a command is done
//
//   std::string conflict = SameFileConflict({{"-o a.json", "a.json", true}, {"input a.json", "a.json", false}});
//   // "-o a.json and input a.json name the same file; give each its own"
//
// An iostream that fails sets badbit and forgets errno; these keep the errno of the
// first write that failed, so a full disk, a closed pipe or `ulimit -f` is named.
//
// Thread-compatible: one thread writes a given OutputFile (and std::cout).
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace aimsgate::cli {

// A file written so that a regular file appears whole or not at all: a regular
// file (or a path where nothing exists yet) is written to a temporary file beside
// it (".NAME.XXXXXX", same directory) and renamed over it by Commit; the
// destructor removes a temporary file that was not committed, so a run that fails
// leaves an older file at PATH untouched.  Anything else (/dev/stdout, a FIFO, a
// terminal, a symlink) is written in place, as std::ofstream would.  New files
// get mode 0666 less the umask; a replaced file keeps its mode.
class OutputFile {
 public:
  OutputFile();
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // False, with strerror's text in *error, when PATH cannot be written.
  bool Open(const std::string& path, std::string* error);
  std::ostream& stream() { return stream_; }
  // Flushes and closes; false, with why, when a write failed.
  bool Close(std::string* error);
  // Close, then the temporary file renamed over PATH.  False, with why, when a
  // write failed (PATH is then left as it was).
  bool Commit(std::string* error);

 private:
  class FdBuf;
  std::unique_ptr<FdBuf> buf_;
  std::ostream stream_;
  std::string target_;     // what Commit renames the temporary file to
  std::string temporary_;  // empty: written in place, or committed
};

// Routes std::cout through a buffer that keeps why a write to standard output
// failed (C stdio's stdout, so printf and std::cout stay in order).  Call once,
// first thing in main().
void WatchStdout();

// Flushes std::cout and stdout; when a write to them failed, prints
// "aimsgate: error: cannot write to standard output: REASON" (once per run: a
// command may ask before main() does) and returns true.
bool ReportStdoutFailure();

// One file a command reads or writes; `what` names the use for the user, path
// included ("--evidence ev.jsonl", "--format sarif=a.sarif", "input d.yaml").
struct FileUse {
  std::string what;
  std::string path;
  bool written = false;
};

// The first two uses of one file of which at least one writes it, as an error
// message naming both; empty when there are none.  Existing files are the same
// when they are the same inode (st_dev, st_ino); a path that does not exist yet is
// compared by its absolute, normalised form.  Character devices (/dev/null) and
// "-" (standard input/output, which callers check themselves) never conflict.
std::string SameFileConflict(const std::vector<FileUse>& uses);

}  // namespace aimsgate::cli
