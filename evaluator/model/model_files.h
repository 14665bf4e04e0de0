// Internal to evaluator/model: the files of a model directory, and their SHA-256
// digests computed streaming, several files (or shards) in parallel.
//
//   std::vector<ModelFile> files;  std::vector<TreeProblem> problems;  std::string error;
//   ListModelFiles("model/", /*allow_symlinks=*/false, skip, &files, &problems, &error);
//   std::vector<HashTask> tasks = {{&files[0].path, 0, files[0].size}};
//   HashRanges(&tasks, /*jobs=*/4);   // tasks[i].digest (hex) or tasks[i].error
//
// Names are relative to the directory with '/' separators.  Symbolic links are
// problems unless allowed; an allowed link to a regular file is read through (as
// the reference serializer does), a link to a directory is not followed.
// Memory: one 1 MiB buffer per worker.  Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aimsgate::model {

struct ModelFile {
  std::string name;  // relative, '/' separators
  std::string path;  // as opened
  uint64_t size = 0;
};

struct TreeProblem {
  std::string name;
  std::string message;
  bool symlink = false;
};

// `skip(name, is_directory)` leaves an entry (and a directory's contents) out.
// False with *error when DIR or a directory under it cannot be read.
bool ListModelFiles(const std::string& dir, bool allow_symlinks,
                    const std::function<bool(const std::string&, bool)>& skip, std::vector<ModelFile>* files,
                    std::vector<TreeProblem>* problems, std::string* error);

struct HashTask {
  const std::string* path = nullptr;
  uint64_t begin = 0;
  uint64_t end = 0;      // exclusive; the range must lie within the file
  std::string digest;    // lower-case hex, set by HashRanges
  std::string error;     // set instead when the file cannot be read (or is shorter than `end`)
};

// Hashes every task with `jobs` threads (0: hardware concurrency).
void HashRanges(std::vector<HashTask>* tasks, int jobs);

}  // namespace aimsgate::model
