#pragma once
// The little of HTTP/1.1 (RFC 9112) the client and server speak: real header text on the wire
// (so Wireshark reassembles and dissects it) and bodies that are virtual bytes. Parsing is
// total: any input gives Incomplete, Ok or Bad, never an exception or an out-of-bounds read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/wire/bytes.hpp"

namespace nlb::apps {

// Longest head we accept; beyond it the message is Bad (servers answer 431/400).
inline constexpr std::size_t kMaxHttpHead = 8192;
// Our request header asking the server for a body of that many bytes.
inline constexpr std::string_view kResponseSizeHeader = "X-Response-Size";

struct HttpHead {
  bool is_request = false;
  std::string method;  // requests
  std::string target;
  int status = 0;  // responses
  std::uint64_t content_length = 0;
  std::optional<std::uint64_t> response_size;  // X-Response-Size
  bool connection_close = false;
  std::size_t head_len = 0;  // bytes up to and including the blank line
};

enum class HeadParse : std::uint8_t { Incomplete, Ok, Bad };

// `data` is the start of the stream; on Ok, `out` describes the head in data[0, head_len).
HeadParse parse_request_head(wire::Bytes data, HttpHead& out);
HeadParse parse_response_head(wire::Bytes data, HttpHead& out);

// Writes a head into `out` (cleared first; its capacity is reused).
void write_request_head(std::string& out, std::string_view method, std::string_view target,
                        std::string_view host, std::uint64_t content_length,
                        std::optional<std::uint64_t> response_size, bool connection_close);
void write_response_head(std::string& out, int status, std::uint64_t content_length, bool connection_close);
std::string_view reason_phrase(int status);

}  // namespace nlb::apps
