#include "evaluator/model/model_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>

#include "evaluator/kernel/exceptions.h"
#include "evaluator/kernel/sha256.h"

namespace aimsgate::model {
namespace {

constexpr size_t kBufferBytes = 1u << 20;

std::string Join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

bool Walk(const std::string& root, const std::string& rel, bool allow_symlinks,
          const std::function<bool(const std::string&, bool)>& skip, std::vector<ModelFile>* files,
          std::vector<TreeProblem>* problems, std::string* error) {
  std::string dir_path = rel.empty() ? root : root + "/" + rel;
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) {
    *error = dir_path + ": cannot read the directory: " + std::strerror(errno);
    return false;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string name = Join(rel, n);
    std::string path = root + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
      *error = path + ": cannot stat: " + std::strerror(errno);
      return false;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    if (skip(name, is_dir)) continue;
    if (is_dir) {
      if (!Walk(root, name, allow_symlinks, skip, files, problems, error)) return false;
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!allow_symlinks) {
        problems->push_back({name, "is a symbolic link, and the signature does not allow symlinks", true});
        continue;
      }
      if (stat(path.c_str(), &st) != 0) {
        problems->push_back({name, "is a broken symbolic link", true});
        continue;
      }
      if (S_ISDIR(st.st_mode)) continue;  // links to directories are not followed
    }
    if (!S_ISREG(st.st_mode)) {
      problems->push_back({name, "is not a regular file (a device, socket or pipe)", false});
      continue;
    }
    files->push_back({name, path, static_cast<uint64_t>(st.st_size)});
  }
  return true;
}

void HashOne(HashTask* t, char* buffer) {
  int fd = open(t->path->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    t->error = std::string("cannot open: ") + std::strerror(errno);
    return;
  }
  posix_fadvise(fd, static_cast<off_t>(t->begin), static_cast<off_t>(t->end - t->begin), POSIX_FADV_SEQUENTIAL);
  kernel::Sha256 sha;
  uint64_t offset = t->begin;
  while (offset < t->end) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBufferBytes, t->end - offset));
    ssize_t n = pread(fd, buffer, want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      t->error = n == 0 ? "the file is shorter than the signed content" : std::string("read error: ") + std::strerror(errno);
      close(fd);
      return;
    }
    sha.Update(buffer, static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  close(fd);
  t->digest = sha.HexDigest();
}

}  // namespace

bool ListModelFiles(const std::string& dir, bool allow_symlinks,
                    const std::function<bool(const std::string&, bool)>& skip, std::vector<ModelFile>* files,
                    std::vector<TreeProblem>* problems, std::string* error) {
  files->clear();
  problems->clear();
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = dir + ": not a readable directory";
    return false;
  }
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return Walk(root, "", allow_symlinks, skip, files, problems, error);
}

void HashRanges(std::vector<HashTask>* tasks, int jobs) {
  if (tasks->empty()) return;
  size_t workers = jobs > 0 ? static_cast<size_t>(jobs) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, tasks->size());
  // Largest first, so that one big file does not start last and run alone.
  std::vector<size_t> order(tasks->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return (*tasks)[a].end - (*tasks)[a].begin > (*tasks)[b].end - (*tasks)[b].begin;
  });
  std::atomic<size_t> next{0};
  // An exception on a helper thread (its buffer not allocated) is thrown again
  // here, after the join.
  kernel::FirstException failed;
  auto work = [&] {
    try {
      std::unique_ptr<char[]> buffer(new char[kBufferBytes]);
      for (size_t i; (i = next.fetch_add(1)) < order.size();) HashOne(&(*tasks)[order[i]], buffer.get());
    } catch (...) {
      failed.Keep();
      next = order.size();  // the others stop after their current file
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t i = 1; i < workers; ++i) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {  // no thread to be had: this one hashes the rest
      break;
    }
  }
  work();
  for (auto& t : threads) t.join();
  failed.Rethrow();
}

}  // namespace aimsgate::model
