#include "evaluator/cel/parser/parser.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "evaluator/cel/parser/macros.h"
#include "evaluator/cel/parser/unescape.h"
#include "evaluator/kernel/utf8.h"

namespace aimsgate::cel::parser {
namespace {

constexpr char kExprStart[] =
    "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, "
    "STRING, BYTES, IDENTIFIER}";

constexpr std::string_view kReservedWords[] = {
    "as",      "break",  "const",   "continue",  "else",   "for", "function",
    "if",      "import", "let",     "loop",      "package", "namespace",
    "return",  "var",    "void",    "while",
};

bool IsNumber(TokenKind k) { return k == TokenKind::kInt || k == TokenKind::kDouble; }

// RAII counter for the parser's own recursion.
class DepthGuard {
 public:
  explicit DepthGuard(int32_t* depth) : depth_(depth) { ++*depth_; }
  ~DepthGuard() { --*depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int32_t* depth_;
};

}  // namespace

bool IsReservedWord(std::string_view word) {
  for (std::string_view r : kReservedWords) {
    if (word == r) return true;
  }
  return false;
}

Parser::Parser(const std::string& source, const ParseOptions& options)
    : source_(source),
      options_(options),
      max_depth_(std::clamp(options.max_recursion_depth, 1, kMaxRecursionCap)),
      lexer_(source) {}

void Parser::Report(int32_t offset, std::string message) {
  if (failed_) return;
  if (diagnostics_.size() >= kMaxDiagnostics) {
    ErrorAt(offset, "too many errors");
    return;
  }
  Diagnostic d;
  d.offset = offset;
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

void Parser::ErrorAt(int32_t offset, std::string message) {
  if (failed_) return;
  failed_ = true;
  if (diagnostics_.size() <= kMaxDiagnostics) {
    Diagnostic d;
    d.offset = offset;
    d.message = std::move(message);
    diagnostics_.push_back(std::move(d));
  }
  // From now on every token looks like the end of input so the parse unwinds
  // without consuming anything else.
  cur_ = Token();
  cur_.kind = TokenKind::kEof;
  cur_.offset = cur_.end = static_cast<int32_t>(source_.size());
  has_next_ = false;
}

void Parser::Advance() {
  if (failed_) return;
  if (has_next_) {
    cur_ = std::move(next_);
    has_next_ = false;
  } else {
    cur_ = lexer_.Next();
  }
  if (cur_.kind == TokenKind::kError) {
    ErrorAt(cur_.offset, "Syntax error: " + cur_.text);
  } else if (!cur_.error.empty()) {
    // A well-delimited literal with a bad escape: report it and go on.
    Report(cur_.error_offset, "Syntax error: " + cur_.error);
  }
}

const Token& Parser::PeekNext() {
  if (!has_next_ && !failed_) {
    next_ = lexer_.Next();
    has_next_ = true;
  }
  if (failed_) return cur_;
  return next_;
}

bool Parser::Accept(TokenKind kind) {
  if (cur_.kind != kind || failed_) return false;
  Advance();
  return true;
}

void Parser::Mismatched(const char* expecting) {
  ErrorAt(cur_.offset, "Syntax error: mismatched input " + TokenDisplay(source_, cur_) +
                           " expecting " + expecting);
}

bool Parser::Expect(TokenKind kind, const char* expecting) {
  if (Accept(kind)) return true;
  Mismatched(expecting);
  return false;
}

void Parser::CheckOptionalSyntax(int32_t offset, const char* syntax) {
  if (!options_.enable_optional_syntax) {
    Report(offset, std::string("unsupported syntax '") + syntax + "'");
  }
}

ExprPtr Parser::WithOp(ExprPtr e, int32_t op_offset) {
  e->op_offset = op_offset;
  return Limit(std::move(e), op_offset);
}

ExprPtr Parser::Binary(const char* function, ExprPtr left, ExprPtr right, int32_t op_offset) {
  const int32_t offset = left->offset;
  std::vector<ExprPtr> args;
  args.reserve(2);
  args.push_back(std::move(left));
  args.push_back(std::move(right));
  return WithOp(factory_.NewCall(offset, function, std::move(args)), op_offset);
}

ExprPtr Parser::Limit(ExprPtr e, int32_t error_offset) {
  if (!failed_ && factory_.Height(*e) > max_depth_) {
    ErrorAt(error_offset, "expression recursion limit exceeded: " + std::to_string(max_depth_));
  }
  return e;
}

ParseResult Parser::Run() {
  ParseResult result;
  const size_t limit = options_.max_expression_bytes < 0
                           ? 0
                           : static_cast<size_t>(options_.max_expression_bytes);
  if (source_.size() > limit) {
    Diagnostic d;
    d.offset = 0;
    d.message = "expression size exceeds limit: size: " + std::to_string(source_.size()) +
                " bytes, limit: " + std::to_string(limit);
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  const size_t bad = kernel::FindInvalidUtf8(source_);
  if (bad != std::string_view::npos) {
    Diagnostic d;
    d.offset = static_cast<int32_t>(bad);
    d.message = "Syntax error: invalid UTF-8 in expression";
    result.diagnostics.push_back(std::move(d));
    LocateDiagnostic(source_, &result.diagnostics.back());
    return result;
  }

  Advance();
  ExprPtr e = ParseExpr();
  if (!failed_ && cur_.kind != TokenKind::kEof) Mismatched("<EOF>");
  if (!diagnostics_.empty()) {
    result.diagnostics = std::move(diagnostics_);
    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.offset < b.offset; });
    for (Diagnostic& d : result.diagnostics) LocateDiagnostic(source_, &d);
    return result;
  }
  result.expr = std::move(e);
  return result;
}

ExprPtr Parser::ParseExpr() {
  DepthGuard guard(&depth_);
  if (depth_ > max_depth_) {
    ErrorAt(cur_.offset, "expression recursion limit exceeded: " + std::to_string(max_depth_));
    return Dummy();
  }
  ExprPtr cond = ParseLogical(/*is_or=*/true);
  if (failed_ || cur_.kind != TokenKind::kQuestion) return cond;
  const int32_t op = cur_.offset;
  Advance();
  ExprPtr if_true = ParseLogical(/*is_or=*/true);
  if (!Expect(TokenKind::kColon, "':'")) return Dummy();
  ExprPtr if_false = ParseExpr();
  const int32_t offset = cond->offset;
  std::vector<ExprPtr> args;
  args.push_back(std::move(cond));
  args.push_back(std::move(if_true));
  args.push_back(std::move(if_false));
  return WithOp(factory_.NewCall(offset, "_?_:_", std::move(args)), op);
}

// `||` chains of `&&` chains of relations; each chain becomes a balanced tree.
ExprPtr Parser::ParseLogical(bool is_or) {
  const TokenKind op = is_or ? TokenKind::kOr : TokenKind::kAnd;
  std::vector<ExprPtr> terms;
  std::vector<int32_t> ops;  // ops[i] sits between terms[i] and terms[i + 1]
  terms.push_back(is_or ? ParseLogical(false) : ParseRelation());
  while (!failed_ && cur_.kind == op) {
    ops.push_back(cur_.offset);
    Advance();
    terms.push_back(is_or ? ParseLogical(false) : ParseRelation());
  }
  if (terms.size() == 1) return std::move(terms[0]);
  if (ops.size() + 1 != terms.size()) return Dummy();  // failed mid-way
  return Balance(is_or ? "_||_" : "_&&_", terms, ops, 0, terms.size() - 1);
}

ExprPtr Parser::Balance(const char* function, std::vector<ExprPtr>& terms,
                        const std::vector<int32_t>& ops, size_t lo, size_t hi) {
  if (lo == hi) return std::move(terms[lo]);
  const size_t mid = (lo + hi + 1) / 2;
  ExprPtr left = Balance(function, terms, ops, lo, mid - 1);
  ExprPtr right = Balance(function, terms, ops, mid, hi);
  return Binary(function, std::move(left), std::move(right), ops[mid - 1]);
}

ExprPtr Parser::ParseRelation() {
  ExprPtr left = ParseAddition();
  while (!failed_) {
    const char* fn = nullptr;
    switch (cur_.kind) {
      case TokenKind::kLt: fn = "_<_"; break;
      case TokenKind::kLe: fn = "_<=_"; break;
      case TokenKind::kGt: fn = "_>_"; break;
      case TokenKind::kGe: fn = "_>=_"; break;
      case TokenKind::kEq: fn = "_==_"; break;
      case TokenKind::kNe: fn = "_!=_"; break;
      case TokenKind::kIn: fn = "@in"; break;
      default: break;
    }
    if (fn == nullptr) break;
    const int32_t op = cur_.offset;
    Advance();
    left = Binary(fn, std::move(left), ParseAddition(), op);
  }
  return left;
}

ExprPtr Parser::ParseAddition() {
  ExprPtr left = ParseMultiplication();
  while (!failed_ && (cur_.kind == TokenKind::kPlus || cur_.kind == TokenKind::kMinus)) {
    const char* fn = cur_.kind == TokenKind::kPlus ? "_+_" : "_-_";
    const int32_t op = cur_.offset;
    Advance();
    left = Binary(fn, std::move(left), ParseMultiplication(), op);
  }
  return left;
}

ExprPtr Parser::ParseMultiplication() {
  ExprPtr left = ParseUnary();
  while (!failed_ && (cur_.kind == TokenKind::kStar || cur_.kind == TokenKind::kSlash ||
                      cur_.kind == TokenKind::kPercent)) {
    const char* fn = cur_.kind == TokenKind::kStar    ? "_*_"
                     : cur_.kind == TokenKind::kSlash ? "_/_"
                                                      : "_%_";
    const int32_t op = cur_.offset;
    Advance();
    left = Binary(fn, std::move(left), ParseUnary(), op);
  }
  return left;
}

// Unary = Member | "!" {"!"} Member | "-" {"-"} Member.  A '-' directly before
// a number literal belongs to the literal (see ParsePrimary).
ExprPtr Parser::ParseUnary() {
  if (cur_.kind != TokenKind::kNot && cur_.kind != TokenKind::kMinus) return ParseMember();
  const TokenKind op = cur_.kind;
  if (op == TokenKind::kMinus && IsNumber(PeekNext().kind)) return ParseMember();
  std::vector<int32_t> offsets;
  while (!failed_ && cur_.kind == op) {
    if (op == TokenKind::kMinus && IsNumber(PeekNext().kind)) break;
    if (static_cast<int32_t>(offsets.size()) >= max_depth_) {
      ErrorAt(cur_.offset, "expression recursion limit exceeded: " + std::to_string(max_depth_));
      return Dummy();
    }
    offsets.push_back(cur_.offset);
    Advance();
  }
  ExprPtr e = ParseMember();
  const char* fn = op == TokenKind::kNot ? "!_" : "-_";
  for (size_t i = offsets.size(); i-- > 0 && !failed_;) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(e));
    e = WithOp(factory_.NewCall(offsets[i], fn, std::move(args)), offsets[i]);
  }
  return e;
}

