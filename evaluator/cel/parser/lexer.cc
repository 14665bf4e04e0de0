#include "evaluator/cel/parser/lexer.h"

#include <locale.h>
#include <stdlib.h>

#include <cmath>
#include <string_view>

#include "evaluator/cel/parser/unescape.h"

namespace aimsgate::cel::parser {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// Parses a decimal floating-point literal independently of the global locale.
double ParseDouble(const std::string& text) {
  static locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return strtod_l(text.c_str(), nullptr, c_locale);
}

// Length in bytes of the UTF-8 sequence starting with `c` (1 for invalid bytes).
int Utf8Length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::string TokenDisplay(const std::string& source, const Token& t) {
  if (t.kind == TokenKind::kEof) return "'<EOF>'";
  int32_t begin = t.offset;
  int32_t end = t.end;
  if (begin < 0) begin = 0;
  if (end > static_cast<int32_t>(source.size())) end = static_cast<int32_t>(source.size());
  if (end <= begin) return "'" + source.substr(begin, 1) + "'";
  std::string text = source.substr(begin, end - begin);
  constexpr size_t kMaxShown = 40;
  if (text.size() > kMaxShown) {
    size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return "'" + text + "'";
}

Token Lexer::Error(int32_t offset, int32_t end, std::string message) {
  Token t;
  t.kind = TokenKind::kError;
  t.offset = offset;
  t.end = end;
  t.text = std::move(message);
  pos_ = end > pos_ ? end : pos_ + 1;
  if (pos_ > static_cast<int32_t>(src_.size())) pos_ = static_cast<int32_t>(src_.size());
  return t;
}

void Lexer::SkipSpaceAndComments() {
  const int32_t n = static_cast<int32_t>(src_.size());
  while (pos_ < n) {
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < n && src_[pos_ + 1] == '/') {
      while (pos_ < n && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
    } else {
      return;
    }
  }
}

Token Lexer::Next() {
  SkipSpaceAndComments();
  const int32_t n = static_cast<int32_t>(src_.size());
  Token t;
  t.offset = pos_;
  if (pos_ >= n) {
    t.kind = TokenKind::kEof;
    t.end = pos_;
    return t;
  }
  const char c = src_[pos_];
  const char next = pos_ + 1 < n ? src_[pos_ + 1] : '\0';
  if (IsDigit(c) || (c == '.' && IsDigit(next))) return LexNumber();
  if (IsIdentStart(c)) return LexIdentOrString();
  if (c == '"' || c == '\'') return LexString(pos_, /*raw=*/false, /*bytes=*/false);
  if (c == '`') return LexEscapedIdent();

  auto single = [&](TokenKind kind) {
    t.kind = kind;
    t.end = ++pos_;
    return t;
  };
  auto pair = [&](TokenKind kind) {
    t.kind = kind;
    pos_ += 2;
    t.end = pos_;
    return t;
  };
  switch (c) {
    case '(': return single(TokenKind::kLParen);
    case ')': return single(TokenKind::kRParen);
    case '[': return single(TokenKind::kLBracket);
    case ']': return single(TokenKind::kRBracket);
    case '{': return single(TokenKind::kLBrace);
    case '}': return single(TokenKind::kRBrace);
    case '.': return single(TokenKind::kDot);
    case ',': return single(TokenKind::kComma);
    case ':': return single(TokenKind::kColon);
    case '?': return single(TokenKind::kQuestion);
    case '+': return single(TokenKind::kPlus);
    case '-': return single(TokenKind::kMinus);
    case '*': return single(TokenKind::kStar);
    case '/': return single(TokenKind::kSlash);
    case '%': return single(TokenKind::kPercent);
    case '!': return next == '=' ? pair(TokenKind::kNe) : single(TokenKind::kNot);
    case '<': return next == '=' ? pair(TokenKind::kLe) : single(TokenKind::kLt);
    case '>': return next == '=' ? pair(TokenKind::kGe) : single(TokenKind::kGt);
    case '=':
      if (next == '=') return pair(TokenKind::kEq);
      break;
    case '&':
      if (next == '&') return pair(TokenKind::kAnd);
      break;
    case '|':
      if (next == '|') return pair(TokenKind::kOr);
      break;
    default:
      break;
  }
  int32_t len = Utf8Length(static_cast<unsigned char>(c));
  if (pos_ + len > n) len = n - pos_;
  std::string hint;
  if (c == '=') hint = " (did you mean '=='?)";
  if (c == '&') hint = " (did you mean '&&'?)";
  if (c == '|') hint = " (did you mean '||'?)";
  return Error(pos_, pos_ + len,
               "token recognition error at: '" + src_.substr(pos_, len) + "'" + hint);
}

Token Lexer::LexNumber() {
  const int32_t n = static_cast<int32_t>(src_.size());
  const int32_t start = pos_;
  Token t;
  t.offset = start;
  auto at = [&](int32_t i) { return i < n ? src_[i] : '\0'; };

  // Hexadecimal integers.
  if (at(pos_) == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X') && IsHexDigit(at(pos_ + 2))) {
    pos_ += 2;
    uint64_t value = 0;
    bool overflow = false;
    while (pos_ < n && IsHexDigit(src_[pos_])) {
      char h = src_[pos_++];
      int d = IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10;
      if (value > (UINT64_MAX >> 4)) overflow = true;
      value = (value << 4) | static_cast<uint64_t>(d);
    }
    t.kind = TokenKind::kInt;
    if (at(pos_) == 'u' || at(pos_) == 'U') {
      t.kind = TokenKind::kUint;
      ++pos_;
    }
    t.uint_value = value;
    t.overflow = overflow;
    t.end = pos_;
    return t;
  }

  bool is_double = false;
  while (pos_ < n && IsDigit(src_[pos_])) ++pos_;
  if (at(pos_) == '.' && IsDigit(at(pos_ + 1))) {
    is_double = true;
    ++pos_;
    while (pos_ < n && IsDigit(src_[pos_])) ++pos_;
  }
  if (at(pos_) == 'e' || at(pos_) == 'E') {
    int32_t p = pos_ + 1;
    if (at(p) == '+' || at(p) == '-') ++p;
    if (IsDigit(at(p))) {
      is_double = true;
      pos_ = p;
      while (pos_ < n && IsDigit(src_[pos_])) ++pos_;
    }
  }
  if (is_double) {
    t.kind = TokenKind::kDouble;
    t.double_value = ParseDouble(src_.substr(start, pos_ - start));
    t.overflow = std::isinf(t.double_value);
    t.end = pos_;
    return t;
  }
  uint64_t value = 0;
  bool overflow = false;
  for (int32_t i = start; i < pos_; ++i) {
    uint64_t d = static_cast<uint64_t>(src_[i] - '0');
    if (value > (UINT64_MAX - d) / 10) overflow = true;
    value = value * 10 + d;
  }
  t.kind = TokenKind::kInt;
  if (at(pos_) == 'u' || at(pos_) == 'U') {
    t.kind = TokenKind::kUint;
    ++pos_;
  }
  t.uint_value = value;
  t.overflow = overflow;
  t.end = pos_;
  return t;
}

Token Lexer::LexIdentOrString() {
  const int32_t n = static_cast<int32_t>(src_.size());
  const int32_t start = pos_;
  // String prefixes: r, b, rb, br in any case, directly followed by a quote.
  bool raw = false;
  bool bytes = false;
  int32_t p = pos_;
  for (int k = 0; k < 2 && p < n; ++k, ++p) {
    char c = static_cast<char>(src_[p] | 0x20);
    if (c == 'r' && !raw) {
      raw = true;
    } else if (c == 'b' && !bytes) {
      bytes = true;
    } else {
      break;
    }
    if (p + 1 < n && (src_[p + 1] == '"' || src_[p + 1] == '\'')) {
      pos_ = p + 1;
      return LexString(start, raw, bytes);
    }
  }

  while (pos_ < n && IsIdentChar(src_[pos_])) ++pos_;
  Token t;
  t.offset = start;
  t.end = pos_;
  std::string_view word(src_.data() + start, pos_ - start);
  if (word == "true") {
    t.kind = TokenKind::kTrue;
  } else if (word == "false") {
    t.kind = TokenKind::kFalse;
  } else if (word == "null") {
    t.kind = TokenKind::kNull;
  } else if (word == "in") {
    t.kind = TokenKind::kIn;
  } else {
    t.kind = TokenKind::kIdent;
    t.text = std::string(word);
  }
  return t;
}

Token Lexer::LexEscapedIdent() {
  const int32_t n = static_cast<int32_t>(src_.size());
  const int32_t start = pos_;
  int32_t p = pos_ + 1;
  while (p < n) {
    char c = src_[p];
    if (IsIdentChar(c) || c == '.' || c == '-' || c == '/' || c == ' ') {
      ++p;
    } else {
      break;
    }
  }
  if (p >= n || src_[p] != '`') {
    return Error(start, p < n ? p + 1 : p,
                 "unterminated or invalid quoted identifier (allowed: letters, digits, '_', "
                 "'.', '-', '/', ' ')");
  }
  if (p == start + 1) return Error(start, p + 1, "empty quoted identifier");
  Token t;
  t.kind = TokenKind::kEscIdent;
  t.offset = start;
  t.text = src_.substr(start + 1, p - start - 1);
  pos_ = p + 1;
  t.end = pos_;
  return t;
}

// pos_ is at the opening quote; `start` is the first byte of the prefix.
Token Lexer::LexString(int32_t start, bool raw, bool bytes) {
  const int32_t n = static_cast<int32_t>(src_.size());
  const char quote = src_[pos_];
  const bool triple = pos_ + 2 < n && src_[pos_ + 1] == quote && src_[pos_ + 2] == quote;
  const int32_t body_start = pos_ + (triple ? 3 : 1);
  int32_t p = body_start;
  int32_t body_end = -1;
  while (p < n) {
    char c = src_[p];
    if (c == '\\' && !raw) {
      p += 2;  // the escaped character never closes the literal
      continue;
    }
    if (triple) {
      if (c == quote && p + 2 < n && src_[p + 1] == quote && src_[p + 2] == quote) {
        body_end = p;
        break;
      }
    } else {
      if (c == quote) {
        body_end = p;
        break;
      }
      if (c == '\n' || c == '\r') break;
    }
    ++p;
  }
  if (body_end < 0) {
    const char* what = bytes ? "bytes" : "string";
    return Error(start, p < n ? p : n,
                 std::string("unterminated ") + what + " literal" +
                     (triple ? "" : " (use a triple-quoted literal for multi-line text)"));
  }
  const int32_t end = body_end + (triple ? 3 : 1);
  std::string_view body(src_.data() + body_start, body_end - body_start);
  Token t;
  t.kind = bytes ? TokenKind::kBytes : TokenKind::kString;
  t.offset = start;
  t.end = end;
  if (raw) {
    t.text = std::string(body);
  } else {
    UnescapeError err;
    if (!Unescape(body, bytes, &t.text, &err)) {
      t.error = std::move(err.message);
      t.error_offset = body_start + err.offset;
    }
  }
  pos_ = end;
  return t;
}

}  // namespace aimsgate::cel::parser
