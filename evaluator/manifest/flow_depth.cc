#include "evaluator/manifest/flow_depth.h"

namespace aimsgate::manifest {
namespace {

// Bytes that never open, close or quote anything: letters, digits, '.', '/', '_'
// and UTF-8 (the bulk of a manifest).
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
constexpr size_t kNone = static_cast<size_t>(-1);

}  // namespace

size_t FlowDepthScanner::Feed(std::string_view block) {
  for (char c : block) {
    if (found_ != kNone) return found_;
    if (have_held_) Step(held_, static_cast<unsigned char>(c), fed_ - 1);
    held_ = c;
    have_held_ = true;
    ++fed_;
  }
  return found_;
}

size_t FlowDepthScanner::Finish() {
  if (have_held_ && found_ == kNone) Step(held_, -1, fed_ - 1);
  have_held_ = false;
  return found_;
}

void FlowDepthScanner::Step(char c, int next, size_t at) {
  const char prev = prev_;
  prev_ = c;
  if (line_ == Line::kIndent) {
    if (c == ' ') {
      ++indent_;
      return;
    }
    // The first byte after the indentation.
    if (block_parent_ >= 0 && quote_ == 0) {
      if (c == '\n' || c == '\r' || indent_ > block_parent_) {
        line_ = Line::kSkip;  // block scalar content: skip the line
      } else {
        block_parent_ = -1;
      }
    }
    if (line_ != Line::kSkip) {
      token_start_ = true;
      block_indicator_ = false;
      line_ = Line::kBody;
    }
  }
  if (line_ == Line::kSkip) {
    if (c == '\n') {
      line_ = Line::kIndent;
      indent_ = 0;
    }
    return;
  }
  if (skip_next_) {  // the byte after `\` or the second `'` of `''`, newline or not
    skip_next_ = false;
    return;
  }
  if (c == '\n') {  // end of the line (a comment ends here too)
    if (block_indicator_ && quote_ == 0) block_parent_ = indent_;
    line_ = Line::kIndent;
    indent_ = 0;
    return;
  }
  if (line_ == Line::kComment) return;
  if (quote_ == '\'') {
    if (c == '\'') {
      if (next == '\'') {
        skip_next_ = true;
      } else {
        quote_ = 0;
        token_start_ = false;
      }
    }
    return;
  }
  if (quote_ == '"') {
    if (c == '\\') {
      skip_next_ = true;
    } else if (c == '"') {
      quote_ = 0;
      token_start_ = false;
    }
    return;
  }
  if (c == ' ' || c == '\t' || c == '\r') return;
  if (!block_indicator_ && kPlain.plain[static_cast<unsigned char>(c)]) {
    token_start_ = false;
    return;
  }
  if (c == '#' && (at == 0 || prev == ' ' || prev == '\t')) {
    line_ = Line::kComment;
    return;
  }
  if (block_indicator_ && !((c >= '0' && c <= '9') || c == '+' || c == '-')) block_indicator_ = false;
  const bool next_ends = next < 0 || next == ' ' || next == '\n' || next == '\r';
  switch (c) {
    case '[':
    case '{':
      if (token_start_) {  // else text inside a plain scalar such as `x[0]`
        if (++depth_ > max_depth_) found_ = at;
      }
      break;
    case ']':
    case '}':
      if (depth_ > 0) --depth_;
      token_start_ = false;
      break;
    case ',':  // a separator only inside flow collections
      token_start_ = depth_ > 0;
      break;
    case ':':  // `key: value`, or `"key":value` in flow collections
    case '?':
      token_start_ = depth_ > 0 || next_ends;
      break;
    case '-':
      if (!token_start_) break;
      token_start_ = next < 0 || next == ' ' || next == '\n';
      break;
    case '\'':
    case '"':
      if (token_start_) quote_ = c;
      token_start_ = false;
      break;
    case '|':
    case '>':
      if (token_start_ && depth_ == 0) block_indicator_ = true;
      token_start_ = false;
      break;
    default:
      token_start_ = false;
      break;
  }
}

size_t FindExcessiveFlowDepth(std::string_view yaml, int max_depth) {
  FlowDepthScanner scanner(max_depth);
  size_t at = scanner.Feed(yaml);
  return at != kNone ? at : scanner.Finish();
}

}  // namespace aimsgate::manifest
