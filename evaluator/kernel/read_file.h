// A whole file read into memory, bounded: a rule pack, an inventory, a key, a
// config file.  The path may name any kind of file (a regular file, the pipe of
// a process substitution, a device): reading stops one byte past the bound, so
// /dev/zero or a file that keeps growing is an error and never all of memory.
// A FIFO is read as `cat` reads it: open waits for a writer.
#pragma once

#include <cstddef>
#include <string>

namespace aimsgate::kernel {

// Rule packs, inventories, waivers, test suites: as large as a manifest may be
// (--max-file-bytes).
inline constexpr size_t kMaxInputFileBytes = size_t{64} << 20;
// Keys, config files, ignore files: a few KiB in practice.
inline constexpr size_t kMaxSmallFileBytes = size_t{1} << 20;

// The bytes of `path` into *out, at most `max_bytes`; false with *error set
// otherwise, worded to follow "cannot read <what>: ": the system's reason ("No
// such file or directory"), "is a directory" or "larger than 64 MiB"; errno
// is the failure's (EISDIR, EFBIG for those two).
bool ReadWholeFile(const std::string& path, size_t max_bytes, std::string* out, std::string* error);

// "64 MiB", "1 MiB", "512 KiB", "100 bytes": a bound as the errors name it.
std::string BytesText(size_t bytes);

}  // namespace aimsgate::kernel
