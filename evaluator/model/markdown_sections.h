// Internal to evaluator/model: the ATX-heading sections of a Markdown document,
// for finding "Limitations", "Uses", ... in a model card body.
//
//   for (const MarkdownSection& s : ParseMarkdownSections(body)) {
//     if (s.title == "Uses" && !s.content.empty()) ...
//   }
//
// A section's content is every non-heading line up to the next heading of the
// same or a higher level (so subsections count), with HTML comments and the lines
// holding the Hugging Face template placeholder "[More Information Needed]"
// removed, then trimmed:
// a section holding only template text has empty content.  Fenced code blocks are
// content, never headings.  Linear in the input (at most 6 open sections).
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aimsgate::model {

struct MarkdownSection {
  int level = 1;      // 1..6 ('#' count)
  std::string title;  // heading text, trimmed, closing '#'s removed
  int line = 0;       // 1-based line of the heading within `text`
  std::string content;
};

std::vector<MarkdownSection> ParseMarkdownSections(std::string_view text);

// ASCII lower-case copy.
std::string AsciiLower(std::string_view s);
// Copy without leading and trailing ASCII whitespace.
std::string TrimAscii(std::string_view s);

}  // namespace aimsgate::model