ExprPtr Parser::ParseMember() {
  ExprPtr e = ParsePrimary();
  while (!failed_) {
    if (cur_.kind == TokenKind::kDot) {
      const int32_t dot = cur_.offset;
      Advance();
      bool optional = false;
      if (cur_.kind == TokenKind::kQuestion) {
        CheckOptionalSyntax(cur_.offset, ".?");
        optional = true;
        Advance();
      }
      if (cur_.kind != TokenKind::kIdent && cur_.kind != TokenKind::kEscIdent) {
        Mismatched("IDENTIFIER");
        break;
      }
      const bool escaped = cur_.kind == TokenKind::kEscIdent;
      const int32_t name_offset = cur_.offset;
      std::string name = std::move(cur_.text);
      Advance();
      const int32_t offset = e->offset;
      if (!optional && !escaped && cur_.kind == TokenKind::kLParen) {
        const int32_t paren = cur_.offset;
        Advance();
        std::vector<ExprPtr> args;
        if (!ParseArgs(&args)) break;
        e = MakeCall(offset, paren, std::move(name), std::move(e), std::move(args));
        if (!failed_) e = Limit(std::move(e), name_offset);
      } else if (optional) {
        std::vector<ExprPtr> args;
        args.push_back(std::move(e));
        args.push_back(factory_.NewString(name_offset, std::move(name)));
        e = WithOp(factory_.NewCall(offset, "_?._", std::move(args)), dot);
      } else {
        e = WithOp(factory_.NewSelect(offset, std::move(e), std::move(name)), dot);
      }
    } else if (cur_.kind == TokenKind::kLBracket) {
      const int32_t bracket = cur_.offset;
      Advance();
      bool optional = false;
      if (cur_.kind == TokenKind::kQuestion) {
        CheckOptionalSyntax(cur_.offset, "[?");
        optional = true;
        Advance();
      }
      ExprPtr index = ParseExpr();
      if (!Expect(TokenKind::kRBracket, "']'")) break;
      const int32_t offset = e->offset;
      std::vector<ExprPtr> args;
      args.push_back(std::move(e));
      args.push_back(std::move(index));
      e = WithOp(factory_.NewCall(offset, optional ? "_[?_]" : "_[_]", std::move(args)), bracket);
    } else if (cur_.kind == TokenKind::kLBrace) {
      // Message construction: only after a (possibly qualified) name.
      const Expr* n = e.get();
      while (n->kind == Expr::Kind::kSelect && !n->select.test_only) n = n->select.operand.get();
      if (n->kind != Expr::Kind::kIdent) break;
      e = ParseStruct(std::move(e));
    } else {
      break;
    }
  }
  return e;
}

