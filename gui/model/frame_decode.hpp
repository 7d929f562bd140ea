#pragma once
// Layer-by-layer decoding of a traced frame for the inspector, each field with its value and
// byte range so the hex view can highlight it. models/wire's decode_frame() does the work
// (Ethernet, ARP, IPv4, ICMP, UDP, TCP, VRRP); the GUI adds a one-line summary per layer and
// two layers wire leaves as payload: the balancer pair's heartbeat / connection sync (UDP
// 8849, models/wire/ha.hpp) and HTTP's first line. Never throws, never reads past the bytes;
// a layer that does not parse carries the reason and the decoding stops there.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nlb::gui {

using FrameBytes = std::basic_string_view<std::uint8_t>;

struct Field {
  std::string name;
  std::string value;
  std::uint32_t offset = 0;  // in the frame
  std::uint32_t length = 0;
};

struct Layer {
  std::string name;     // "Ethernet II", "ARP", "IPv4", "TCP", ...
  std::string summary;  // one line: "02:..:01 > ff:..:ff, ARP"
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::vector<Field> fields;
  std::string error;  // "ipv4.total_length at 16: truncated"
};

std::vector<Layer> decode_frame(FrameBytes bytes, std::uint32_t virtual_len);
// models/wire's one-line description ("TCP 198.51.100.7:40000 > 203.0.113.10:80 [S] ...").
std::string describe(FrameBytes bytes, std::uint32_t virtual_len);

// The IPv4 addresses and transport ports of a frame, for the connection filter. ARP frames
// give their sender and target protocol addresses with port 0.
struct FrameEndpoints {
  bool ok = false;
  std::uint32_t src = 0, dst = 0;
  std::uint16_t sport = 0, dport = 0;
};
FrameEndpoints frame_endpoints(FrameBytes bytes);

// "0000  ff ff ff ff ff ff 02 00  00 00 00 01 08 06 00 01  ................" lines.
std::string hex_dump(FrameBytes bytes);
// Where byte `offset` sits in hex_dump's text: the first of its two hex digits.
std::size_t hex_dump_column(std::size_t offset);
inline constexpr std::size_t kHexDumpLineLen = 6 + 16 * 3 + 1 + 1 + 16 + 1;  // with '\n'

}  // namespace nlb::gui
