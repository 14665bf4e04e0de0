// Name resolution shared by the checker and the planner: local scopes
// (comprehension variables, helper parameters), type identifiers, qualified
// names (`google.protobuf.Timestamp`, `optional.of`), and the functions the
// planner implements itself (logical operators, conditional, lazy optionals).
//
// Thread-safety: LocalScope is per compilation; the rest are pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluator/cel/ast.h"

namespace aimsgate::cel::internal {

// The CEL type denoted by identifier `name` ("int", "google.protobuf.Duration"),
// as a string with static storage, or empty.
std::string_view TypeIdentifier(std::string_view name);

// "a.b.c" for Ident(a).b.c (no test-only selects); false otherwise.
bool QualifiedName(const Expr& e, std::string* out);

// Functions compiled into dedicated plan nodes, not found in the registry.
// Returns true when `name` is one and `nargs` (receiver included) fits.
bool IsSpecialFunction(std::string_view name, bool receiver_style, size_t nargs, bool* arity_ok);

class LocalScope {
 public:
  int Push(const std::string& name) {
    int index = next_++;
    if (next_ > max_) max_ = next_;
    stack_.emplace_back(name, index);
    return index;
  }
  void Pop() {
    stack_.pop_back();
    --next_;
  }
  int Find(std::string_view name) const {
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return -1;
  }
  int max_locals() const { return max_; }

 private:
  std::vector<std::pair<std::string, int>> stack_;
  int next_ = 0;
  int max_ = 0;
};

}  // namespace aimsgate::cel::internal
