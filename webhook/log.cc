#include "webhook/log.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "evaluator/kernel/rfc3339.h"
#include "webhook/json_text.h"

namespace aimsgate::webhook {
namespace {

std::mutex g_mu;

std::string Now() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  if (ms < 0) return kernel::FormatRfc3339(ms / 1000, static_cast<int32_t>(ms % 1000) * 1000000, 3);
  // Every request logs a line: the date and time of day ("2026-11-28T18:00:00.") are
  // formatted once per second and thread, only the milliseconds per line.
  thread_local int64_t cached_second = -1;
  thread_local std::string prefix;
  const int64_t second = ms / 1000;
  if (second != cached_second) {
    prefix = kernel::FormatRfc3339(second, 0, 3);  // "...T18:00:00.000Z"
    prefix.resize(prefix.size() - 4);
    cached_second = second;
  }
  const int milli = static_cast<int>(ms % 1000);
  std::string out;
  out.reserve(prefix.size() + 4);
  out += prefix;
  out += static_cast<char>('0' + milli / 100);
  out += static_cast<char>('0' + milli / 10 % 10);
  out += static_cast<char>('0' + milli % 10);
  out += 'Z';
  return out;
}

}  // namespace

std::string JsonError(std::string_view message) {
  std::string out = "{\"error\":";
  AppendJsonString(&out, message);
  out += '}';
  return out;
}

LogLine::LogLine(std::string_view level, std::string_view msg) {
  line_.reserve(384);  // an admission line is about 300 bytes
  line_ += "{\"time\":";
  AppendJsonString(&line_, Now());
  Str("level", level);
  Str("msg", msg);
}

void LogLine::Key(std::string_view key) {
  line_ += ',';  // never the first field: "time" is
  AppendJsonString(&line_, key);
  line_ += ':';
}

LogLine& LogLine::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(&line_, value);
  return *this;
}

LogLine& LogLine::Num(std::string_view key, double value) {
  Key(key);
  if (!std::isfinite(value)) {
    line_ += "null";
  } else {
    char buf[400];  // "%.3f" of the largest double: 309 digits and ".000"
    int n = std::snprintf(buf, sizeof buf, "%.3f", value);  // milliseconds to the microsecond, not 17 digits
    line_.append(buf, std::min(static_cast<size_t>(n), sizeof buf - 1));
  }
  return *this;
}

LogLine& LogLine::Int(std::string_view key, int64_t value) {
  Key(key);
  AppendJsonInt(&line_, value);
  return *this;
}

LogLine& LogLine::Bool(std::string_view key, bool value) {
  Key(key);
  line_ += value ? "true" : "false";
  return *this;
}

LogLine& LogLine::List(std::string_view key, const std::vector<std::string>& values) {
  BeginList(key);
  for (const std::string& v : values) Item(v);
  return EndList();
}

LogLine& LogLine::BeginList(std::string_view key) {
  Key(key);
  line_ += '[';
  first_item_ = true;
  return *this;
}

LogLine& LogLine::Item(std::string_view value) {
  if (!first_item_) line_ += ',';
  first_item_ = false;
  AppendJsonString(&line_, value);
  return *this;
}

LogLine& LogLine::EndList() {
  line_ += ']';
  first_item_ = false;
  return *this;
}

std::string LogLine::text() const { return line_ + "}"; }

void LogLine::Emit() {
  line_ += "}\n";
  {
    std::lock_guard<std::mutex> lock(g_mu);
    std::fwrite(line_.data(), 1, line_.size(), stderr);
    std::fflush(stderr);
  }
  line_.resize(line_.size() - 2);
}

}  // namespace aimsgate::webhook