ExprPtr Parser::ParsePrimary() {
  const int32_t offset = cur_.offset;
  switch (cur_.kind) {
    case TokenKind::kMinus:  // a negative number literal, e.g. -1 or -2.5
      if (!IsNumber(PeekNext().kind)) {
        Mismatched(kExprStart);
        return Dummy();
      }
      Advance();
      return ParseNumber(/*negative=*/true, offset);
    case TokenKind::kInt:
    case TokenKind::kUint:
    case TokenKind::kDouble:
      return ParseNumber(/*negative=*/false, offset);
    case TokenKind::kString: {
      std::string s = std::move(cur_.text);
      Advance();
      return factory_.NewString(offset, std::move(s));
    }
    case TokenKind::kBytes: {
      std::string s = std::move(cur_.text);
      Advance();
      return factory_.NewBytes(offset, std::move(s));
    }
    case TokenKind::kTrue:
    case TokenKind::kFalse: {
      const bool value = cur_.kind == TokenKind::kTrue;
      Advance();
      return factory_.NewBool(offset, value);
    }
    case TokenKind::kNull:
      Advance();
      return factory_.NewNull(offset);
    case TokenKind::kDot: {
      Advance();
      if (cur_.kind != TokenKind::kIdent) {
        Mismatched("IDENTIFIER");
        return Dummy();
      }
      std::string name = "." + cur_.text;
      return ParseIdentOrCall(offset, std::move(name));
    }
    case TokenKind::kIdent: {
      std::string name = cur_.text;
      return ParseIdentOrCall(offset, std::move(name));
    }
    case TokenKind::kLParen: {
      Advance();
      ExprPtr e = ParseExpr();
      if (!Expect(TokenKind::kRParen, "')'")) return Dummy();
      return e;
    }
    case TokenKind::kLBracket:
      return ParseList();
    case TokenKind::kLBrace:
      return ParseMap();
    default:
      Mismatched(kExprStart);
      return Dummy();
  }
}

