#include "evaluator/kernel/diagnostic.h"

#include <utility>

#include "evaluator/kernel/read_file.h"
#include "evaluator/kernel/utf8.h"

namespace aimsgate {

std::shared_ptr<const SourceFile> SourceFile::FromString(std::string path, std::string text) {
  auto file = std::make_shared<SourceFile>();
  file->path_ = std::move(path);
  file->text_ = std::move(text);
  file->line_starts_.push_back(0);
  for (size_t i = 0; i < file->text_.size(); ++i) {
    if (file->text_[i] == '\n' && i + 1 < file->text_.size()) file->line_starts_.push_back(i + 1);
  }
  return file;
}

std::shared_ptr<const SourceFile> SourceFile::Read(const std::string& path, std::string* error) {
  std::string text;
  if (!kernel::ReadWholeFile(path, kernel::kMaxInputFileBytes, &text, error)) return nullptr;
  return FromString(path, std::move(text));
}

std::string_view SourceFile::Line(int line) const {
  if (line < 1 || line > LineCount()) return {};
  size_t start = line_starts_[line - 1];
  size_t end = text_.find('\n', start);
  if (end == std::string::npos) end = text_.size();
  std::string_view view(text_.data() + start, end - start);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  return view;
}

std::string Diagnostic::ToString(const SourceFile* file) const {
  // Source, message and snippet quote inputs (file names, keys, a line of the file): none
  // may start a line of its own on a terminal or in a CI log, nor drive the terminal.
  std::string out = kernel::EscapeControls(source);
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  // A flag's usage error (path "--param KEY", no line) reads as the flag: "--param KEY: expected ...".
  const bool flag = line == 0 && source.rfind("--", 0) == 0;
  out += level == Level::kError ? (flag ? ": " : ": error: ") : ": warning: ";
  out += kernel::EscapeControls(message, "\t");
  if (file != nullptr && line > 0 && line <= file->LineCount()) {
    std::string_view text = file->Line(line);
    // A hostile or minified line can be megabytes long: show 160 bytes around the column.
    int col = 1;
    constexpr size_t kWindow = 160;
    if (text.size() > kWindow) {
      size_t at = 0;  // byte offset of the column (code points counted as the caret does)
      for (int c = 1; at < text.size() && c < column; ++at) {
        if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) ++c;
      }
      size_t start = at > kWindow / 2 ? at - kWindow / 2 : 0;
      while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
      for (size_t i = 0; i < start; ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
      }
      text = text.substr(start, kWindow);
    }
    out += "\n | ";
    out += kernel::ReplaceControls(text, "\t");
    if (column > 0) {
      out += "\n | ";
      // Columns count code points; the caret line mirrors tabs so it lines up.
      for (size_t i = 0; i < text.size() && col < column; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) == 0x80) continue;
        out += c == '\t' ? '\t' : '.';
        ++col;
      }
      out += '^';
    }
  }
  return out;
}

}  // namespace aimsgate
