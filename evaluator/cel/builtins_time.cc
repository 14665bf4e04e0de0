// Timestamp and duration accessors: getFullYear, getMonth, getDate,
// getDayOfMonth, getDayOfYear, getDayOfWeek, getHours, getMinutes, getSeconds,
// getMilliseconds, with an optional time-zone argument for timestamps.
#include "evaluator/cel/builtins.h"
#include "evaluator/cel/time_util.h"

namespace aimsgate::cel::internal {

namespace {

enum Field { kYear, kMonth, kDate, kDayOfMonth, kDayOfYear, kDayOfWeek, kHours, kMinutes, kSeconds, kMillis };

const char* const kNames[] = {"getFullYear",  "getMonth", "getDate",    "getDayOfMonth", "getDayOfYear",
                              "getDayOfWeek", "getHours", "getMinutes", "getSeconds",    "getMilliseconds"};

template <int kField>
Value Get(const Value* a, size_t n, EvalContext&) {
  const Value& x = a[0];
  if (x.IsDuration() && n == 1) {
    int64_t s = x.Seconds();
    switch (kField) {
      case kHours: return Value::Int(s / 3600);
      case kMinutes: return Value::Int(s / 60);
      case kSeconds: return Value::Int(s);
      case kMillis: return Value::Int(s * 1000 + x.Nanos() / 1000000);
      default: break;
    }
    return NoOverload(kNames[kField], a, n);
  }
  if (!x.IsTimestamp() || (n == 2 && !a[1].IsString())) return NoOverload(kNames[kField], a, n);
  int64_t offset = 0;
  if (n == 2 && !TimeZoneOffset(a[1].StringValue(), x.Seconds(), &offset)) {
    return Value::Error("unknown time zone '" + std::string(a[1].StringValue()) + "'");
  }
  CivilTime c = CivilFromSeconds(x.Seconds() + offset);
  switch (kField) {
    case kYear: return Value::Int(c.year);
    case kMonth: return Value::Int(c.month - 1);
    case kDate: return Value::Int(c.day);
    case kDayOfMonth: return Value::Int(c.day - 1);
    case kDayOfYear: return Value::Int(c.day_of_year);
    case kDayOfWeek: return Value::Int(c.day_of_week);
    case kHours: return Value::Int(c.hour);
    case kMinutes: return Value::Int(c.minute);
    case kSeconds: return Value::Int(c.second);
    default: return Value::Int(x.Nanos() / 1000000);
  }
}

}  // namespace

void RegisterTime(std::vector<FunctionDecl>* out) {
  constexpr uint32_t k01 = (1u << 0) | (1u << 1);
  out->insert(out->end(), {
      {"getFullYear", 0, k01, Get<kYear>},
      {"getMonth", 0, k01, Get<kMonth>},
      {"getDate", 0, k01, Get<kDate>},
      {"getDayOfMonth", 0, k01, Get<kDayOfMonth>},
      {"getDayOfYear", 0, k01, Get<kDayOfYear>},
      {"getDayOfWeek", 0, k01, Get<kDayOfWeek>},
      {"getHours", 0, k01, Get<kHours>},
      {"getMinutes", 0, k01, Get<kMinutes>},
      {"getSeconds", 0, k01, Get<kSeconds>},
      {"getMilliseconds", 0, k01, Get<kMillis>},
  });
}

}  // namespace aimsgate::cel::internal
