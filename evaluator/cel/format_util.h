// Small text helpers shared by the CEL runtime: number formatting as CEL's
// string() conversion does it, and UTF-8 code-point handling.
//
//   FormatDouble(0.1)   == "0.1"     FormatDouble(1e21) == "1e+21"
//   Utf8Length("πέντε") == 5
//
// Thread-safety: pure functions.  Cost: linear in the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aimsgate::cel {

// Shortest representation that round-trips, in the style of Go's
// strconv.FormatFloat(d, 'g', -1, 64) ("123.456", "-0.0045", "1e+21", "NaN", "+Inf").
std::string FormatDouble(double d);

// Number of code points (invalid bytes count as one each).
size_t Utf8Length(std::string_view s);
bool Utf8Valid(std::string_view s);
// Decodes to code points; invalid bytes become U+FFFD.
std::vector<char32_t> Utf8Decode(std::string_view s);
void Utf8Append(char32_t cp, std::string* out);

}  // namespace aimsgate::cel
