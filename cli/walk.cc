#include "cli/walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <utility>

#include "cli/path_glob.h"
#include "evaluator/kernel/read_file.h"

namespace aimsgate::cli {
namespace {

constexpr int kMaxDepth = 256;

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

bool Inside(const std::string& real, const std::string& root) {
  if (root == "/") return true;
  return real == root || (real.size() > root.size() && real.compare(0, root.size(), root) == 0 &&
                          real[root.size()] == '/');
}

bool HasExtension(const std::string& name, const std::vector<std::string>& extensions) {
  for (const auto& ext : extensions) {
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

std::string StripDotSlash(std::string p) {
  while (p.size() > 2 && p.compare(0, 2, "./") == 0) p.erase(0, 2);
  return p;
}

struct IgnoreLevel {
  std::string base;    // directory of the ignore file, relative to the walked root ("" = root or above)
  std::string prefix;  // for ignore files above the root: the root's path relative to their directory + "/"
  IgnoreRules rules;
};


class Walker {
 public:
  Walker(const WalkOptions& options, const std::vector<PathGlob>& include, const std::vector<PathGlob>& exclude,
         WalkResult* out)
      : options_(options), include_(include), exclude_(exclude), out_(out) {}

  void WalkRoot(const std::string& arg) {
    root_real_ = RealPath(arg);
    display_root_ = arg;
    while (display_root_.size() > 1 && display_root_.back() == '/') display_root_.pop_back();
    if (display_root_ == ".") display_root_.clear();
    std::vector<IgnoreLevel> levels;
    LoadAncestorIgnoreFiles(&levels);
    std::set<std::pair<dev_t, ino_t>> open_dirs;
    Walk(arg, "", &levels, &open_dirs, 0);
  }

 private:
  std::string Display(const std::string& rel) const {
    if (display_root_.empty()) return rel;
    return display_root_ == "/" ? "/" + rel : display_root_ + "/" + rel;
  }

  bool Ignored(const std::vector<IgnoreLevel>& levels, const std::string& rel, bool is_dir) const {
    IgnoreRules::Verdict verdict = IgnoreRules::kNoMatch;
    for (const auto& level : levels) {
      std::string sub = level.prefix + (level.base.empty() ? rel : rel.substr(level.base.size() + 1));
      IgnoreRules::Verdict v = level.rules.Match(sub, is_dir);
      if (v != IgnoreRules::kNoMatch) verdict = v;
    }
    return verdict == IgnoreRules::kIgnored;
  }

  static bool AnyMatch(const std::vector<PathGlob>& globs, const std::string& display, const std::string& rel,
                       bool is_dir) {
    std::string shown = StripDotSlash(display);
    for (const auto& g : globs) {
      if (g.Matches(shown, is_dir) || g.Matches(rel, is_dir)) return true;
    }
    return false;
  }

  // Inside a git work tree, the ignore files of the directories between the
  // work tree's top (the directory holding .git) and the walked root apply too,
  // as .gitignore files do; outside one, only those in the walked tree.
  void LoadAncestorIgnoreFiles(std::vector<IgnoreLevel>* levels) {
    if (options_.ignore_file.empty() || root_real_.empty()) return;
    std::vector<std::string> ancestors;  // nearest first
    std::string dir = root_real_;
    bool in_git = false;
    while (true) {
      if (access((dir + "/.git").c_str(), F_OK) == 0) {  // a directory, or a file in a linked work tree
        in_git = true;
        break;
      }
      size_t slash = dir.rfind('/');
      if (slash == std::string::npos || dir == "/") break;
      dir = slash == 0 ? "/" : dir.substr(0, slash);
      ancestors.push_back(dir);
    }
    if (!in_git) return;
    for (auto it = ancestors.rbegin(); it != ancestors.rend(); ++it) {
      std::string prefix = root_real_.substr(*it == "/" ? 1 : it->size() + 1) + "/";
      LoadIgnoreFile(*it, "", levels, prefix, *it + "/" + options_.ignore_file);
    }
  }

  void LoadIgnoreFile(const std::string& dir, const std::string& rel, std::vector<IgnoreLevel>* levels,
                      const std::string& prefix = "", const std::string& shown_path = "") {
    if (options_.ignore_file.empty()) return;
    std::string path = dir + "/" + options_.ignore_file;
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    std::string shown = !shown_path.empty() ? shown_path
                        : StripDotSlash(Display(rel.empty() ? options_.ignore_file : rel + "/" + options_.ignore_file));
    std::string text, why;
    if (!kernel::ReadWholeFile(path, kernel::kMaxSmallFileBytes, &text, &why)) {
      out_->errors.push_back({shown, 0, 0, "cannot read the ignore file: " + why});
      return;
    }
    std::vector<std::string> errors;
    IgnoreRules rules = IgnoreRules::Parse(text, &errors);
    for (const auto& e : errors) {
      // "line N: message"
      int line = std::atoi(e.c_str() + 5);
      out_->errors.push_back({shown, line, 1, e.substr(e.find(':') + 2)});
    }
    if (!rules.empty()) levels->push_back({rel, prefix, std::move(rules)});
  }

  void Walk(const std::string& dir, const std::string& rel, std::vector<IgnoreLevel>* levels,
            std::set<std::pair<dev_t, ino_t>>* open_dirs, int depth) {
    struct stat dst;
    if (stat(dir.c_str(), &dst) != 0) return;
    auto key = std::make_pair(dst.st_dev, dst.st_ino);
    if (!open_dirs->insert(key).second) {
      out_->skipped.push_back({StripDotSlash(Display(rel)), 0, 0, "directory cycle through a symlink; not entered again"});
      return;
    }
    if (depth > kMaxDepth) {
      out_->errors.push_back({StripDotSlash(Display(rel)), 0, 0, "directories nested deeper than 256 levels"});
      open_dirs->erase(key);
      return;
    }
    DIR* d = opendir(dir.c_str());
    if (!d) {
      out_->errors.push_back({StripDotSlash(dir), 0, 0, std::string("cannot read directory: ") + std::strerror(errno)});
      open_dirs->erase(key);
      return;
    }
    // Each name with its type from the directory entry: a regular file or a
    // directory needs no lstat (2,000 of them were a third of the walk's time).
    std::vector<std::pair<std::string, unsigned char>> names;
    while (struct dirent* e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name, e->d_type);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    size_t levels_before = levels->size();
    LoadIgnoreFile(dir, rel, levels);

    for (const auto& [name, type] : names) {
      // The kubelet's atomic-writer entries of a mounted ConfigMap or Secret
      // (..data, ..2026_01_01_00_00_00.123): each key is also a symlink beside them.
      if (name.compare(0, 2, "..") == 0) continue;
      if (type == DT_REG && !HasExtension(name, options_.extensions)) continue;
      std::string path = dir + "/" + name;
      std::string child_rel = rel.empty() ? name : rel + "/" + name;
      std::string shown = Display(child_rel);
      struct stat st;
      if (type == DT_REG) {
        st.st_mode = S_IFREG;
      } else if (type == DT_DIR) {
        st.st_mode = S_IFDIR;
      } else if (lstat(path.c_str(), &st) != 0) {
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        std::string target = RealPath(path);
        if (target.empty() || stat(path.c_str(), &st) != 0) {
          out_->skipped.push_back({StripDotSlash(shown), 0, 0, "dangling symlink; skipped"});
          continue;
        }
        if (root_real_.empty() || !Inside(target, root_real_)) {
          out_->skipped.push_back({StripDotSlash(shown), 0, 0, "symlink points outside the scanned tree (" + target +
                                                                 "); not followed"});
          continue;
        }
      }
      if (S_ISDIR(st.st_mode)) {
        if (name == ".git") continue;
        if (Ignored(*levels, child_rel, true) || AnyMatch(exclude_, shown, child_rel, true)) continue;
        Walk(path, child_rel, levels, open_dirs, depth + 1);
      } else if (S_ISREG(st.st_mode)) {
        if (!HasExtension(name, options_.extensions)) continue;
        if (Ignored(*levels, child_rel, false) || AnyMatch(exclude_, shown, child_rel, false)) continue;
        if (!include_.empty() && !AnyMatch(include_, shown, child_rel, false)) continue;
        out_->files.push_back(StripDotSlash(shown));
      }
    }
    levels->resize(levels_before);
    open_dirs->erase(key);
  }

  const WalkOptions& options_;
  const std::vector<PathGlob>& include_;
  const std::vector<PathGlob>& exclude_;
  WalkResult* out_;
  std::string root_real_;
  std::string display_root_;
};

std::vector<PathGlob> CompileGlobs(const std::vector<std::string>& globs, const char* flag, WalkResult* out) {
  std::vector<PathGlob> compiled;
  for (const auto& g : globs) {
    PathGlob glob(g);
    if (!glob.ok()) {
      out->errors.push_back({flag, 0, 0, "'" + g + "': " + glob.error()});
      continue;
    }
    compiled.push_back(std::move(glob));
  }
  return compiled;
}

}  // namespace

WalkResult WalkInputs(const std::vector<std::string>& paths, const WalkOptions& options) {
  WalkResult out;
  std::vector<PathGlob> include = CompileGlobs(options.include, "--include", &out);
  std::vector<PathGlob> exclude = CompileGlobs(options.exclude, "--exclude", &out);
  bool stdin_wanted = false;
  for (const auto& path : paths) {
    if (path == "-") {
      stdin_wanted = true;
      continue;
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      out.errors.push_back({path, 0, 0, errno == ENOENT ? "no such file or directory" : std::strerror(errno)});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      Walker walker(options, include, exclude, &out);
      walker.WalkRoot(path);
    } else {
      out.files.push_back(StripDotSlash(path));
    }
  }
  std::sort(out.files.begin(), out.files.end());
  out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
  if (stdin_wanted) out.files.insert(out.files.begin(), "-");
  return out;
}

}  // namespace aimsgate::cli
