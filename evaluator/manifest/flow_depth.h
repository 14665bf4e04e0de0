// A pre-scan that bounds the nesting of YAML flow collections ([...] and {...})
// before libyaml sees the bytes: libyaml's scanner re-checks every open flow
// level on each token, so 1,000,000 nested `[` cost O(n^2) (minutes) before the
// first event arrives and the loader's depth check can act.
//
//   size_t at = FindExcessiveFlowDepth(bytes, 100);   // npos when fine
//
//   FlowDepthScanner scan(100);                        // the same, fed in blocks
//   size_t at = scan.Feed(block);                      // offset from the first byte fed
//   if (at == npos) at = scan.Finish();
//
// The scan is a light lexer (quotes, comments, block scalars, positions where a
// flow collection may start); it may over- or under-count on exotic inputs, but
// only an input with more than `max_depth` open flow collections trips it.
// O(n), no allocation, thread-compatible (one scanner per stream). Blocks may
// end anywhere, even inside a UTF-8 sequence: the result does not depend on
// where they are cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aimsgate::manifest {

class FlowDepthScanner {
 public:
  explicit FlowDepthScanner(int max_depth) : max_depth_(max_depth) {}
  // Offset (counted from the first byte ever fed) of the `[` or `{` that opens
  // level max_depth + 1, or npos. Once found, later calls return it again.
  size_t Feed(std::string_view block);
  // The end of the input: the last byte is decided (it may wait for its successor).
  size_t Finish();

 private:
  enum class Line { kIndent, kBody, kComment, kSkip };
  // Decides byte `c` at offset `at`, knowing the byte after it (-1 at the end).
  void Step(char c, int next, size_t at);

  int max_depth_;
  int depth_ = 0;
  char quote_ = 0;           // '\'' or '"' while inside a quoted scalar
  long block_parent_ = -1;   // indent of the line that opened a block scalar
  long indent_ = 0;
  Line line_ = Line::kIndent;
  bool token_start_ = true;       // a flow collection or a quoted scalar may start here
  bool block_indicator_ = false;  // the line so far ends with `|` or `>` (+ indicators)
  bool skip_next_ = false;        // the byte after an escape
  char prev_ = 0;
  bool have_held_ = false;        // one byte waits for its successor
  char held_ = 0;
  size_t fed_ = 0;
  size_t found_ = static_cast<size_t>(-1);
};

// Offset of the `[` or `{` that opens level max_depth + 1, or npos.
size_t FindExcessiveFlowDepth(std::string_view yaml, int max_depth);

}  // namespace aimsgate::manifest
