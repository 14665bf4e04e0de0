// Source files and positions for diagnostics that point into rule packs and
// the other YAML inputs (inventory, waivers, test suites).
//
//   SourceFile file = SourceFile::FromString("rules/p.yaml", text);
//   Diagnostic d{file.path(), 19, 12, "undeclared reference to 'objct'"};
//   std::cerr << d.ToString(&file);   // file:19:12: error: ... plus a caret snippet
//
// Thread-safety: immutable after construction.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aimsgate {

class SourceFile {
 public:
  static std::shared_ptr<const SourceFile> FromString(std::string path, std::string text);
  // Reads a file; returns null and sets *error when it cannot be read.
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
  std::string path;
  int line = 0;
  int column = 0;
  std::string message;
  Level level = Level::kError;

  // "path:line:col: error: message", plus a caret snippet when `source` has the line;
  // a flag's error (path "--flag ...", no line) reads "--flag ...: message".
  std::string ToString(const SourceFile* source = nullptr) const;
};

}  // namespace aimsgate
