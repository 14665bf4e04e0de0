// Structured logs: one JSON object per line on stderr, never an object body.
//
//   LogLine("info", "admission").Str("uid", uid).Str("decision", "deny").Num("durationMs", 1.2).Emit();
//   → {"time":"2026-11-28T18:00:00.123Z","level":"info","msg":"admission","uid":"…","decision":"deny",…}
//
// Thread-safety: each line is built privately, then Emit copies it whole into a queue that
// one writer thread writes to stderr, so lines from concurrent requests never interleave
// and no Emit waits on stderr: if nobody reads it (a full pipe), the queue fills up to
// 1 MiB and further lines are dropped, counted (LogLinesDropped) and reported by a line
// "N log lines dropped" once the writer gets through.  Lines of one thread keep their
// order.  Before the process exits, FlushLogs writes what is queued.  Cost: one string per
// line, the fields appended as JSON text (json_text.h: the bytes rapidjson::Writer
// writes), and a copy under a mutex to queue it.
#pragma once

#include <chrono>
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
  // A list written item by item, without a vector: BeginList(key), Item(v)..., EndList().
  LogLine& BeginList(std::string_view key);
  LogLine& Item(std::string_view value);
  LogLine& EndList();
  void Emit();
  std::string text() const;

 private:
  void Key(std::string_view key);
  std::string line_;         // "{" and the fields so far, without the closing brace
  bool first_item_ = false;  // in a list, before its first item
};

// Waits until every line emitted so far is written, at most `timeout` (stderr may be a pipe
// nobody reads); false on timeout.
bool FlushLogs(std::chrono::milliseconds timeout);

// Lines dropped since the start because the queue to stderr was full.
uint64_t LogLinesDropped();

// The body of every error response: {"error":"<message>"}.
std::string JsonError(std::string_view message);

}  // namespace aimsgate::webhook