ExprPtr Parser::ParseNumber(bool negative, int32_t offset) {
  const Token t = cur_;
  Advance();
  switch (t.kind) {
    case TokenKind::kInt: {
      constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
      const uint64_t limit = negative ? kMaxPositive + 1 : kMaxPositive;
      if (t.overflow || t.uint_value > limit) {
        Report(offset, "Syntax error: invalid int literal");
        return Dummy();
      }
      int64_t value;
      if (negative) {
        value = t.uint_value == kMaxPositive + 1 ? INT64_MIN
                                                 : -static_cast<int64_t>(t.uint_value);
      } else {
        value = static_cast<int64_t>(t.uint_value);
      }
      return factory_.NewInt(offset, value);
    }
    case TokenKind::kUint:
      if (t.overflow) {
        Report(offset, "Syntax error: invalid uint literal");
        return Dummy();
      }
      return factory_.NewUint(offset, t.uint_value);
    case TokenKind::kDouble:
      if (t.overflow) {
        Report(offset, "Syntax error: invalid double literal");
        return Dummy();
      }
      return factory_.NewDouble(offset, negative ? -t.double_value : t.double_value);
    default:
      ErrorAt(t.offset, "Syntax error: mismatched input " + TokenDisplay(source_, t) +
                            " expecting a number");
      return Dummy();
  }
}

// cur_ is the identifier token (`name` may carry a leading dot).
ExprPtr Parser::ParseIdentOrCall(int32_t offset, std::string name) {
  const std::string_view bare = name[0] == '.' ? std::string_view(name).substr(1) : std::string_view(name);
  if (IsReservedWord(bare)) Report(cur_.offset, "reserved identifier: " + std::string(bare));
  Advance();
  if (cur_.kind != TokenKind::kLParen) return factory_.NewIdent(offset, std::move(name));
  const int32_t paren = cur_.offset;
  Advance();
  std::vector<ExprPtr> args;
  if (!ParseArgs(&args)) return Dummy();
  ExprPtr e = MakeCall(offset, paren, std::move(name), nullptr, std::move(args));
  if (failed_) return e;
  return Limit(std::move(e), offset);
}

bool Parser::ParseArgs(std::vector<ExprPtr>* args) {
  if (Accept(TokenKind::kRParen)) return true;
  args->reserve(2);  // most calls take one or two: one allocation, not two
  while (!failed_) {
    args->push_back(ParseExpr());
    if (Accept(TokenKind::kComma)) continue;
    if (Accept(TokenKind::kRParen)) return true;
    Mismatched("{')', ','}");
  }
  return false;
}

