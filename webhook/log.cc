#include "webhook/log.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "evaluator/kernel/rfc3339.h"

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
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

LogLine::LogLine(std::string_view level, std::string_view msg) : writer_(buffer_) {
  writer_.StartObject();
  Str("time", Now());
  Str("level", level);
  Str("msg", msg);
}

void LogLine::Key(std::string_view key) { writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }

LogLine& LogLine::Str(std::string_view key, std::string_view value) {
  Key(key);
  writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return *this;
}

LogLine& LogLine::Num(std::string_view key, double value) {
  Key(key);
  if (!std::isfinite(value)) {
    writer_.Null();
  } else {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.3f", value);  // milliseconds to the microsecond, not 17 digits
    writer_.RawValue(buf, static_cast<size_t>(n), rapidjson::kNumberType);
  }
  return *this;
}

LogLine& LogLine::Int(std::string_view key, int64_t value) {
  Key(key);
  writer_.Int64(value);
  return *this;
}

LogLine& LogLine::Bool(std::string_view key, bool value) {
  Key(key);
  writer_.Bool(value);
  return *this;
}

LogLine& LogLine::List(std::string_view key, const std::vector<std::string>& values) {
  Key(key);
  writer_.StartArray();
  for (const std::string& v : values) writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  writer_.EndArray();
  return *this;
}

std::string LogLine::text() const { return std::string(buffer_.GetString(), buffer_.GetSize()) + "}"; }

void LogLine::Emit() {
  std::string out;
  out.reserve(buffer_.GetSize() + 2);
  out.append(buffer_.GetString(), buffer_.GetSize());
  out += "}\n";
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace aimsgate::webhook
