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

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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

}  // namespace aimsgate::cel
