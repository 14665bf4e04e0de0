// CEL runtime values.
//
// CONTRACT (used by evaluator/pack, cli/ and webhook/; the CEL runtime owns the
// implementation and may add to it, but must keep these members):
//
//   static Value Null();  Bool(bool);  Int(int64_t);  Uint(uint64_t);  Double(double);
//   static Value String(std::string);  Bytes(std::string);
//   static Value Error(std::string message);
//   static Value Json(const rapidjson::Value& v);   // borrows v: objects and arrays
//                                                   // are NOT copied; v must outlive
//                                                   // every Value derived from it
//   bool IsError() const;  const std::string& ErrorMessage() const;
//   bool IsBool() const;   bool BoolValue() const;
//   bool IsNull() const;   bool IsString() const;  std::string_view StringValue() const;
//   std::string DebugString() const;   // CEL literal syntax, for tests and messages
//   std::string ToDisplayString() const;  // as string(): strings unquoted, for
//                                         // {{expr}} interpolation in messages
//   Kind kind() const;  enum class Kind { kNull, kBool, kInt, kUint, kDouble, kString,
//        kBytes, kList, kMap, kTimestamp, kDuration, kType, kOptional, kError, ... };
//   static Value Timestamp(int64_t seconds, int32_t nanos);
//
// Values are cheap to copy (scalars inline, aggregates by shared or borrowed
// reference).
#pragma once
