// JSON text appended to a std::string, byte for byte what rapidjson::Writer writes (no
// validation flags), without the Writer's per-byte stream calls and nesting stack: the
// admission answer and the log lines are flat, fixed shapes written once per request.
//
//   std::string out;
//   out += "{\"uid\":";
//   AppendJsonString(&out, uid);      // "\"…\"", escaped
//   out += ",\"code\":";
//   AppendJsonInt(&out, 403);
//   out += '}';
//
// Escaping (rapidjson::Writer's table): '"', '\\', and bytes below 0x20 — \b \t \n \f \r, the
// others as \u00XX with upper-case hex digits.  Every other byte is copied as it is: 0x7f,
// and the bytes of UTF-8 sequences, valid or not (the Writer validates nothing without
// kWriteValidateEncodingFlag).  Stateless; cost: well under one instruction per plain
// byte (sixteen bytes are tested at a time), one append per run of plain bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "evaluator/kernel/json_escape.h"

namespace aimsgate::webhook {

// Appends `text` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, std::string_view text);

// Appends `text` escaped, without the quotes: the pieces of one literal written in turn
// (escaping is byte by byte, so the pieces together read as their concatenation).
void AppendJsonEscaped(std::string* out, std::string_view text);

// Appends `value` in decimal, as rapidjson::Writer::Int64 does.
void AppendJsonInt(std::string* out, int64_t value);

// The scan and the table live in the kernel (cli/json_out.h writes the same escapes).
using kernel::FindJsonSpecial;
using kernel::HasJsonSpecialByte;
using kernel::JsonSpecialBytes;

}  // namespace aimsgate::webhook
