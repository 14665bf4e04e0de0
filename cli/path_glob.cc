#include "cli/path_glob.h"

#include <re2/re2.h>

namespace aimsgate::cli {
namespace {

// Appends `c` to a regex as a literal.
void AppendLiteral(char c, std::string* out) {
  *out += RE2::QuoteMeta(std::string_view(&c, 1));
}

// Translates a `[...]` class starting at glob[i] == '['; returns the index
// after `]`, or i when the class is unterminated (then `[` is a literal).
size_t AppendClass(std::string_view glob, size_t i, std::string* out) {
  size_t j = i + 1;
  bool negate = j < glob.size() && (glob[j] == '!' || glob[j] == '^');
  if (negate) ++j;
  size_t first = j;
  // A `]` right after `[` or `[!` is a member, as in fnmatch.
  if (j < glob.size() && glob[j] == ']') ++j;
  while (j < glob.size() && glob[j] != ']') {
    if (glob[j] == '\\' && j + 1 < glob.size()) ++j;
    ++j;
  }
  if (j >= glob.size()) return i;
  std::string cls = negate ? "[^/" : "[";
  for (size_t k = first; k < j; ++k) {
    char c = glob[k];
    if (c == '\\' && k + 1 < j) c = glob[++k];
    if (c == '-' && k != first && k + 1 < j) {
      cls += '-';
      continue;
    }
    if (c == '/') continue;  // '/' separates components: a class never matches it
    if (c == '\\' || c == ']' || c == '[' || c == '^' || c == '-') cls += '\\';
    cls += c;
  }
  cls += ']';
  *out += cls;
  return j + 1;
}

}  // namespace

std::string GlobToRegex(std::string_view glob) {
  if (glob == "**") return "^.*$";
  bool anchored = glob.find('/') != std::string_view::npos;
  if (!glob.empty() && glob[0] == '/') glob.remove_prefix(1);
  std::string body;
  size_t i = 0;
  while (i < glob.size()) {
    char c = glob[i];
    if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
      bool at_start = i == 0 || glob[i - 1] == '/';
      bool at_end = i + 2 == glob.size();
      bool before_slash = i + 2 < glob.size() && glob[i + 2] == '/';
      if (at_start && before_slash) {  // "**/" or "/**/": zero or more directories
        body += "(?:.*/)?";
        i += 3;
        continue;
      }
      if (at_start && at_end) {  // "/**": everything inside
        body += ".*";
        i += 2;
        continue;
      }
      body += "[^/]*";  // other "**" are plain "*"
      while (i < glob.size() && glob[i] == '*') ++i;
      continue;
    }
    switch (c) {
      case '*':
        body += "[^/]*";
        ++i;
        break;
      case '?':
        body += "[^/]";
        ++i;
        break;
      case '[': {
        size_t next = AppendClass(glob, i, &body);
        if (next == i) {
          AppendLiteral('[', &body);
          ++i;
        } else {
          i = next;
        }
        break;
      }
      case '\\':
        if (i + 1 < glob.size()) ++i;
        AppendLiteral(glob[i], &body);
        ++i;
        break;
      default:
        AppendLiteral(c, &body);
        ++i;
    }
  }
  return anchored ? "^" + body + "$" : "^(?:.*/)?" + body + "$";
}

PathGlob::PathGlob(std::string_view glob) {
  if (glob.size() > 1 && glob.back() == '/') {
    dir_only_ = true;
    glob.remove_suffix(1);
  }
  if (glob.empty() || glob == "/") {
    error_ = "empty pattern";
    return;
  }
  regex_ = GlobToRegex(glob);
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(1 << 20);
  re_ = std::make_unique<RE2>(regex_, options);
  if (!re_->ok()) error_ = "invalid pattern: " + re_->error();
}

PathGlob::~PathGlob() = default;
PathGlob::PathGlob(PathGlob&&) noexcept = default;
PathGlob& PathGlob::operator=(PathGlob&&) noexcept = default;

bool PathGlob::Matches(std::string_view path, bool is_dir) const {
  if (!ok() || (dir_only_ && !is_dir)) return false;
  return RE2::FullMatch(path, *re_);
}

IgnoreRules IgnoreRules::Parse(std::string_view text, std::vector<std::string>* errors) {
  IgnoreRules rules;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Trailing spaces are dropped unless escaped with a backslash.
    while (!line.empty() && line.back() == ' ' && !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
      line.remove_suffix(1);
    }
    if (line.empty() || line[0] == '#') continue;
    bool negate = false;
    if (line[0] == '!') {
      negate = true;
      line.remove_prefix(1);
    } else if (line.size() >= 2 && line[0] == '\\' && (line[1] == '!' || line[1] == '#')) {
      line.remove_prefix(1);
    }
    PathGlob glob(line);
    if (!glob.ok()) {
      errors->push_back("line " + std::to_string(line_no) + ": " + glob.error());
      continue;
    }
    rules.patterns_.push_back({std::move(glob), negate});
  }
  return rules;
}

IgnoreRules::Verdict IgnoreRules::Match(std::string_view path, bool is_dir) const {
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->glob.Matches(path, is_dir)) return it->negate ? kIncluded : kIgnored;
  }
  return kNoMatch;
}

}  // namespace aimsgate::cli
