// Structured logs: one JSON object per line on stderr, never an object body.
//
//   LogLine("info", "admission").Str("uid", uid).Str("decision", "deny").Num("durationMs", 1.2).Emit();
//   → {"time":"2026-11-28T18:00:00.123Z","level":"info","msg":"admission","uid":"…","decision":"deny",…}
//
// Thread-safety: each line is built privately and written with one fwrite under a mutex,
// so lines from concurrent requests never interleave.  Cost: one small allocation per field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aimsgate::webhook {

class LogLine {
 public:
  LogLine(std::string_view level, std::string_view msg);
  LogLine& Str(std::string_view key, std::string_view value);
  LogLine& Num(std::string_view key, double value);
  LogLine& Int(std::string_view key, int64_t value);
  LogLine& Bool(std::string_view key, bool value);
  LogLine& List(std::string_view key, const std::vector<std::string>& values);
  void Emit();
  std::string text() const { return line_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string line_;
};

// Appends `s` to `out` as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, std::string_view s);

// Turns logging off (tests) or on.
void SetLogEnabled(bool enabled);

}  // namespace aimsgate::webhook
