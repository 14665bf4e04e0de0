#include "evaluator/cel/regex_cache.h"

#include "evaluator/cel/match_memo.h"

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

PatternTable::Regex PatternTable::Get(std::string_view pattern) {
  std::string key(pattern);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = regexes_.find(key);
    if (it != regexes_.end()) return it->second;
  }
  Regex r;
  r.re = RegexCache::Compile(pattern, max_mem_, max_program_size_, &r.error);
  if (r.re) r.memo_id = internal::MatchMemo::NewMatcherId();
  std::lock_guard<std::mutex> lock(mu_);
  return regexes_.emplace(std::move(key), std::move(r)).first->second;
}

PatternTable::Set PatternTable::GetSet(const std::vector<std::string_view>& patterns) {
  std::string key;
  for (std::string_view p : patterns) key.append(std::to_string(p.size())).append(":").append(p);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sets_.find(key);
    if (it != sets_.end()) return it->second;
  }
  Set s;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_mem_);
  auto set = std::make_shared<RE2::Set>(options, RE2::UNANCHORED);
  bool ok = !patterns.empty();
  for (size_t i = 0; ok && i < patterns.size(); ++i) {
    std::string err;
    ok = Get(patterns[i]).re != nullptr && set->Add(re2::StringPiece(patterns[i].data(), patterns[i].size()), &err) >= 0;
  }
  if (ok && set->Compile()) {
    s.set = std::move(set);
    s.memo_id_exists = internal::MatchMemo::NewMatcherId();
    s.memo_id_all = internal::MatchMemo::NewMatcherId();
  }
  std::lock_guard<std::mutex> lock(mu_);
  return sets_.emplace(std::move(key), std::move(s)).first->second;
}

}  // namespace aimsgate::cel
