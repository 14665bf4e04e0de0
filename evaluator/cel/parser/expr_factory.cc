#include "evaluator/cel/parser/expr_factory.h"

#include <algorithm>
#include <utility>

namespace aimsgate::cel::parser {

ExprPtr ExprFactory::New(Expr::Kind kind, int32_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->id = next_id_++;
  e->offset = offset;
  e->op_offset = offset;
  heights_.push_back(1);
  return e;
}

ExprPtr ExprFactory::Finish(ExprPtr e) {
  int32_t h = 0;
  ForEachChild(*e, [&](const Expr& child) { h = std::max(h, Height(child)); });
  heights_[static_cast<size_t>(e->id)] = h + 1;
  return e;
}

int32_t ExprFactory::Height(const Expr& e) const {
  if (e.id <= 0 || static_cast<size_t>(e.id) >= heights_.size()) return 1;
  return heights_[static_cast<size_t>(e.id)];
}

ExprPtr ExprFactory::NewNull(int32_t offset) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kNull;
  return e;
}

ExprPtr ExprFactory::NewBool(int32_t offset, bool value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kBool;
  e->constant.bool_value = value;
  return e;
}

ExprPtr ExprFactory::NewInt(int32_t offset, int64_t value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kInt;
  e->constant.int_value = value;
  return e;
}

ExprPtr ExprFactory::NewUint(int32_t offset, uint64_t value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kUint;
  e->constant.uint_value = value;
  return e;
}

ExprPtr ExprFactory::NewDouble(int32_t offset, double value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kDouble;
  e->constant.double_value = value;
  return e;
}

ExprPtr ExprFactory::NewString(int32_t offset, std::string value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kString;
  e->constant.string_value = std::move(value);
  return e;
}

ExprPtr ExprFactory::NewBytes(int32_t offset, std::string value) {
  auto e = New(Expr::Kind::kConstant, offset);
  e->constant.kind = Constant::Kind::kBytes;
  e->constant.string_value = std::move(value);
  return e;
}

ExprPtr ExprFactory::NewIdent(int32_t offset, std::string name) {
  auto e = New(Expr::Kind::kIdent, offset);
  e->ident.name = std::move(name);
  return e;
}

