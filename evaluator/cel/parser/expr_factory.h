// Builds AST nodes for one parse: hands out increasing ids and tracks the
// height of every node so that the parser can refuse trees deeper than its
// budget (the checker, planner and destructor all recurse over the tree).
//
//   ExprFactory f;
//   ExprPtr sum = f.NewCall(offset, "_+_", {f.NewIdent(0, "a"), f.NewInt(4, 1)});
//   if (f.Height(*sum) > limit) ...
//
// Thread-safety: one factory per parse.  Cost: O(children) per node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/cel/ast.h"

namespace aimsgate::cel::parser {

class ExprFactory {
 public:
  ExprPtr NewNull(int32_t offset);
  ExprPtr NewBool(int32_t offset, bool value);
  ExprPtr NewInt(int32_t offset, int64_t value);
  ExprPtr NewUint(int32_t offset, uint64_t value);
  ExprPtr NewDouble(int32_t offset, double value);
  ExprPtr NewString(int32_t offset, std::string value);
  ExprPtr NewBytes(int32_t offset, std::string value);
  ExprPtr NewIdent(int32_t offset, std::string name);
  ExprPtr NewSelect(int32_t offset, ExprPtr operand, std::string field, bool test_only = false);
  ExprPtr NewCall(int32_t offset, std::string function, std::vector<ExprPtr> args);
  ExprPtr NewMemberCall(int32_t offset, std::string function, ExprPtr target,
                        std::vector<ExprPtr> args);
  ExprPtr NewList(int32_t offset, std::vector<ExprPtr> elements,
                  std::vector<int32_t> optional_indices = {});
  ExprPtr NewMap(int32_t offset, std::vector<MapEntry> entries);
  ExprPtr NewStruct(int32_t offset, std::string message_name, std::vector<MapEntry> fields);
  ExprPtr NewComprehension(int32_t offset, std::string iter_var, std::string iter_var2,
                           ExprPtr iter_range, std::string accu_var, ExprPtr accu_init,
                           ExprPtr loop_condition, ExprPtr loop_step, ExprPtr result);

  // A deep copy with fresh ids (used by macros that mention an argument twice).
  ExprPtr Clone(const Expr& e);

  // Nodes of `e`, counting stops (and returns) once `limit` is passed.
  static int64_t CountNodes(const Expr& e, int64_t limit);

  // 1 for leaves, 1 + the tallest child otherwise.
  int32_t Height(const Expr& e) const;

 private:
  ExprPtr New(Expr::Kind kind, int32_t offset);
  // Records the height of `e` from its children; call once they are attached.
  ExprPtr Finish(ExprPtr e);

  int64_t next_id_ = 1;
  std::vector<int32_t> heights_ = {0};  // indexed by id
};

// Visits the direct children of `e` (null pointers skipped).
template <typename F>
void ForEachChild(const Expr& e, F&& f) {
  auto visit = [&](const ExprPtr& p) {
    if (p) f(*p);
  };
  switch (e.kind) {
    case Expr::Kind::kConstant:
    case Expr::Kind::kIdent:
      break;
    case Expr::Kind::kSelect:
      visit(e.select.operand);
      break;
    case Expr::Kind::kCall:
      visit(e.call.target);
      for (const auto& a : e.call.args) visit(a);
      break;
    case Expr::Kind::kList:
      for (const auto& a : e.list.elements) visit(a);
      break;
    case Expr::Kind::kMap:
      for (const auto& en : e.map.entries) {
        visit(en.key);
        visit(en.value);
      }
      break;
    case Expr::Kind::kStruct:
      for (const auto& en : e.struct_expr.fields) {
        visit(en.key);
        visit(en.value);
      }
      break;
    case Expr::Kind::kComprehension:
      visit(e.comprehension.iter_range);
      visit(e.comprehension.accu_init);
      visit(e.comprehension.loop_condition);
      visit(e.comprehension.loop_step);
      visit(e.comprehension.result);
      break;
  }
}

}  // namespace aimsgate::cel::parser
