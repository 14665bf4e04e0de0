// Internal to evaluator/model: small helpers shared by the card and BOM readers.
//
//   double v;
//   if (ParseNumber("0.93", &v)) AddUnique("accuracy", &names);
//   LineColumn(text, offset, &line, &column);   // for JSON parse errors
//
// Stateless; thread-safe; each call is linear in its input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "evaluator/model/model_metadata.h"

namespace aimsgate::model {

// Parses a whole string as a finite number ("0.93", " 12 "); false otherwise.
bool ParseNumber(std::string_view text, double* value);

// Appends `value` to *list unless empty or already present.
void AddUnique(const std::string& value, std::vector<std::string>* list);

// Appends an error.
void AddError(std::vector<Diagnostic>* errors, const std::string& source, int line, int column,
              std::string message);

// Reads a whole file of at most `limit` bytes (kernel::ReadWholeFile: a pipe or a
// device too); false with an error (no position) otherwise.
bool ReadInputFile(const std::string& path, std::string* out, std::vector<Diagnostic>* errors,
                   size_t limit = kMaxInputBytes);

// 1-based line and column of a byte offset in `text`.
void LineColumn(std::string_view text, size_t offset, int* line, int* column);

}  // namespace aimsgate::model
