// Gitignore-style path globs, compiled once to RE2, for `.aimsgateignore`
// files and the --include / --exclude flags of `aimsgate check`.
//
//   std::vector<std::string> errors;
//   IgnoreRules rules = IgnoreRules::Parse(file_text, &errors);   // errors: "line 3: ..."
//   switch (rules.Match("charts/x/values.yaml", /*is_dir=*/false)) {
//     case IgnoreRules::kIgnored: ...   case IgnoreRules::kIncluded: ...   case IgnoreRules::kNoMatch: ...
//   }
//   PathGlob g("**/generated/*.yaml");  g.ok(); g.Matches("a/generated/x.yaml");
//
// Syntax (gitignore(5)): blank lines and `#` comments are skipped; `!` negates;
// `\#` `\!` `\ ` escape; trailing spaces are dropped; a trailing `/` matches
// directories only; a pattern with a `/` at the start or in the middle is
// anchored to the ignore file's directory, one without matches a name at any
// depth; `*` and `?` never match `/`; `[a-z]`, `[!a-z]` classes; a leading
// `**/`, a trailing `/**` and an inner `/**/` match any number of directories.
// The last matching pattern wins.
//
// Thread-safety: immutable after construction; Match is const and may run
// concurrently. Cost: one RE2 (linear-time) match per pattern per path.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace aimsgate::cli {

// One glob.  `Matches` takes a path relative to the glob's base directory,
// with `/` separators and no leading `./`.
class PathGlob {
 public:
  explicit PathGlob(std::string_view glob);
  ~PathGlob();
  PathGlob(PathGlob&&) noexcept;
  PathGlob& operator=(PathGlob&&) noexcept;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool dir_only() const { return dir_only_; }
  bool Matches(std::string_view path, bool is_dir) const;
  // The RE2 pattern the glob compiled to (tests, diagnostics).
  const std::string& regex() const { return regex_; }

 private:
  std::unique_ptr<re2::RE2> re_;
  std::string regex_;
  std::string error_;
  bool dir_only_ = false;
};

// Translates the glob body (no `!`, no trailing `/`) to an anchored RE2 pattern.
std::string GlobToRegex(std::string_view glob);

class IgnoreRules {
 public:
  enum Verdict { kNoMatch = 0, kIgnored = 1, kIncluded = 2 };

  static IgnoreRules Parse(std::string_view text, std::vector<std::string>* errors);
  Verdict Match(std::string_view path, bool is_dir) const;
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    PathGlob glob;
    bool negate;
  };
  std::vector<Pattern> patterns_;
};

}  // namespace aimsgate::cli
