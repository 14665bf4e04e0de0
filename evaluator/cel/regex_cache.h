// Compiles RE2 regular expressions under the budgets of cel::Limits, and
// caches patterns that only become known during evaluation (e.g. from params).
//
//   std::string err;
//   auto re = RegexCache::Compile("^ml-.*", 8 << 20, 10000, &err);   // at plan time
//   RegexCache cache(limits.regex_max_mem, limits.regex_max_program_size);
//   auto re2 = cache.Get(pattern, &err);                              // at eval time
//
// Thread-safety: Get is thread-safe (one mutex, held only for the lookup and
// insertion, never while compiling).  Cost: the cache holds at most `capacity`
// patterns and is cleared when full, so memory stays bounded.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aimsgate::cel {

class RegexCache {
 public:
  RegexCache(int64_t max_mem, int32_t max_program_size, size_t capacity = 256);

  // Returns the compiled pattern, or null and an error message.
  std::shared_ptr<const RE2> Get(std::string_view pattern, std::string* error);

  static std::shared_ptr<const RE2> Compile(std::string_view pattern, int64_t max_mem, int32_t max_program_size,
                                            std::string* error);

 private:
  const int64_t max_mem_;
  const int32_t max_program_size_;
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const RE2>> cache_;
};

// The constant patterns of one Env, compiled once at plan time.  Every node that
// matches the same constant pattern (one digest check in many rules, a helper
// body planned again for each specialization) shares one RE2, whose DFA then
// warms once, and one match-memo id (match_memo.h), so an answer stored by one
// rule serves the next.  Before, each node compiled its own: a pack of 1,000
// rules held 100 copies of each pattern, and their memo entries evicted each other.
//
//   PatternTable table(limits.regex_max_mem, limits.regex_max_program_size);
//   PatternTable::Regex r = table.Get("@sha256:[0-9a-f]{64}$");   // r.re null: r.error says why
//   PatternTable::Set s = table.GetSet({"^a", "^b"});              // s.set null: use the loop
//
// Thread-safety: locked (plan time may run on several threads once the Env is
// built), never while compiling.  Cost: one entry per distinct pattern or
// pattern list of the Env, kept as long as the Env (its nodes hold them anyway).
class PatternTable {
 public:
  struct Regex {
    std::shared_ptr<const RE2> re;  // null: invalid or over the limits
    uint64_t memo_id = 0;
    std::string error;
  };
  struct Set {
    std::shared_ptr<const RE2::Set> set;  // null: a pattern is invalid or over the limits
    uint64_t memo_id_exists = 0;          // the memo's answers differ for exists() and all()
    uint64_t memo_id_all = 0;
  };

  PatternTable(int64_t max_mem, int32_t max_program_size) : max_mem_(max_mem), max_program_size_(max_program_size) {}

  Regex Get(std::string_view pattern);
  // Each pattern must pass the limits on its own, as it would in a loop of matches().
  Set GetSet(const std::vector<std::string_view>& patterns);

 private:
  const int64_t max_mem_;
  const int32_t max_program_size_;
  std::mutex mu_;
  std::unordered_map<std::string, Regex> regexes_;
  std::unordered_map<std::string, Set> sets_;  // keyed by the length-prefixed patterns
};

}  // namespace aimsgate::cel
