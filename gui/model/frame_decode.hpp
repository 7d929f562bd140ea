#pragma once
// Layer-by-layer decoding of a traced frame for the inspector: Ethernet, ARP or IPv4, then
// ICMP, TCP, UDP or VRRP, then the payload, each field with its value and byte range so the
// hex view can highlight it. Never throws and never reads past the bytes it is given; a
// layer that does not parse carries the reason and the decoding stops there.
//
// Ethernet, ARP and IPv4 go through models/wire (views, parse, field tables). ICMP, UDP, TCP
// and VRRP are read here from their RFC layouts until models/wire's decode_frame() lands
// (see docs/gui.md).

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
