#include "evaluator/kernel/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace aimsgate::kernel {

std::string BytesText(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (size_t{1} << 10) && bytes % (size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

bool ReadWholeFile(const std::string& path, size_t max_bytes, std::string* out, std::string* error) {
  out->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  // Closes the file and leaves errno and *error saying why.
  auto fail = [&](int err, std::string message) {
    ::close(fd);
    out->clear();
    *error = std::move(message);
    errno = err;
    return false;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(EISDIR, "is a directory");
  auto too_large = [&] { return fail(EFBIG, "larger than " + BytesText(max_bytes)); };
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) return too_large();
  // A regular file's size sizes the buffer; anything else grows it as it comes,
  // doubling, and straight to the bound once doubling would reach it (a string
  // grown past a capacity takes at least twice that: 64 MiB + 1 would take 128).
  const size_t first = S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : size_t{64} << 10;
  size_t have = 0;
  for (;;) {
    if (have == out->size()) {
      if (have > max_bytes) return too_large();
      const size_t want = std::max(first, 2 * have);
      out->resize(want >= max_bytes ? max_bytes + 1 : want);
    }
    const ssize_t n = ::read(fd, out->data() + have, out->size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno, std::strerror(errno));
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(have);
  return true;
}

}  // namespace aimsgate::kernel