ExprPtr Parser::MakeCall(int32_t offset, int32_t op_offset, std::string function,
                         ExprPtr target, std::vector<ExprPtr> args) {
  MacroCall call;
  call.offset = offset;
  call.function = std::move(function);
  call.target = std::move(target);
  call.args = std::move(args);
  ExprPtr out;
  int32_t error_offset = 0;
  std::string error_message;
  switch (ExpandMacro(factory_, call, &out, &error_offset, &error_message)) {
    case MacroOutcome::kExpanded:
      return out;
    case MacroOutcome::kError:
      Report(error_offset, std::move(error_message));
      return Dummy();
    case MacroOutcome::kNotMacro:
      break;
  }
  ExprPtr e = call.target ? factory_.NewMemberCall(offset, std::move(call.function),
                                                    std::move(call.target), std::move(call.args))
                          : factory_.NewCall(offset, std::move(call.function), std::move(call.args));
  e->op_offset = op_offset;
  return e;
}

ExprPtr Parser::ParseList() {
  const int32_t offset = cur_.offset;
  Advance();  // '['
  std::vector<ExprPtr> elements;
  std::vector<int32_t> optional_indices;
  while (!failed_ && cur_.kind != TokenKind::kRBracket) {
    if (cur_.kind == TokenKind::kQuestion) {
      CheckOptionalSyntax(cur_.offset, "?");
      Advance();
      optional_indices.push_back(static_cast<int32_t>(elements.size()));
    }
    elements.push_back(ParseExpr());
    if (Accept(TokenKind::kComma)) continue;
    if (cur_.kind != TokenKind::kRBracket) Mismatched("{']', ','}");
  }
  if (!Expect(TokenKind::kRBracket, "']'")) return Dummy();
  return Limit(factory_.NewList(offset, std::move(elements), std::move(optional_indices)),
               offset);
}

ExprPtr Parser::ParseMap() {
  const int32_t offset = cur_.offset;
  Advance();  // '{'
  std::vector<MapEntry> entries;
  while (!failed_ && cur_.kind != TokenKind::kRBrace) {
    MapEntry entry;
    entry.offset = cur_.offset;
    if (cur_.kind == TokenKind::kQuestion) {
      CheckOptionalSyntax(cur_.offset, "?");
      Advance();
      entry.optional = true;
    }
    entry.key = ParseExpr();
    if (!Expect(TokenKind::kColon, "':'")) break;
    entry.value = ParseExpr();
    entries.push_back(std::move(entry));
    if (Accept(TokenKind::kComma)) continue;
    if (cur_.kind != TokenKind::kRBrace) Mismatched("{'}', ','}");
  }
  if (!Expect(TokenKind::kRBrace, "'}'")) return Dummy();
  return Limit(factory_.NewMap(offset, std::move(entries)), offset);
}

// cur_ is '{' after a qualified name.
ExprPtr Parser::ParseStruct(ExprPtr name_expr) {
  std::vector<std::string> parts;
  const Expr* n = name_expr.get();
  while (n->kind == Expr::Kind::kSelect) {
    parts.push_back(n->select.field);
    n = n->select.operand.get();
  }
  std::string name = n->ident.name;
  for (size_t i = parts.size(); i-- > 0;) name += "." + parts[i];
  const int32_t offset = name_expr->offset;
  const int32_t brace = cur_.offset;

  Advance();  // '{'
  std::vector<MapEntry> fields;
  while (!failed_ && cur_.kind != TokenKind::kRBrace) {
    MapEntry field;
    field.offset = cur_.offset;
    if (cur_.kind == TokenKind::kQuestion) {
      CheckOptionalSyntax(cur_.offset, "?");
      Advance();
      field.optional = true;
    }
    if (cur_.kind != TokenKind::kIdent && cur_.kind != TokenKind::kEscIdent) {
      Mismatched("IDENTIFIER");
      break;
    }
    field.key = factory_.NewIdent(cur_.offset, cur_.text);
    Advance();
    if (!Expect(TokenKind::kColon, "':'")) break;
    field.value = ParseExpr();
    fields.push_back(std::move(field));
    if (Accept(TokenKind::kComma)) continue;
    if (cur_.kind != TokenKind::kRBrace) Mismatched("{'}', ','}");
  }
  if (!Expect(TokenKind::kRBrace, "'}'")) return Dummy();
  return WithOp(factory_.NewStruct(offset, std::move(name), std::move(fields)), brace);
}

}  // namespace aimsgate::cel::parser

namespace aimsgate::cel {

ParseResult Parse(const std::string& source, const ParseOptions& options) {
  parser::Parser p(source, options);
  return p.Run();
}

}  // namespace aimsgate::cel