ExprPtr ExprFactory::NewSelect(int32_t offset, ExprPtr operand, std::string field,
                               bool test_only) {
  auto e = New(Expr::Kind::kSelect, offset);
  e->select.operand = std::move(operand);
  e->select.field = std::move(field);
  e->select.test_only = test_only;
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewCall(int32_t offset, std::string function, std::vector<ExprPtr> args) {
  auto e = New(Expr::Kind::kCall, offset);
  e->call.function = std::move(function);
  e->call.args = std::move(args);
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewMemberCall(int32_t offset, std::string function, ExprPtr target,
                                   std::vector<ExprPtr> args) {
  auto e = New(Expr::Kind::kCall, offset);
  e->call.function = std::move(function);
  e->call.target = std::move(target);
  e->call.args = std::move(args);
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewList(int32_t offset, std::vector<ExprPtr> elements,
                             std::vector<int32_t> optional_indices) {
  auto e = New(Expr::Kind::kList, offset);
  e->list.elements = std::move(elements);
  e->list.optional_indices = std::move(optional_indices);
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewMap(int32_t offset, std::vector<MapEntry> entries) {
  auto e = New(Expr::Kind::kMap, offset);
  e->map.entries = std::move(entries);
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewStruct(int32_t offset, std::string message_name,
                               std::vector<MapEntry> fields) {
  auto e = New(Expr::Kind::kStruct, offset);
  e->struct_expr.message_name = std::move(message_name);
  e->struct_expr.fields = std::move(fields);
  return Finish(std::move(e));
}

ExprPtr ExprFactory::NewComprehension(int32_t offset, std::string iter_var, std::string iter_var2,
                                      ExprPtr iter_range, std::string accu_var, ExprPtr accu_init,
                                      ExprPtr loop_condition, ExprPtr loop_step, ExprPtr result) {
  auto e = New(Expr::Kind::kComprehension, offset);
  ComprehensionExpr& c = e->comprehension;
  c.iter_var = std::move(iter_var);
  c.iter_var2 = std::move(iter_var2);
  c.iter_range = std::move(iter_range);
  c.accu_var = std::move(accu_var);
  c.accu_init = std::move(accu_init);
  c.loop_condition = std::move(loop_condition);
  c.loop_step = std::move(loop_step);
  c.result = std::move(result);
  return Finish(std::move(e));
}

int64_t ExprFactory::CountNodes(const Expr& e, int64_t limit) {
  int64_t n = 1;
  auto add = [&](const ExprPtr& p) {
    if (p && n <= limit) n += CountNodes(*p, limit - n);
  };
  switch (e.kind) {
    case Expr::Kind::kSelect: add(e.select.operand); break;
    case Expr::Kind::kCall:
      add(e.call.target);
      for (const auto& a : e.call.args) add(a);
      break;
    case Expr::Kind::kList:
      for (const auto& a : e.list.elements) add(a);
      break;
    case Expr::Kind::kMap:
      for (const auto& en : e.map.entries) {
        add(en.key);
        add(en.value);
      }
      break;
    case Expr::Kind::kStruct:
      for (const auto& en : e.struct_expr.fields) {
        add(en.key);
        add(en.value);
      }
      break;
    case Expr::Kind::kComprehension:
      add(e.comprehension.iter_range);
      add(e.comprehension.accu_init);
      add(e.comprehension.loop_condition);
      add(e.comprehension.loop_step);
      add(e.comprehension.result);
      break;
    default: break;
  }
  return n;
}

ExprPtr ExprFactory::Clone(const Expr& src) {
  auto clone = [&](const ExprPtr& p) -> ExprPtr { return p ? Clone(*p) : nullptr; };
  auto clone_entries = [&](const std::vector<MapEntry>& in) {
    std::vector<MapEntry> out;
    out.reserve(in.size());
    for (const MapEntry& en : in) {
      MapEntry c;
      c.key = clone(en.key);
      c.value = clone(en.value);
      c.optional = en.optional;
      c.offset = en.offset;
      out.push_back(std::move(c));
    }
    return out;
  };
  auto e = New(src.kind, src.offset);
  e->op_offset = src.op_offset;
  switch (src.kind) {
    case Expr::Kind::kConstant:
      e->constant = src.constant;
      break;
    case Expr::Kind::kIdent:
      e->ident = src.ident;
      break;
    case Expr::Kind::kSelect:
      e->select.operand = clone(src.select.operand);
      e->select.field = src.select.field;
      e->select.test_only = src.select.test_only;
      break;
    case Expr::Kind::kCall:
      e->call.target = clone(src.call.target);
      e->call.function = src.call.function;
      for (const auto& a : src.call.args) e->call.args.push_back(clone(a));
      break;
    case Expr::Kind::kList:
      for (const auto& a : src.list.elements) e->list.elements.push_back(clone(a));
      e->list.optional_indices = src.list.optional_indices;
      break;
    case Expr::Kind::kMap:
      e->map.entries = clone_entries(src.map.entries);
      break;
    case Expr::Kind::kStruct:
      e->struct_expr.message_name = src.struct_expr.message_name;
      e->struct_expr.fields = clone_entries(src.struct_expr.fields);
      break;
    case Expr::Kind::kComprehension: {
      const ComprehensionExpr& s = src.comprehension;
      ComprehensionExpr& c = e->comprehension;
      c.iter_var = s.iter_var;
      c.iter_var2 = s.iter_var2;
      c.iter_range = clone(s.iter_range);
      c.accu_var = s.accu_var;
      c.accu_init = clone(s.accu_init);
      c.loop_condition = clone(s.loop_condition);
      c.loop_step = clone(s.loop_step);
      c.result = clone(s.result);
      break;
    }
  }
  return Finish(std::move(e));
}

}  // namespace aimsgate::cel::parser
