// LocateDiagnostic and FormatDiagnostic (declared in evaluator/cel/ast.h).
#include <algorithm>
#include <string>

#include "evaluator/cel/ast.h"

namespace aimsgate::cel {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int32_t ClampOffset(const std::string& source, int32_t offset) {
  return std::clamp<int32_t>(offset, 0, static_cast<int32_t>(source.size()));
}

// Byte offset of the start of the line holding `offset`.
size_t LineStart(const std::string& source, int32_t offset) {
  if (offset == 0) return 0;
  const size_t nl = source.rfind('\n', static_cast<size_t>(offset) - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

}  // namespace

void LocateDiagnostic(const std::string& source, Diagnostic* d) {
  const int32_t offset = ClampOffset(source, d->offset);
  int32_t line = 1;
  for (int32_t i = 0; i < offset; ++i) {
    if (source[i] == '\n') ++line;
  }
  const size_t start = LineStart(source, offset);
  int32_t column = 1;
  for (size_t i = start; i < static_cast<size_t>(offset); ++i) {
    if (!IsContinuationByte(source[i])) ++column;
  }
  d->line = line;
  d->column = column;
}

std::string FormatDiagnostic(const std::string& source, const Diagnostic& d) {
  Diagnostic located = d;
  LocateDiagnostic(source, &located);
  std::string out = "ERROR: <input>:" + std::to_string(located.line) + ":" +
                    std::to_string(located.column) + ": " + d.message;
  const int32_t offset = ClampOffset(source, d.offset);
  const size_t start = LineStart(source, offset);
  size_t end = source.find('\n', start);
  if (end == std::string::npos) end = source.size();
  std::string snippet = source.substr(start, end - start);
  if (!snippet.empty() && snippet.back() == '\r') snippet.pop_back();
  std::replace(snippet.begin(), snippet.end(), '\t', ' ');
  out += "\n | " + snippet + "\n | ";
  out.append(static_cast<size_t>(located.column - 1), '.');
  out += "^";
  return out;
}

}  // namespace aimsgate::cel
