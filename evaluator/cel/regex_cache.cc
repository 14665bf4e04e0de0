#include "evaluator/cel/regex_cache.h"

namespace aimsgate::cel {

RegexCache::RegexCache(int64_t max_mem, int32_t max_program_size, size_t capacity)
    : max_mem_(max_mem), max_program_size_(max_program_size), capacity_(capacity) {}

std::shared_ptr<const RE2> RegexCache::Compile(std::string_view pattern, int64_t max_mem, int32_t max_program_size,
                                               std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  auto re = std::make_shared<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    *error = "invalid regular expression '" + std::string(pattern) + "': " + re->error();
    return nullptr;
  }
  if (re->ProgramSize() > max_program_size) {
    *error = "regular expression '" + std::string(pattern) + "' is too complex (program size " +
             std::to_string(re->ProgramSize()) + " over " + std::to_string(max_program_size) + ")";
    return nullptr;
  }
  return re;
}

std::shared_ptr<const RE2> RegexCache::Get(std::string_view pattern, std::string* error) {
  std::string key(pattern);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto re = Compile(pattern, max_mem_, max_program_size_, error);
  if (!re) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= capacity_) cache_.clear();
  cache_.emplace(std::move(key), re);
  return re;
}

}  // namespace aimsgate::cel
