#include "webhook/log.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace aimsgate::webhook {
namespace {

std::atomic<bool> g_enabled{true};
std::mutex g_mu;

std::string Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace

void SetLogEnabled(bool enabled) { g_enabled = enabled; }

void AppendJsonString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  *out += '"';
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"') *out += "\\\"";
    else if (c == '\\') *out += "\\\\";
    else if (c == '\n') *out += "\\n";
    else if (c == '\t') *out += "\\t";
    else if (u < 0x20 || u == 0x7f) {
      *out += "\\u00";
      *out += kHex[u >> 4];
      *out += kHex[u & 15];
    } else {
      *out += c;
    }
  }
  *out += '"';
}

LogLine::LogLine(std::string_view level, std::string_view msg) {
  line_ = "{\"time\":\"" + Now() + "\"";
  Str("level", level);
  Str("msg", msg);
}

void LogLine::Key(std::string_view key) {
  line_ += ',';
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
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  line_ += buf;
  return *this;
}

LogLine& LogLine::Int(std::string_view key, int64_t value) {
  Key(key);
  line_ += std::to_string(value);
  return *this;
}

LogLine& LogLine::Bool(std::string_view key, bool value) {
  Key(key);
  line_ += value ? "true" : "false";
  return *this;
}

LogLine& LogLine::List(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  line_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) line_ += ',';
    AppendJsonString(&line_, values[i]);
  }
  line_ += ']';
  return *this;
}

void LogLine::Emit() {
  if (!g_enabled) return;
  std::string out = line_ + "}\n";
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace aimsgate::webhook
