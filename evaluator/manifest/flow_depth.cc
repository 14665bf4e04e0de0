#include "evaluator/manifest/flow_depth.h"

namespace aimsgate::manifest {
namespace {

// Bytes that never open, close or quote anything: letters, digits, '.', '/', '_'
// and UTF-8 (the bulk of a manifest). Runs of them are skipped in one loop.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 'a'; c <= 'z'; ++c) plain[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) plain[c] = true;
    for (int c = '0'; c <= '9'; ++c) plain[c] = true;
    for (int c = 0x80; c < 256; ++c) plain[c] = true;
    plain[static_cast<int>('.')] = plain[static_cast<int>('/')] = plain[static_cast<int>('_')] = true;
  }
};
constexpr PlainTable kPlain;

}  // namespace

size_t FindExcessiveFlowDepth(std::string_view s, int max_depth) {
  const size_t n = s.size();
  int depth = 0;
  char quote = 0;               // '\'' or '"' while inside a quoted scalar
  long block_parent = -1;       // indent of the line that opened a block scalar
  size_t i = 0;
  while (i < n) {
    // Start of a line: its indentation.
    size_t line_start = i;
    while (i < n && s[i] == ' ') ++i;
    long indent = static_cast<long>(i - line_start);
    if (block_parent >= 0 && quote == 0) {
      bool blank = i >= n || s[i] == '\n' || s[i] == '\r';
      if (blank || indent > block_parent) {  // block scalar content: skip the line
        while (i < n && s[i] != '\n') ++i;
        ++i;
        continue;
      }
      block_parent = -1;
    }
    bool token_start = true;   // a flow collection or a quoted scalar may start here
    bool block_indicator = false;  // the line so far ends with `|` or `>` (+ indicators)
    for (; i < n && s[i] != '\n'; ++i) {
      char c = s[i];
      if (quote == '\'') {
        if (c == '\'') {
          if (i + 1 < n && s[i + 1] == '\'') {
            ++i;
          } else {
            quote = 0;
            token_start = false;
          }
        }
        continue;
      }
      if (quote == '"') {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quote = 0;
          token_start = false;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') continue;
      if (!block_indicator && kPlain.plain[static_cast<unsigned char>(c)]) {
        token_start = false;
        while (i + 1 < n && kPlain.plain[static_cast<unsigned char>(s[i + 1])]) ++i;
        continue;
      }
      if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
        while (i < n && s[i] != '\n') ++i;
        break;
      }
      if (block_indicator && !((c >= '0' && c <= '9') || c == '+' || c == '-')) block_indicator = false;
      switch (c) {
        case '[':
        case '{':
          if (token_start) {  // else text inside a plain scalar such as `x[0]`
            if (++depth > max_depth) return i;
          }
          break;
        case ']':
        case '}':
          if (depth > 0) --depth;
          token_start = false;
          break;
        case ',':  // a separator only inside flow collections
          token_start = depth > 0;
          break;
        case ':':  // `key: value`, or `"key":value` in flow collections
        case '?':
          token_start = depth > 0 || i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\n' ||
                        s[i + 1] == '\r';
          break;
        case '-':
          if (!token_start) break;
          token_start = i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\n';
          break;
        case '\'':
        case '"':
          if (token_start) quote = c;
          token_start = false;
          break;
        case '|':
        case '>':
          if (token_start && depth == 0) block_indicator = true;
          token_start = false;
          break;
        default:
          token_start = false;
          break;
      }
    }
    if (block_indicator && quote == 0) block_parent = indent;
    ++i;  // the newline
  }
  return std::string_view::npos;
}

}  // namespace aimsgate::manifest
