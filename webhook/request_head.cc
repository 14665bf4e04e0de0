#include "webhook/request_head.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace aimsgate::webhook {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// RFC 9110 token characters (header names, methods): letters, digits and !#$%&'*+-.^_`|~.
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] = true;
  return t;
}();

bool IsTokenChar(char c) { return kTokenChar[static_cast<unsigned char>(c)]; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::string* RequestHead::Find(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

size_t RequestHead::Count(std::string_view name) const {
  size_t n = 0;
  for (const auto& h : headers) n += EqualsIgnoreCase(h.first, name);
  return n;
}

bool RequestHead::AsksToClose() const {
  for (const auto& h : headers) {
    if (!EqualsIgnoreCase(h.first, "Connection")) continue;
    std::string_view list = h.second;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      std::string_view option = list.substr(0, comma);
      while (!option.empty() && (option.front() == ' ' || option.front() == '\t')) option.remove_prefix(1);
      while (!option.empty() && (option.back() == ' ' || option.back() == '\t')) option.remove_suffix(1);
      if (EqualsIgnoreCase(option, "close")) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return false;
}

void HeadParser::Reset() {
  head_ = RequestHead{};
  error_ = HeadError{};
  line_start_ = scanned_ = 0;
  have_request_line_ = false;
  state_ = HeadStatus::kIncomplete;
}

HeadStatus HeadParser::Fail(int status, std::string message) {
  error_ = {status, std::move(message)};
  state_ = HeadStatus::kError;
  return state_;
}

bool HeadParser::ParseRequestLine(std::string_view line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return false;
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  if (method.empty() || target.empty() || (version != "HTTP/1.1" && version != "HTTP/1.0")) return false;
  for (char c : method) {
    if (!IsTokenChar(c)) return false;
  }
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  head_.method = std::string(method);
  head_.target = std::string(target);
  head_.path = head_.target.substr(0, head_.target.find('?'));
  head_.version = std::string(version);
  // Room for a usual request's fields at once (curl sends 5, an apiserver about 6), not
  // grown one reallocation at a time.
  constexpr size_t kUsualFields = 12;
  head_.headers.reserve(std::min(kUsualFields, limits_.max_headers));
  head_.header_lines.reserve(std::min(kUsualFields, limits_.max_headers));
  return true;
}

bool HeadParser::ParseHeaderLine(std::string_view line, size_t begin, size_t end) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  // No whitespace before the colon and no obsolete line folding: both are ways to make two
  // parsers disagree about a header (request smuggling), so they are refused, not repaired.
  for (size_t i = 0; i < colon; ++i) {
    if (!IsTokenChar(line[i])) return false;
  }
  std::string_view value = Trim(line.substr(colon + 1));
  for (char c : value) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  head_.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  head_.header_lines.emplace_back(begin, end);
  return true;
}

HeadStatus HeadParser::Parse(std::string_view data) {
  if (state_ != HeadStatus::kIncomplete) return state_;
  for (;;) {
    size_t limit = std::min(data.size(), limits_.max_head_bytes);
    const void* nl = scanned_ < limit ? std::memchr(data.data() + scanned_, '\n', limit - scanned_) : nullptr;
    if (!nl) {
      scanned_ = limit;
      size_t partial = limit - line_start_;
      if (partial > limits_.max_line_bytes + 1) {  // +1: the CR of a CRLF may be next
        return have_request_line_
                   ? Fail(431, "header line longer than " + std::to_string(limits_.max_line_bytes) + " bytes")
                   : Fail(414, "request line longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
      }
      if (data.size() >= limits_.max_head_bytes) {
        return Fail(431, "request head larger than " + std::to_string(limits_.max_head_bytes) + " bytes");
      }
      return state_;
    }
    size_t end = static_cast<const char*>(nl) - data.data();
    size_t next = end + 1;
    std::string_view line = data.substr(line_start_, end - line_start_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > limits_.max_line_bytes) {
      return have_request_line_
                 ? Fail(431, "header line longer than " + std::to_string(limits_.max_line_bytes) + " bytes")
                 : Fail(414, "request line longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
    }
    size_t begin = line_start_;
    line_start_ = scanned_ = next;
    if (!have_request_line_) {
      if (line.empty()) continue;  // blank lines before a request are ignored (RFC 9112 §2.2)
      if (!ParseRequestLine(line)) return Fail(400, "malformed request line");
      have_request_line_ = true;
      continue;
    }
    if (line.empty()) {
      head_.size = next;
      state_ = HeadStatus::kComplete;
      return state_;
    }
    if (line.front() == ' ' || line.front() == '\t') return Fail(400, "folded header line");
    if (head_.headers.size() >= limits_.max_headers) {
      return Fail(431, "more than " + std::to_string(limits_.max_headers) + " header fields");
    }
    if (!ParseHeaderLine(line, begin, next)) return Fail(400, "malformed header line");
  }
}

bool CheckFraming(const RequestHead& head, size_t max_body_bytes, RequestFraming* out) {
  auto refuse = [out](int status, std::string message) {
    out->status = status;
    out->message = std::move(message);
    return false;
  };
  if (head.Find("Transfer-Encoding")) {
    return refuse(411, "Transfer-Encoding is not accepted: send the body with a Content-Length");
  }
  for (const auto& [name, value] : head.headers) {
    if (EqualsIgnoreCase(name, "Content-Encoding") && !value.empty() && !EqualsIgnoreCase(value, "identity")) {
      return refuse(415, "Content-Encoding '" + value.substr(0, 64) + "' is not accepted: send the body uncompressed");
    }
  }
  const std::string* length = head.Find("Content-Length");
  if (length) {
    if (head.Count("Content-Length") != 1 || length->empty() || length->size() > 19) {
      if (length->size() > 19 && length->find_first_not_of("0123456789") == std::string::npos) {
        return refuse(413, "request body over the limit of " + std::to_string(max_body_bytes) + " bytes");
      }
      return refuse(400, "exactly one Content-Length with a decimal number is required");
    }
    size_t n = 0;
    for (char c : *length) {
      if (c < '0' || c > '9') return refuse(400, "exactly one Content-Length with a decimal number is required");
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    if (n > max_body_bytes) {
      return refuse(413, "request body over the limit of " + std::to_string(max_body_bytes) + " bytes");
    }
    out->content_length = n;
  } else if (head.method == "POST" || head.method == "PUT" || head.method == "PATCH") {
    return refuse(411, "Content-Length is required");
  }
  if (const std::string* expect = head.Find("Expect")) {
    if (!EqualsIgnoreCase(*expect, "100-continue")) return refuse(417, "only Expect: 100-continue is understood");
    out->expect_continue = head.version == "HTTP/1.1";
  }
  return true;
}

}  // namespace aimsgate::webhook
