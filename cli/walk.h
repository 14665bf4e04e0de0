// Finding the manifest files of `aimsgate check`: directories walked
// recursively with `.aimsgateignore` files, --include / --exclude globs, and
// symlinks never followed out of the scanned tree.
//
//   WalkOptions opts;
//   opts.exclude = {"charts/**"};
//   WalkResult w = WalkInputs({"deploy/", "extra.yaml", "-"}, opts);
//   w.files;    // "-" first, then every file sorted (byte order), no duplicates
//   w.errors;   // missing paths, unreadable directories, bad ignore patterns
//   w.skipped;  // symlinks out of the tree, dangling symlinks, FIFOs... (not errors)
//
// Rules:
// - A file named on the command line is always taken, whatever its extension,
//   ignore files or globs (as ripgrep does): the user asked for it.
// - In a walked directory a file is taken when its name ends in one of
//   `extensions`, no ignore rule excludes it, no --exclude glob matches it and,
//   when --include globs are given, one of them matches it.
// - `.aimsgateignore` (gitignore syntax, see path_glob.h) in any walked
//   directory applies to that directory's subtree, relative to it; deeper files
//   override shallower ones; an excluded directory is not entered (so, as in
//   git, `!` cannot re-include a file below an excluded directory).  When the
//   walked directory is inside a git work tree, the ignore files of its parent
//   directories up to the work tree's top apply as well (as .gitignore files
//   do), so `check repo/sub` selects the same files as `check repo` does there.
// - --include / --exclude globs are matched against the path as printed (the
//   argument joined with the relative path) and against the path relative to the
//   walked argument; a glob without `/` matches a name at any depth. --exclude
//   also prunes directories.
// - `.git` directories are never entered, nor entries named `..*` (the
//   kubelet's `..data` / `..<timestamp>` of a mounted ConfigMap, whose keys
//   are symlinks beside them and are read through those).
// - A symlink (to a file or directory) is followed only when its resolved target
//   lies inside the walked argument's real path; otherwise it is listed in
//   `skipped`.  Directory cycles are cut (device and inode of the open path).
// - Each real directory (device and inode) is walked once per call and each real
//   file (real path) taken once, whatever symlinks lead to them again; the other
//   paths are listed in `skipped`.  Symlinks are followed after the entries of
//   the walked tree, so what the tree holds is taken under its own name.
// - A selected entry that is not a regular file (FIFO, socket, device) is listed
//   in `skipped`; an entry whose type cannot be read (lstat fails) is an error.
//
// Thread-safety: reentrant (no shared state). Cost: one lstat per entry whose
// directory entry does not tell its type, one realpath per symlink, one RE2
// match per glob or ignore pattern per entry.
#pragma once

#include <string>
#include <vector>

#include "evaluator/kernel/diagnostic.h"

namespace aimsgate::cli {

struct WalkOptions {
  std::vector<std::string> extensions{".yaml", ".yml", ".json"};
  std::vector<std::string> include;  // globs; empty = everything
  std::vector<std::string> exclude;  // globs
  std::string ignore_file = ".aimsgateignore";  // empty = ignore files are not read
};

struct WalkResult {
  std::vector<std::string> files;
  std::vector<Diagnostic> errors;   // source: the path (line and column in an ignore file)
  std::vector<Diagnostic> skipped;  // source: the path; not errors
};

WalkResult WalkInputs(const std::vector<std::string>& paths, const WalkOptions& options);

}  // namespace aimsgate::cli
