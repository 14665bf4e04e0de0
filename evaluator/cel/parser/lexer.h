// The CEL lexer: turns expression text into tokens, one at a time.
//
//   Lexer lexer(source);
//   for (Token t = lexer.Next(); t.kind != TokenKind::kEof; t = lexer.Next()) {
//     if (t.kind == TokenKind::kError) { report(t.offset, t.text); break; }
//     if (!t.error.empty()) report(t.error_offset, t.error);  // bad escape
//     ...
//   }
//
// String and bytes literals are decoded here (escapes, raw and triple-quoted
// forms), numbers are scanned but their range is checked by the parser because
// `-9223372036854775808` is only valid once the sign is known.
//
// Thread-safety: a Lexer is a cursor over a borrowed string; use one per thread.
// Cost: linear in the source length; never allocates more than the size of one
// literal at a time.
#pragma once

#include <cstdint>
#include <string>

namespace aimsgate::cel::parser {

enum class TokenKind {
  kEof,
  kError,     // text holds the message (without the "Syntax error: " prefix)
  kIdent,     // text holds the name; reserved words are identifiers here
  kEscIdent,  // `field-name` in backquotes; text holds the name
  kInt,       // uint_value holds the magnitude, overflow set if it exceeds uint64
  kUint,
  kDouble,    // double_value; overflow set if the literal is out of range
  kString,    // text holds the decoded UTF-8
  kBytes,     // text holds the decoded bytes
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  int32_t offset = 0;  // first byte of the token
  int32_t end = 0;     // one past its last byte
  std::string text;
  uint64_t uint_value = 0;
  double double_value = 0;
  bool overflow = false;
  // kString / kBytes whose body has a bad escape: the literal is still
  // delimited (the parser can go on) but is invalid.
  std::string error;
  int32_t error_offset = 0;
};

class Lexer {
 public:
  // `source` must outlive the lexer and be valid UTF-8 (the parser checks).
  explicit Lexer(const std::string& source) : src_(source) {}

  // The next token; kEof forever once the end is reached.  After a kError
  // token the lexer resumes after the offending character, but callers
  // normally stop at the first error.
  Token Next();

 private:
  void SkipSpaceAndComments();
  Token LexNumber();
  Token LexIdentOrString();
  Token LexEscapedIdent();
  Token LexString(int32_t start, bool raw, bool bytes);
  Token Error(int32_t offset, int32_t end, std::string message);

  const std::string& src_;
  int32_t pos_ = 0;
};

// A token as quoted in "mismatched input '...'": its source text in single
// quotes (cut after 40 bytes), or '<EOF>'.
std::string TokenDisplay(const std::string& source, const Token& t);

}  // namespace aimsgate::cel::parser
