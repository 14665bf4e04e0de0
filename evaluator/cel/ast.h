// The CEL abstract syntax tree: what the parser produces and the checker and
// planner consume.  Macros (has, all, exists, exists_one, map, filter) are
// already expanded by the parser, as in the CEL specification: `has(a.b)` is a
// Select with test_only, the list macros are Comprehensions.
//
//   cel::ParseResult r = cel::Parse("object.metadata.name.startsWith('ml-')");
//   if (!r.ok()) { for (auto& d : r.diagnostics) ... }
//   const cel::Expr& root = *r.expr;
//
// Every node carries the byte offset of its first character in the source so
// that diagnostics can point into the rule-pack file.  Trees are immutable after
// parsing and may be shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aimsgate::cel {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Constant {
  enum class Kind { kNull, kBool, kInt, kUint, kDouble, kString, kBytes };
  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  std::string string_value;  // kString (UTF-8) and kBytes (raw bytes)
};

// `name` may be a dotted name for an identifier only where the parser could not
// tell a qualified name from field selection; the checker resolves that.
struct IdentExpr {
  std::string name;
};

struct SelectExpr {
  ExprPtr operand;
  std::string field;
  bool test_only = false;  // has(operand.field)
};

// A function or operator call.  Operators use the names of the CEL spec:
// "_+_", "_-_", "_*_", "_/_", "_%_", "-_" (negation), "!_", "_==_", "_!=_",
// "_<_", "_<=_", "_>_", "_>=_", "_&&_", "_||_", "_?_:_", "_[_]", "@in",
// "_[?_]" and "_?._" (optional field/index), "@not_strictly_false" (used in
// comprehension loop conditions).  A receiver-style call `a.f(b)` has target a.
struct CallExpr {
  ExprPtr target;  // null for global calls
  std::string function;
  std::vector<ExprPtr> args;
};

struct ListExpr {
  std::vector<ExprPtr> elements;
  std::vector<int32_t> optional_indices;  // elements written as `?e`
};

struct MapEntry {
  ExprPtr key;
  ExprPtr value;
  bool optional = false;  // `?key: value`
  int32_t offset = 0;
};

struct MapExpr {
  std::vector<MapEntry> entries;
};

// Message construction `Name{field: value}`; kept so that the parser accepts
// the full grammar, the checker reports it as unsupported (no protobuf types).
struct StructExpr {
  std::string message_name;
  std::vector<MapEntry> fields;  // key is an IdentExpr holding the field name
};

// The macro expansion target of the CEL specification.
struct ComprehensionExpr {
  std::string iter_var;
  std::string iter_var2;  // two-variable comprehensions; empty otherwise
  ExprPtr iter_range;
  std::string accu_var;
  ExprPtr accu_init;
  ExprPtr loop_condition;
  ExprPtr loop_step;
  ExprPtr result;
};

struct Expr {
  enum class Kind { kConstant, kIdent, kSelect, kCall, kList, kMap, kStruct, kComprehension };
  Kind kind = Kind::kConstant;
  int64_t id = 0;      // unique within one parse
  int32_t offset = 0;  // byte offset into the source
  // Where cel-go points a type or runtime error: the operator of a unary,
  // binary or ternary call, the '.' of a selection, the '(' of a function
  // call, the '[' of an index, the '{' of a message.  Equals `offset` for every
  // other node (literals, identifiers, lists, maps, macro expansions).
  int32_t op_offset = 0;

  Constant constant;
  IdentExpr ident;
  SelectExpr select;
  CallExpr call;
  ListExpr list;
  MapExpr map;
  StructExpr struct_expr;
  ComprehensionExpr comprehension;
};

struct Diagnostic {
  int32_t offset = 0;  // byte offset into the expression source
  int32_t line = 1;    // 1-based line within the expression source
  int32_t column = 1;  // 1-based column (in code points) within that line
  std::string message;
};

struct ParseOptions {
  int32_t max_expression_bytes = 100000;
  int32_t max_recursion_depth = 250;  // nesting of parentheses, calls, lists...
  bool enable_optional_syntax = true;
};

struct ParseResult {
  ExprPtr expr;  // null when diagnostics is not empty
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return expr != nullptr && diagnostics.empty(); }
};

ParseResult Parse(const std::string& source, const ParseOptions& options = {});

// Renders a diagnostic in the caret style of cel-go / cel-cpp:
//   ERROR: <input>:1:5: undeclared reference to 'x'
//    | a + x
//    | ....^
std::string FormatDiagnostic(const std::string& source, const Diagnostic& d);

// Fills line and column of a diagnostic from its offset.
void LocateDiagnostic(const std::string& source, Diagnostic* d);

}  // namespace aimsgate::cel
