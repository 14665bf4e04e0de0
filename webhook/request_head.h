// The head of an HTTP/1.x request (request line and header fields), parsed as its bytes
// arrive and refused as soon as it goes over a limit — before the rest of it, and before
// any of the body, is read.  The connection layer (http_transport.h) owns the bytes.
//
//   HeadParser p(HeadLimits{});
//   std::string in;                      // the connection's receive buffer, request first
//   ... append received bytes to `in` ...
//   switch (p.Parse(in)) {
//     case HeadStatus::kIncomplete: read more (memory so far ≤ the limits); break;
//     case HeadStatus::kError:      answer p.error().status, close; break;
//     case HeadStatus::kComplete:   p.head() is valid; the body starts at p.head().size;
//   }
//   RequestFraming f;
//   if (!CheckFraming(p.head(), max_body, &f)) answer f.status / f.message and close;
//
// Parse resumes where the previous call stopped (each byte is looked at once), so a client
// dribbling a 64 KiB head costs O(64 KiB), not O(n²).  A line is refused as soon as it is
// longer than max_line_bytes, whether or not its newline has arrived.
// Thread-safety: one parser per connection.  Cost: O(bytes) per request head.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aimsgate::webhook {

struct HeadLimits {
  size_t max_line_bytes = 8192;    // request line or one header line, without the line end
  size_t max_headers = 100;        // header fields
  size_t max_head_bytes = 65536;   // the whole head, blank line included
};

struct RequestHead {
  std::string method, target, path, version;  // path = target without the query
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed
  std::vector<std::pair<size_t, size_t>> header_lines;       // [begin, end) of each line in the bytes
  size_t size = 0;  // bytes of the head, the blank line included

  // The value of the first header named `name` (case-insensitive), or nullptr.
  const std::string* Find(std::string_view name) const;
  size_t Count(std::string_view name) const;
  // Whether a Connection header lists the "close" option (RFC 9110 7.6.1: a
  // comma-separated list, options case-insensitive, in any number of such headers).
  bool AsksToClose() const;
};

enum class HeadStatus { kIncomplete, kComplete, kError };

struct HeadError {
  int status = 0;  // 400, 414 or 431
  std::string message;
};

class HeadParser {
 public:
  explicit HeadParser(HeadLimits limits) : limits_(limits) {}
  // `data` holds the request from its first byte; it may only have grown since the last call.
  HeadStatus Parse(std::string_view data);
  void Reset();
  const RequestHead& head() const { return head_; }
  // Moves the completed head out (for the worker); head() is empty until Reset().
  RequestHead TakeHead() { return std::move(head_); }
  const HeadError& error() const { return error_; }

 private:
  HeadStatus Fail(int status, std::string message);
  bool ParseRequestLine(std::string_view line);
  bool ParseHeaderLine(std::string_view line, size_t begin, size_t end);

  HeadLimits limits_;
  RequestHead head_;
  HeadError error_;
  size_t line_start_ = 0;   // start of the line being received
  size_t scanned_ = 0;      // bytes already searched for a newline
  bool have_request_line_ = false;
  HeadStatus state_ = HeadStatus::kIncomplete;
};

// How the body is framed, decided from the head alone.
struct RequestFraming {
  size_t content_length = 0;
  bool expect_continue = false;
  int status = 0;  // on refusal: 400, 411, 413, 415 or 417
  std::string message;
};

// Refuses what the server will not read: Transfer-Encoding (411: a body must say its length),
// a Content-Encoding other than identity (415: no inflating), a POST/PUT/PATCH without
// Content-Length (411), a Content-Length that is not one decimal number (400) or is over
// max_body_bytes (413), an Expect other than 100-continue (417).
bool CheckFraming(const RequestHead& head, size_t max_body_bytes, RequestFraming* out);

}  // namespace aimsgate::webhook
