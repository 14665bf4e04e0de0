// The CEL parser: a hand-written recursive-descent parser over the grammar of
// the CEL language definition.  The public entry point is cel::Parse in
// evaluator/cel/ast.h; this header exposes the class for tests and tools.
//
//   cel::ParseResult r = cel::Parse("a.b + 1 > 2 && x in ['y']");
//   if (!r.ok()) std::cerr << cel::FormatDiagnostic(source, r.diagnostics[0]);
//
// Precedence, lowest first: `?:` (right-assoc), `||`, `&&`, relations
// (`< <= >= > == != in`), `+ -`, `* / %`, unary `! -`, member (`.f`, `.f()`,
// `[i]`, `.?f`, `[?i]`, `Msg{...}`), primary.  Chains of `&&` and `||` are
// built as balanced trees (as cel-go does) so that long conjunctions stay
// shallow.  `-` directly applied to an int or double literal is folded into a
// negative constant, so `-9223372036854775808` is valid.
//
// Budgets: sources longer than ParseOptions::max_expression_bytes are refused
// with one diagnostic; nesting deeper than max_recursion_depth (parser
// recursion and the height of the resulting tree, capped at kMaxRecursionCap)
// gives "expression recursion limit exceeded" -- never a stack overflow.
// Every diagnostic carries the byte offset of the offending token; they are
// sorted by offset.  Parsing stops at the first syntax error or budget error;
// recoverable errors (bad escapes, out-of-range literals, reserved words, macro
// misuse, disabled optional syntax) are reported and parsing goes on, so one
// run can report several (at most kMaxDiagnostics, then "too many errors").
//
// Thread-safety: a Parser is single-use; Parse() is reentrant.  Cost: linear
// in the source size; about 1.6 KB of stack per nesting level (0.4 MB at the
// default budget of 250, 1.6 MB at kMaxRecursionCap).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/cel/ast.h"
#include "evaluator/cel/parser/expr_factory.h"
#include "evaluator/cel/parser/lexer.h"

namespace aimsgate::cel::parser {

// Hard upper bound on the nesting budget whatever the options say: keeps the
// parser (and the recursive passes after it) far from the end of the stack.
inline constexpr int32_t kMaxRecursionCap = 1000;

// Recoverable errors reported before the parser gives up.
inline constexpr size_t kMaxDiagnostics = 100;

class Parser {
 public:
  Parser(const std::string& source, const ParseOptions& options);
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  ParseResult Run();

 private:
  // Tokens.
  void Advance();
  const Token& PeekNext();
  bool Accept(TokenKind kind);
  bool Expect(TokenKind kind, const char* expecting);
  void Mismatched(const char* expecting);
  // A fatal error: parsing stops (syntax errors, budgets).
  void ErrorAt(int32_t offset, std::string message);
  // A recoverable error (bad escape or literal range, reserved word, macro
  // misuse, disabled optional syntax): recorded, parsing goes on.
  void Report(int32_t offset, std::string message);
  bool failed() const { return failed_; }

  // Grammar.
  ExprPtr ParseExpr();
  ExprPtr ParseLogical(bool is_or);
  ExprPtr ParseRelation();
  ExprPtr ParseAddition();
  ExprPtr ParseMultiplication();
  ExprPtr ParseUnary();
  ExprPtr ParseMember();
  ExprPtr ParsePrimary();
  ExprPtr ParseNumber(bool negative, int32_t offset);
  ExprPtr ParseIdentOrCall(int32_t offset, std::string name);
  ExprPtr ParseList();
  ExprPtr ParseMap();
  ExprPtr ParseStruct(ExprPtr name_expr);
  bool ParseArgs(std::vector<ExprPtr>* args);  // after '('; consumes ')'
  void CheckOptionalSyntax(int32_t offset, const char* syntax);  // reports if disabled

  // Builds a call (expanding macros) and checks the height budget.
  ExprPtr MakeCall(int32_t offset, int32_t op_offset, std::string function, ExprPtr target,
                   std::vector<ExprPtr> args);
  ExprPtr Balance(const char* function, std::vector<ExprPtr>& terms,
                  const std::vector<int32_t>& ops, size_t lo, size_t hi);
  // Refuses `e` (error at error_offset) when it is taller than the budget.
  ExprPtr Limit(ExprPtr e, int32_t error_offset);
  // The call function(left, right) at left's offset, with op_offset set.
  ExprPtr Binary(const char* function, ExprPtr left, ExprPtr right, int32_t op_offset);
  // Sets e->op_offset, then Limit.
  ExprPtr WithOp(ExprPtr e, int32_t op_offset);
  ExprPtr Dummy() { return factory_.NewNull(cur_.offset); }

  const std::string& source_;
  ParseOptions options_;
  int32_t max_depth_;
  Lexer lexer_;
  Token cur_;
  Token next_;
  bool has_next_ = false;
  ExprFactory factory_;
  int32_t depth_ = 0;
  bool failed_ = false;
  std::vector<Diagnostic> diagnostics_;
};

// True for the words the language definition reserves for embedding
// (as, break, const, ..., while); they cannot name variables or functions.
bool IsReservedWord(const std::string& word);

}  // namespace aimsgate::cel::parser
