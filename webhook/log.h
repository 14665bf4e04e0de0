// Structured logs: one JSON object per line on stderr, never an object body.
//
//   LogLine("info", "admission").Str("uid", uid).Str("decision", "deny").Num("durationMs", 1.2).Emit();
//   → {"time":"2026-11-28T18:00:00.123Z","level":"info","msg":"admission","uid":"…","decision":"deny",…}
//
// Thread-safety: each line is built privately and written with one fwrite under a mutex,
// so lines from concurrent requests never interleave.  Cost: one RapidJSON writer per line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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
  std::string text() const;

 private:
  void Key(std::string_view key);
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// The body of every error response: {"error":"<message>"}.
std::string JsonError(std::string_view message);

}  // namespace aimsgate::webhook
