// The state behind cel::Env: declared variables, compiled helper functions,
// limits and the regex cache.  Programs hold a shared_ptr to it, so they stay
// valid after the Env is destroyed.
//
// Thread-safety: mutated only while the Env is being built (single thread);
// read-only afterwards, except the regex cache and the pattern table, which
// are internally locked.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "evaluator/cel/cel.h"
#include "evaluator/cel/regex_cache.h"
#include "evaluator/cel/runtime.h"

namespace aimsgate::cel {

struct HelperDef {
  std::string name;
  std::vector<std::string> params;
  internal::NodePtr body;
  int num_locals = 0;  // parameters first, then comprehension variables
  ExprPtr ast;         // the checked body, for specialization (planner.h)
  Env::NativeHelper native = nullptr;  // Env::SetNative
};

// A helper's body planned for one call whose arguments read the activation
// only (hasAnnotation(object, 'owner')): the parameters replaced by the
// argument expressions, so constants fold (params.prefix + key) and inner
// helper calls become memoized and specialized in turn.  `body` is null when
// the call could not be specialized (it then runs the generic body).
struct SpecializedHelper {
  internal::NodePtr body;
  int num_locals = 0;
};

class EnvImpl {
 public:
  explicit EnvImpl(const Limits& l)
      : limits(l), regex_cache(l.regex_max_mem, l.regex_max_program_size),
        patterns(l.regex_max_mem, l.regex_max_program_size) {}

  int FindVariable(const std::string& name) const {
    auto it = var_slots.find(name);
    return it == var_slots.end() ? -1 : it->second;
  }
  // One address per distinct field name, the key of EvalContext::FindMember.
  // Locked: Compile may run on many threads once the Env is built.
  const std::string* InternField(const std::string& name) const {
    std::lock_guard<std::mutex> lock(fields_mu);
    return &*fields.insert(name).first;
  }
  const HelperDef* FindHelper(const std::string& name) const {
    auto it = helper_index.find(name);
    return it == helper_index.end() ? nullptr : it->second;
  }
  // The constant bound to variable `slot` (Env::BindConstant), or null.
  const Value* ConstantFor(int slot) const {
    auto it = constants.find(slot);
    return it == constants.end() ? nullptr : &it->second;
  }
  // The Activation memo slot of a helper call that depends on the activation
  // only (isAISystem(object), hasAnnotation(object, 'owner')), keyed by its
  // canonical text so that every program of the Env shares it.  Locked like
  // InternField.
  // The specialization of the helper call `key` (the memo key), or null when
  // none was tried yet.
  const SpecializedHelper* FindSpecialized(const std::string& key) const {
    std::lock_guard<std::mutex> lock(spec_mu);
    auto it = specialized.find(key);
    return it == specialized.end() ? nullptr : it->second.get();
  }
  // Keeps `s` under `key` (or the one another thread stored first).
  const SpecializedHelper* AddSpecialized(const std::string& key, std::unique_ptr<SpecializedHelper> s) const {
    std::lock_guard<std::mutex> lock(spec_mu);
    return specialized.emplace(key, std::move(s)).first->second.get();
  }
  // Whether planning the arguments of the helper call `key` added no
  // diagnostic, in a planner that reports type errors (`reporting`) or not;
  // one that does reports a superset.  Locked like FindSpecialized.
  bool CleanArgs(const std::string& key, bool reporting) const {
    std::lock_guard<std::mutex> lock(spec_mu);
    auto it = clean_args.find(key);
    if (it == clean_args.end()) return false;
    return (it->second & 2) != 0 || (!reporting && (it->second & 1) != 0);
  }
  void SetCleanArgs(const std::string& key, bool reporting) const {
    std::lock_guard<std::mutex> lock(spec_mu);
    clean_args[key] |= reporting ? 2 : 1;
  }
  int MemoSlot(const std::string& key) const {
    std::lock_guard<std::mutex> lock(fields_mu);
    return memo_slots.emplace(key, static_cast<int>(memo_slots.size())).first->second;
  }

  Limits limits;
  std::vector<std::string> variables;
  std::unordered_map<std::string, int> var_slots;
  std::vector<std::unique_ptr<HelperDef>> helpers;
  std::unordered_map<std::string, const HelperDef*> helper_index;
  mutable RegexCache regex_cache;
  mutable PatternTable patterns;  // constant patterns, compiled at plan time
  mutable std::mutex fields_mu;
  mutable std::unordered_set<std::string> fields;  // node-based: addresses are stable
  mutable std::unordered_map<std::string, int> memo_slots;
  mutable std::mutex spec_mu;
  mutable std::unordered_map<std::string, std::unique_ptr<SpecializedHelper>> specialized;
  mutable std::unordered_map<std::string, int> clean_args;  // bit 0: clean unreporting, bit 1: reporting
  // Variables bound to constants (a pack's parameters), folded at plan time,
  // and what keeps the documents they borrow alive.
  std::unordered_map<int, Value> constants;
  std::vector<std::shared_ptr<const void>> keep_alive;
};

}  // namespace aimsgate::cel
