#include "webhook/file_watch.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

namespace aimsgate::webhook {
namespace {

void AddEntry(const std::string& path, std::string* out) {
  struct stat st {};
  *out += path;
  if (::stat(path.c_str(), &st) != 0) {
    *out += " missing\n";
    return;
  }
  *out += " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
          std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "\n";
}

}  // namespace

std::string FileFingerprint(const std::vector<std::string>& paths, size_t max_entries) {
  namespace fs = std::filesystem;
  std::string out;
  for (const auto& path : paths) {
    if (path.empty() || path.rfind("builtin:", 0) == 0) continue;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      AddEntry(path, &out);
      continue;
    }
    std::vector<std::string> entries;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end && entries.size() < max_entries; it.increment(ec)) entries.push_back(it->path().string());
    std::sort(entries.begin(), entries.end());
    out += path + " dir " + std::to_string(entries.size()) + "\n";
    for (const auto& e : entries) AddEntry(e, &out);
  }
  return out;
}

}  // namespace aimsgate::webhook
