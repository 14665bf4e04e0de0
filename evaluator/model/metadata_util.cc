#include "evaluator/model/metadata_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cerrno>

#include "evaluator/kernel/read_file.h"
#include "evaluator/model/markdown_sections.h"

namespace aimsgate::model {

bool ParseNumber(std::string_view text, double* value) {
  std::string t = TrimAscii(text);
  if (t.empty() || t.size() > 64) return false;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return false;
  *value = v;
  return true;
}

void AddUnique(const std::string& value, std::vector<std::string>* list) {
  if (value.empty()) return;
  if (std::find(list->begin(), list->end(), value) == list->end()) list->push_back(value);
}

void AddError(std::vector<Diagnostic>* errors, const std::string& source, int line, int column,
              std::string message) {
  if (errors == nullptr) return;
  Diagnostic e;
  e.source = source;
  e.line = line;
  e.column = column;
  e.message = std::move(message);
  errors->push_back(std::move(e));
}

void LineColumn(std::string_view text, size_t offset, int* line, int* column) {
  offset = std::min(offset, text.size());
  int l = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  *line = l;
  *column = static_cast<int>(offset - line_start) + 1;
}

bool ReadInputFile(const std::string& path, std::string* out, std::vector<Diagnostic>* errors,
                   size_t limit) {
  std::string why;
  if (kernel::ReadWholeFile(path, limit, out, &why)) return true;
  AddError(errors, path, 0, 0,
           errno == EFBIG ? "file is larger than " + kernel::BytesText(limit) : "cannot read the file: " + why);
  return false;
}

}  // namespace aimsgate::model
