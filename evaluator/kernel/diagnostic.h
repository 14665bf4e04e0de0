// The one located error of aimsgate: every input problem (a pack, a manifest, a model
// card or BOM, a file the CLI cannot read, an inventory, a waiver, a test suite) is a
// Diagnostic, "source:line:col: error: message", and reads the same wherever it comes from.
//
//   Diagnostic d{"rules/p.yaml", 19, 12, "undeclared reference to 'objct'"};
//   d.ToString();        // rules/p.yaml:19:12: error: undeclared reference to 'objct'
//   SourceFile file = *SourceFile::FromString("rules/p.yaml", text);
//   d.ToString(&file);   // the same, plus the line and a caret under column 12
//
// The position is 1-based; line 0 means the problem has no position (a file too large,
// a flag), column 0 that only the line is known.  (cel::Diagnostic, evaluator/cel/ast.h,
// is the CEL parser's own error inside one expression string; the pack loader turns it
// into a Diagnostic of the pack file.)
//
// Thread-safety: plain values; SourceFile is immutable after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aimsgate {

class SourceFile {
 public:
  static std::shared_ptr<const SourceFile> FromString(std::string path, std::string text);
  // Reads a file (kernel::ReadWholeFile, at most kMaxInputFileBytes); returns
  // null and sets *error when it cannot be read.
  static std::shared_ptr<const SourceFile> Read(const std::string& path, std::string* error);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  // The text of a 1-based line without its newline; empty past the end.
  std::string_view Line(int line) const;
  int LineCount() const { return static_cast<int>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

struct SourcePos {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

struct Diagnostic {
  enum class Level { kError, kWarning };
  std::string source;  // a file as named, "<stdin>", or a flag ("--param KEY")
  int line = 0;        // 1-based; 0 = no position
  int column = 0;      // 1-based, in code points; 0 = unknown
  std::string message;
  Level level = Level::kError;

  // "source:line:col: error: message" (":col" only when known, no position when
  // line is 0; "warning:" for a warning), plus a caret snippet when `file` has the line;
  // a flag's error (source "--flag ...", no line) reads "--flag ...: message".
  std::string ToString(const SourceFile* file = nullptr) const;
};

}  // namespace aimsgate
