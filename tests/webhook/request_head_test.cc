// HeadParser and CheckFraming (webhook/request_head.h): limits refused as bytes arrive,
// smuggling shapes refused, framing decided before the body.
#include <gtest/gtest.h>

#include <string>

#include "webhook/request_head.h"

namespace aimsgate::webhook {
namespace {

const char kRequest[] =
    "POST /validate?timeout=10s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Content-Length: 2\r\n\r\n{}";

TEST(HeadParser, ParsesAHeadFedOneByteAtATime) {
  HeadParser p(HeadLimits{});
  std::string in;
  HeadStatus s = HeadStatus::kIncomplete;
  for (const char* c = kRequest; *c && s == HeadStatus::kIncomplete; ++c) {
    in += *c;
    s = p.Parse(in);
  }
  ASSERT_EQ(s, HeadStatus::kComplete);
  EXPECT_EQ(p.head().method, "POST");
  EXPECT_EQ(p.head().path, "/validate");
  EXPECT_EQ(p.head().target, "/validate?timeout=10s");
  ASSERT_NE(p.head().Find("content-length"), nullptr);
  EXPECT_EQ(*p.head().Find("content-length"), "2");
  EXPECT_EQ(p.head().size, std::string(kRequest).size() - 2);
}

// Connection is a list of options, matched without regard to case, in any number of fields.
TEST(RequestHead, AsksToCloseReadsConnectionAsACaseInsensitiveList) {
  auto asks = [](const std::vector<std::string>& connection_values) {
    RequestHead h;
    h.headers.push_back({"Host", "x"});
    for (const auto& v : connection_values) h.headers.push_back({"connection", v});
    return h.AsksToClose();
  };
  EXPECT_FALSE(asks({}));
  EXPECT_FALSE(asks({"keep-alive"}));
  EXPECT_FALSE(asks({"closed"}));
  EXPECT_FALSE(asks({"keep-alive, upgrade"}));
  EXPECT_FALSE(asks({""}));
  EXPECT_TRUE(asks({"close"}));
  EXPECT_TRUE(asks({"Close"}));
  EXPECT_TRUE(asks({"CLOSE"}));
  EXPECT_TRUE(asks({"keep-alive, close"}));
  EXPECT_TRUE(asks({"close, TE"}));
  EXPECT_TRUE(asks({"TE,\tclose\t"}));
  EXPECT_TRUE(asks({",,close,"}));
  EXPECT_TRUE(asks({"keep-alive", "close"}));
}

// Token characters are looked up in a table: every byte value in a header name and in the
// method is accepted exactly when RFC 9110 says it is a token character.
TEST(HeadParser, TokenCharactersAreExactlyRfc9110s) {
  const std::string extra = "!#$%&'*+-.^_`|~";
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       (c != 0 && extra.find(ch) != std::string::npos);
    if (ch == '\n' || ch == ':') continue;  // a line end, the name's end: not a name byte
    HeadParser header(HeadLimits{});
    const std::string with_header = std::string("POST /v HTTP/1.1\r\nX") + ch + "Y: v\r\nHost: x\r\n\r\n";
    EXPECT_EQ(header.Parse(with_header) == HeadStatus::kComplete, token) << c;
    if (ch == ' ' || ch == '\r') continue;  // separators of the request line itself
    HeadParser method(HeadLimits{});
    const std::string with_method = std::string("P") + ch + "ST /v HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(method.Parse(with_method) == HeadStatus::kComplete, token) << c;
  }
}

// More fields than the room reserved up front are kept, in order.
TEST(HeadParser, ManyFieldsKeepTheirOrder) {
  std::string in = "POST /v HTTP/1.1\r\n";
  for (int i = 0; i < 40; ++i) in += "X-F" + std::to_string(i) + ": " + std::to_string(i * 7) + "\r\n";
  in += "\r\n";
  HeadParser p(HeadLimits{});
  ASSERT_EQ(p.Parse(in), HeadStatus::kComplete);
  ASSERT_EQ(p.head().headers.size(), 40u);
  ASSERT_EQ(p.head().header_lines.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(p.head().headers[i].first, "X-F" + std::to_string(i));
    EXPECT_EQ(p.head().headers[i].second, std::to_string(i * 7));
  }
}

TEST(HeadParser, LongLineRefusedBeforeItsNewlineArrives) {
  HeadLimits limits;
  HeadParser p(limits);
  std::string in = "POST /validate HTTP/1.1\r\nX-Pad: ";
  in.append(limits.max_line_bytes, 'a');  // no newline yet
  EXPECT_EQ(p.Parse(in), HeadStatus::kError);
  EXPECT_EQ(p.error().status, 431);
}

TEST(HeadParser, LineAtTheLimitIsAccepted) {
  HeadLimits limits;
  HeadParser p(limits);
  std::string line = "X-Pad: ";
  line.append(limits.max_line_bytes - line.size(), 'a');
  std::string in = "GET /healthz HTTP/1.1\r\n" + line + "\r\n\r\n";
  EXPECT_EQ(p.Parse(in), HeadStatus::kComplete);
  HeadParser over(limits);
  in = "GET /healthz HTTP/1.1\r\n" + line + "a\r\n\r\n";
  EXPECT_EQ(over.Parse(in), HeadStatus::kError);
}

TEST(HeadParser, LongRequestLineIs414) {
  HeadLimits limits;
  HeadParser p(limits);
  std::string in = "GET /" + std::string(limits.max_line_bytes + 10, 'a');
  EXPECT_EQ(p.Parse(in), HeadStatus::kError);
  EXPECT_EQ(p.error().status, 414);
}

TEST(HeadParser, HeaderCountLimit) {
  HeadLimits limits;
  std::string at = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < limits.max_headers; ++i) at += "X-" + std::to_string(i) + ": a\r\n";
  HeadParser ok(limits);
  EXPECT_EQ(ok.Parse(at + "\r\n"), HeadStatus::kComplete);
  HeadParser over(limits);
  EXPECT_EQ(over.Parse(at + "X-over: a\r\n\r\n"), HeadStatus::kError);
  EXPECT_EQ(over.error().status, 431);
}

