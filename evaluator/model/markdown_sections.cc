#include "evaluator/model/markdown_sections.h"

#include <cstddef>

namespace aimsgate::model {
namespace {

constexpr std::string_view kPlaceholder = "[More Information Needed]";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Returns the heading level (1..6) of an ATX heading line, 0 otherwise.
int HeadingLevel(std::string_view line, std::string* title) {
  size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  size_t hashes = 0;
  while (i + hashes < line.size() && line[i + hashes] == '#') ++hashes;
  if (hashes == 0 || hashes > 6) return 0;
  size_t rest = i + hashes;
  if (rest < line.size() && line[rest] != ' ' && line[rest] != '\t') return 0;
  std::string t = TrimAscii(line.substr(rest));
  while (!t.empty() && t.back() == '#') t.pop_back();
  *title = TrimAscii(t);
  return static_cast<int>(hashes);
}

bool IsFence(std::string_view line) {
  std::string t = TrimAscii(line);
  return t.rfind("```", 0) == 0 || t.rfind("~~~", 0) == 0;
}

// Removes HTML comments (tracking ones spanning lines) and the placeholder.
std::string CleanLine(std::string_view line, bool* in_comment) {
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    if (*in_comment) {
      size_t end = line.find("-->", i);
      if (end == std::string_view::npos) return out;
      *in_comment = false;
      i = end + 3;
      continue;
    }
    size_t open = line.find("<!--", i);
    if (open == std::string_view::npos) {
      out.append(line.substr(i));
      break;
    }
    out.append(line.substr(i, open - i));
    *in_comment = true;
    i = open + 4;
  }
  // A template line with its placeholder ("- **Hardware Type:** [More Information
  // Needed]") carries no information: drop the whole line.
  if (out.find(kPlaceholder) != std::string::npos) return "";
  return out;
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string TrimAscii(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<MarkdownSection> ParseMarkdownSections(std::string_view text) {
  std::vector<MarkdownSection> sections;
  std::vector<size_t> open;  // indices into sections, strictly increasing levels
  bool in_fence = false;
  bool in_comment = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    std::string title;
    int level = 0;
    if (IsFence(line)) {
      in_fence = !in_fence;
    } else if (!in_fence && !in_comment) {
      level = HeadingLevel(line, &title);
    }
    if (level > 0) {
      while (!open.empty() && sections[open.back()].level >= level) open.pop_back();
      MarkdownSection s;
      s.level = level;
      s.title = std::move(title);
      s.line = line_no;
      sections.push_back(std::move(s));
      open.push_back(sections.size() - 1);
    } else {
      std::string cleaned = in_fence ? std::string(line) : CleanLine(line, &in_comment);
      if (!TrimAscii(cleaned).empty()) {
        for (size_t idx : open) {
          std::string& c = sections[idx].content;
          if (!c.empty()) c.push_back('\n');
          c.append(TrimAscii(cleaned));
        }
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  for (MarkdownSection& s : sections) s.content = TrimAscii(s.content);
  return sections;
}

}  // namespace aimsgate::model
