// A pre-scan that bounds the nesting of YAML flow collections ([...] and {...})
// before libyaml sees the bytes: libyaml's scanner re-checks every open flow
// level on each token, so 1,000,000 nested `[` cost O(n^2) (minutes) before the
// first event arrives and the loader's depth check can act.
//
//   size_t at = FindExcessiveFlowDepth(bytes, 100);   // npos when fine
//
// The scan is a light lexer (quotes, comments, block scalars, positions where a
// flow collection may start); it may over- or under-count on exotic inputs, but
// only an input with more than `max_depth` open flow collections trips it.
// O(n), no allocation, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace aimsgate::manifest {

// Offset of the `[` or `{` that opens level max_depth + 1, or npos.
size_t FindExcessiveFlowDepth(std::string_view yaml, int max_depth);

}  // namespace aimsgate::manifest