TEST(HeadParser, WholeHeadLimit) {
  HeadLimits limits;
  limits.max_head_bytes = 1024;
  HeadParser p(limits);
  std::string in = "GET / HTTP/1.1\r\n";
  while (in.size() < 1100) in += "X-a: 0123456789\r\n";
  EXPECT_EQ(p.Parse(in), HeadStatus::kError);
  EXPECT_EQ(p.error().status, 431);
}

TEST(HeadParser, SmugglingShapesAreRefused) {
  for (const char* bad : {"POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\n",  // space before colon
                          "POST / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",     // obsolete line folding
                          "POST / HTTP/1.1\r\nX: a\x01\r\n\r\n",            // control character
                          "POST /  HTTP/1.1\r\n\r\n",                       // two spaces
                          "POST / HTTP/2.0\r\n\r\n"}) {
    HeadParser p(HeadLimits{});
    EXPECT_EQ(p.Parse(bad), HeadStatus::kError) << bad;
    EXPECT_EQ(p.error().status, 400) << bad;
  }
}

TEST(HeadParser, LeadingBlankLinesAreSkipped) {
  HeadParser p(HeadLimits{});
  EXPECT_EQ(p.Parse("\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"), HeadStatus::kComplete);
  EXPECT_EQ(p.head().path, "/healthz");
}

RequestFraming Frame(const std::string& head_text, size_t max_body = 7u << 20) {
  HeadParser p(HeadLimits{});
  EXPECT_EQ(p.Parse(head_text), HeadStatus::kComplete) << head_text;
  RequestFraming f;
  if (CheckFraming(p.head(), max_body, &f)) f.status = 0;
  return f;
}

TEST(CheckFraming, RefusesWhatWouldBeReadUnbounded) {
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").status, 411);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Encoding: gzip\r\n\r\n").status, 415);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\n\r\n").status, 411);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: 7340033\r\n\r\n").status, 413);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").status, 413);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n").status, 400);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status, 400);
  EXPECT_EQ(Frame("POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: something\r\n\r\n").status, 417);
}

TEST(CheckFraming, AcceptsWhatTheApiserverSends) {
  RequestFraming f = Frame("POST / HTTP/1.1\r\nContent-Length: 7340032\r\nContent-Encoding: identity\r\n\r\n");
  EXPECT_EQ(f.status, 0);
  EXPECT_EQ(f.content_length, 7340032u);
  f = Frame("POST / HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(f.status, 0);
  EXPECT_TRUE(f.expect_continue);
  f = Frame("GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(f.status, 0);
  EXPECT_EQ(f.content_length, 0u);
}

}  // namespace
}  // namespace aimsgate::webhook
