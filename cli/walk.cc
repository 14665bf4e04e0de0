#include "cli/walk.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
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
// The ignore files that apply to a directory, shallowest first; shared, as a
// symlink followed later keeps those of the directory it was found in.
using IgnoreLevels = std::vector<std::shared_ptr<const IgnoreLevel>>;


// What a run has walked, across its arguments: each real directory is walked
// once and each real file taken once, whatever paths (symlinks) lead to them.
struct WalkVisits {
  std::map<std::pair<dev_t, ino_t>, std::string> dirs;  // the path it was walked as
  std::map<std::string, std::string> files;             // real path -> the path it was taken as
};

std::string JoinReal(const std::string& dir_real, const std::string& name) {
  if (dir_real.empty()) return "";  // the walked argument's real path is unknown
  return dir_real == "/" ? "/" + name : dir_real + "/" + name;
}

const char* FileTypeName(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

class Walker {
 public:
  Walker(const WalkOptions& options, const std::vector<PathGlob>& include, const std::vector<PathGlob>& exclude,
         WalkVisits* visits, WalkResult* out)
      : options_(options), include_(include), exclude_(exclude), visits_(visits), out_(out) {}

  void WalkRoot(const std::string& arg) {
    root_real_ = RealPath(arg);
    display_root_ = arg;
    while (display_root_.size() > 1 && display_root_.back() == '/') display_root_.pop_back();
    if (display_root_ == ".") display_root_.clear();
    LoadAncestorIgnoreFiles(&levels_);
    Walk(arg, root_real_, "", 0);
    // Symlinks last: what the tree holds under its own names is taken by them.
    for (size_t i = 0; i < symlinks_.size(); ++i) {  // grows as followed directories hold more
      Symlink link = std::move(symlinks_[i]);
      levels_ = std::move(link.levels);
      Use(link.entry, link.mode, link.depth);
    }
    symlinks_.clear();
    levels_.clear();
  }

 private:
  using DirKey = std::pair<dev_t, ino_t>;
  using DirEntry = std::pair<std::string, unsigned char>;  // name, d_type

  struct Entry {
    std::string name, path, real, rel, shown;  // real: "" when unknown
  };
  struct Symlink {  // found in the tree, followed after the tree's own entries
    Entry entry;
    mode_t mode;  // of the target
    IgnoreLevels levels;
    int depth;
  };

  std::string Display(const std::string& rel) const {
    if (display_root_.empty()) return rel;
    return display_root_ == "/" ? "/" + rel : display_root_ + "/" + rel;
  }

  std::string DirShown(const std::string& rel) const {
    if (!rel.empty()) return StripDotSlash(Display(rel));
    return display_root_.empty() ? "." : StripDotSlash(display_root_);
  }

  void Skip(const std::string& shown, std::string why) {
    out_->skipped.push_back({StripDotSlash(shown), 0, 0, std::move(why)});
  }

  bool Ignored(const IgnoreLevels& levels, const std::string& rel, bool is_dir) const {
    IgnoreRules::Verdict verdict = IgnoreRules::kNoMatch;
    for (const auto& level : levels) {
      std::string sub = level->prefix + (level->base.empty() ? rel : rel.substr(level->base.size() + 1));
      IgnoreRules::Verdict v = level->rules.Match(sub, is_dir);
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

  // A file the walk would take: a manifest extension, not ignored, not excluded, included.
  bool FileSelected(const Entry& e) const {
    if (!HasExtension(e.name, options_.extensions)) return false;
    if (Ignored(levels_, e.rel, false) || AnyMatch(exclude_, e.shown, e.rel, false)) return false;
    return include_.empty() || AnyMatch(include_, e.shown, e.rel, false);
  }

  bool DirSelected(const Entry& e) const {
    return e.name != ".git" && !Ignored(levels_, e.rel, true) && !AnyMatch(exclude_, e.shown, e.rel, true);
  }

  // Inside a git work tree, the ignore files of the directories between the
  // work tree's top (the directory holding .git) and the walked root apply too,
  // as .gitignore files do; outside one, only those in the walked tree.
  void LoadAncestorIgnoreFiles(IgnoreLevels* levels) {
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

  void LoadIgnoreFile(const std::string& dir, const std::string& rel, IgnoreLevels* levels,
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
    if (!rules.empty()) levels->push_back(std::make_shared<const IgnoreLevel>(IgnoreLevel{rel, prefix, std::move(rules)}));
  }

  // Enters a directory unless it is open above (a cycle) or was walked before
  // by another path; false when it is not to be walked.
  bool EnterOnce(const DirKey& key, const std::string& shown) {
    if (open_dirs_.count(key)) {
      Skip(shown, "directory cycle through a symlink; not entered again");
      return false;
    }
    auto [first, fresh] = visits_->dirs.emplace(key, shown);
    if (!fresh) {
      // The same path named twice (`check d d`, `check d d/sub`) needs no note.
      if (first->second != shown) Skip(shown, "same directory as " + first->second + "; not walked again");
      return false;
    }
    open_dirs_.insert(key);
    return true;
  }

  // Each name with its type from the directory entry: a regular file or a
  // directory needs no lstat (2,000 of them were a third of the walk's time).
  bool ReadEntries(const std::string& dir, std::vector<DirEntry>* entries) {
    DIR* d = opendir(dir.c_str());
    if (!d) {
      out_->errors.push_back({StripDotSlash(dir), 0, 0, std::string("cannot read directory: ") + std::strerror(errno)});
      return false;
    }
    while (struct dirent* e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) entries->emplace_back(e->d_name, e->d_type);
    }
    closedir(d);
    std::sort(entries->begin(), entries->end());
    return true;
  }

  void Walk(const std::string& dir, const std::string& dir_real, const std::string& rel, int depth) {
    const std::string shown = DirShown(rel);
    struct stat dst;
    if (stat(dir.c_str(), &dst) != 0) {
      out_->errors.push_back({shown, 0, 0, std::string("cannot stat directory: ") + std::strerror(errno)});
      return;
    }
    const DirKey key(dst.st_dev, dst.st_ino);
    if (!EnterOnce(key, shown)) return;
    std::vector<DirEntry> entries;
    if (depth > kMaxDepth) {
      out_->errors.push_back({shown, 0, 0, "directories nested deeper than 256 levels"});
    } else if (ReadEntries(dir, &entries)) {
      size_t levels_before = levels_.size();
      LoadIgnoreFile(dir, rel, &levels_);
      for (const auto& [name, type] : entries) Visit(dir, dir_real, rel, name, type, depth);
      levels_.resize(levels_before);
    }
    open_dirs_.erase(key);
  }

  void Visit(const std::string& dir, const std::string& dir_real, const std::string& rel, const std::string& name,
             unsigned char type, int depth) {
    // The kubelet's atomic-writer entries of a mounted ConfigMap or Secret
    // (..data, ..2026_01_01_00_00_00.123): each key is also a symlink beside them.
    if (name.compare(0, 2, "..") == 0) return;
    if (type == DT_REG && !HasExtension(name, options_.extensions)) return;
    const std::string child_rel = rel.empty() ? name : rel + "/" + name;
    Entry e{name, dir + "/" + name, JoinReal(dir_real, name), child_rel, Display(child_rel)};
    struct stat st;
    if (!StatEntry(e.path, type, e.shown, &st)) return;
    if (!S_ISLNK(st.st_mode)) {
      Use(e, st.st_mode, depth);
    } else if (FollowSymlink(e.path, e.shown, &st, &e.real)) {
      FollowLater(std::move(e), st, depth);
    }
  }

  // A symlink to a directory open above is a cycle, told at once (the
  // directories open then are its ancestors); any other waits its turn.
  void FollowLater(Entry e, const struct stat& target, int depth) {
    if (S_ISDIR(target.st_mode)) {
      if (!DirSelected(e)) return;
      if (open_dirs_.count(DirKey(target.st_dev, target.st_ino))) {
        Skip(e.shown, "directory cycle through a symlink; not entered again");
        return;
      }
    }
    symlinks_.push_back({std::move(e), target.st_mode, levels_, depth});
  }

  // A directory is walked, a selected regular file taken, any other selected file noted.
  void Use(const Entry& e, mode_t mode, int depth) {
    if (S_ISDIR(mode)) {
      if (DirSelected(e)) Walk(e.path, e.real, e.rel, depth + 1);
    } else if (FileSelected(e)) {
      if (S_ISREG(mode)) {
        TakeOnce(e.real, StripDotSlash(e.shown));
      } else {
        Skip(e.shown, std::string(FileTypeName(mode)) + ", not a regular file; skipped");
      }
    }
  }

  // The entry's type: from the directory entry when it tells, else lstat (an
  // input error when that fails: the entry can be neither read nor skipped knowingly).
  bool StatEntry(const std::string& path, unsigned char type, const std::string& shown, struct stat* st) {
    if (type == DT_REG || type == DT_DIR) {
      st->st_mode = type == DT_REG ? S_IFREG : S_IFDIR;
      return true;
    }
    if (lstat(path.c_str(), st) == 0) return true;
    out_->errors.push_back({StripDotSlash(shown), 0, 0, std::string("cannot stat: ") + std::strerror(errno)});
    return false;
  }

  // *st and *real become the symlink's target's; false (with a note) when it
  // dangles or points out of the walked tree.
  bool FollowSymlink(const std::string& path, const std::string& shown, struct stat* st, std::string* real) {
    std::string target = RealPath(path);
    if (target.empty() || stat(path.c_str(), st) != 0) {
      Skip(shown, "dangling symlink; skipped");
      return false;
    }
    if (root_real_.empty() || !Inside(target, root_real_)) {
      Skip(shown, "symlink points outside the scanned tree (" + target + "); not followed");
      return false;
    }
    *real = std::move(target);
    return true;
  }

  void TakeOnce(const std::string& real, const std::string& shown) {
    auto [first, fresh] = visits_->files.emplace(real.empty() ? shown : real, shown);
    if (fresh) {
      out_->files.push_back(shown);
    } else if (first->second != shown) {
      Skip(shown, "same file as " + first->second + "; not read again");
    }
  }

  const WalkOptions& options_;
  const std::vector<PathGlob>& include_;
  const std::vector<PathGlob>& exclude_;
  WalkVisits* visits_;
  WalkResult* out_;
  std::string root_real_;
  std::string display_root_;
  IgnoreLevels levels_;            // the ignore files that apply to the directory being walked
  std::set<DirKey> open_dirs_;     // the directory being walked and its ancestors
  std::vector<Symlink> symlinks_;  // to follow once the tree's own entries are walked
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
  WalkVisits visits;
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
      Walker walker(options, include, exclude, &visits, &out);
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
