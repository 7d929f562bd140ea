#include <doctest/doctest.h>

#include <string>

#include "models/apps/http_message.hpp"
#include "models/transport/payload.hpp"

using namespace nlb::apps;
using nlb::transport::as_bytes;

TEST_CASE("the request head the client writes parses back to the same fields") {
  std::string head;
  write_request_head(head, "POST", "/obj", "cluster", 1234, 5000, true);
  CHECK(head ==
        "POST /obj HTTP/1.1\r\nHost: cluster\r\nX-Response-Size: 5000\r\nContent-Length: 1234\r\n"
        "Connection: close\r\n\r\n");
  HttpHead h;
  REQUIRE(parse_request_head(as_bytes(head + "body..."), h) == HeadParse::Ok);
  CHECK(h.is_request);
  CHECK(h.method == "POST");
  CHECK(h.target == "/obj");
  CHECK(h.content_length == 1234);
  CHECK(h.response_size == 5000u);
  CHECK(h.connection_close);
  CHECK(h.head_len == head.size());
}

TEST_CASE("the response head the server writes parses back to the same fields") {
  std::string head;
  write_response_head(head, 200, 10000, false);
  CHECK(head == "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n");
  HttpHead h;
  REQUIRE(parse_response_head(as_bytes(head), h) == HeadParse::Ok);
  CHECK(h.status == 200);
  CHECK(h.content_length == 10000);
  CHECK_FALSE(h.connection_close);
  write_response_head(head, 503, 0, true);
  REQUIRE(parse_response_head(as_bytes(head), h) == HeadParse::Ok);
  CHECK(h.status == 503);
  CHECK(h.connection_close);
}

TEST_CASE("a head split across segments is incomplete until its blank line arrives") {
  const std::string full = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpHead h;
  for (std::size_t n = 0; n < full.size(); ++n) {
    CHECK(parse_request_head(as_bytes(std::string_view(full).substr(0, n)), h) == HeadParse::Incomplete);
  }
  CHECK(parse_request_head(as_bytes(full), h) == HeadParse::Ok);
  CHECK(h.content_length == 0);
}

TEST_CASE("malformed heads are rejected, never misread") {
  HttpHead h;
  const char* bad_requests[] = {
      "GET /\r\n\r\n",                                                     // no version
      "GET / HTTP/2.0\r\n\r\n",                                            // unsupported version
      "G(T / HTTP/1.1\r\n\r\n",                                            // method not a token
      "GET  HTTP/1.1\r\n\r\n",                                             // empty target
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",                                 // field without ':'
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",                      // negative length
      "GET / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n",                     // junk in length
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",  // conflicting lengths
      "GET / HTTP/1.1\r\nContent-Length: 9999999999999999\r\n\r\n",        // absurd length
      "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",              // not modelled
      "GET / HTTP/1.1\r\nX-Response-Size: big\r\n\r\n",
  };
  for (const char* text : bad_requests) {
    CAPTURE(text);
    CHECK(parse_request_head(as_bytes(text), h) == HeadParse::Bad);
  }
  const char* bad_responses[] = {
      "HTTP/1.1 20 OK\r\n\r\n",  "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n",
      "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
  };
  for (const char* text : bad_responses) {
    CAPTURE(text);
    CHECK(parse_response_head(as_bytes(text), h) == HeadParse::Bad);
  }
  // A head longer than the limit without its blank line is bad, not incomplete forever.
  std::string huge = "GET / HTTP/1.1\r\nX-Pad: " + std::string(kMaxHttpHead, 'a');
  CHECK(parse_request_head(as_bytes(huge), h) == HeadParse::Bad);
}

TEST_CASE("header names are case-insensitive and HTTP/1.0 closes by default") {
  HttpHead h;
  REQUIRE(parse_request_head(as_bytes("GET /a HTTP/1.0\r\ncontent-length:  7 \r\n\r\n"), h) == HeadParse::Ok);
  CHECK(h.content_length == 7);
  CHECK(h.connection_close);
  REQUIRE(parse_response_head(as_bytes("HTTP/1.1 404\r\nCONNECTION: Close\r\n\r\n"), h) == HeadParse::Ok);
  CHECK(h.status == 404);
  CHECK(h.connection_close);
}
