#include "models/apps/http_message.hpp"

#include <algorithm>
#include <cctype>

namespace nlb::apps {

namespace {

std::string_view as_text(wire::Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A decimal of at most 15 digits (no sign, no spaces inside).
bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 15) return false;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Splits the head into its start line and header fields; fills the fields both kinds share.
HeadParse parse_head(wire::Bytes data, HttpHead& out, std::string_view& start_line) {
  std::string_view text = as_text(data.first(std::min(data.size(), kMaxHttpHead)));
  std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return data.size() >= kMaxHttpHead ? HeadParse::Bad : HeadParse::Incomplete;
  out = HttpHead{};
  out.head_len = end + 4;
  std::string_view head = text.substr(0, end + 2);  // every line ends with CRLF
  std::size_t eol = head.find("\r\n");
  start_line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  bool have_length = false;
  while (!head.empty()) {
    eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return HeadParse::Bad;
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      std::uint64_t n = 0;
      // RFC 9112 6.3: differing Content-Length values make the message invalid.
      if (!parse_u64(value, n) || (have_length && n != out.content_length)) return HeadParse::Bad;
      out.content_length = n;
      have_length = true;
    } else if (iequals(name, "Transfer-Encoding")) {
      return HeadParse::Bad;  // chunked bodies are not modelled
    } else if (iequals(name, "Connection")) {
      out.connection_close = iequals(value, "close");
    } else if (iequals(name, kResponseSizeHeader)) {
      std::uint64_t n = 0;
      if (!parse_u64(value, n)) return HeadParse::Bad;
      out.response_size = n;
    }
  }
  return HeadParse::Ok;
}

bool http_version(std::string_view v) { return v == "HTTP/1.1" || v == "HTTP/1.0"; }

}  // namespace

HeadParse parse_request_head(wire::Bytes data, HttpHead& out) {
  std::string_view start;
  HeadParse r = parse_head(data, out, start);
  if (r != HeadParse::Ok) return r;
  // request-line = method SP request-target SP HTTP-version (RFC 9112 3)
  std::size_t sp1 = start.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : start.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return HeadParse::Bad;
  std::string_view method = start.substr(0, sp1);
  std::string_view target = start.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(method) || target.empty() || !http_version(start.substr(sp2 + 1))) return HeadParse::Bad;
  out.is_request = true;
  out.method = method;
  out.target = target;
  if (start.substr(sp2 + 1) == "HTTP/1.0") out.connection_close = true;
  return HeadParse::Ok;
}

HeadParse parse_response_head(wire::Bytes data, HttpHead& out) {
  std::string_view start;
  HeadParse r = parse_head(data, out, start);
  if (r != HeadParse::Ok) return r;
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4)
  if (start.size() < 12 || !http_version(start.substr(0, 8)) || start[8] != ' ') return HeadParse::Bad;
  std::uint64_t code = 0;
  if (!parse_u64(start.substr(9, 3), code) || code < 100 || code > 599) return HeadParse::Bad;
  if (start.size() > 12 && start[12] != ' ') return HeadParse::Bad;
  out.is_request = false;
  out.status = static_cast<int>(code);
  return HeadParse::Ok;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        std::string_view host, std::uint64_t content_length,
                        std::optional<std::uint64_t> response_size, bool connection_close) {
  out.clear();
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
  if (response_size)
    out.append(kResponseSizeHeader).append(": ").append(std::to_string(*response_size)).append("\r\n");
  if (content_length > 0)
    out.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n");
  if (connection_close) out.append("Connection: close\r\n");
  out.append("\r\n");
}

void write_response_head(std::string& out, int status, std::uint64_t content_length, bool connection_close) {
  out.clear();
  out.append("HTTP/1.1 ")
      .append(std::to_string(status))
      .append(" ")
      .append(reason_phrase(status))
      .append("\r\n");
  out.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n");
  if (connection_close) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace nlb::apps
