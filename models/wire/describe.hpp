#pragma once
// Human-readable views of a whole Ethernet frame, for traces, the GUI's event list and its
// packet inspector. Both functions accept any bytes: what cannot be decoded is reported as
// text (an "error" field, "malformed ..."), never by crashing or reading past the end.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/wire/bytes.hpp"

namespace nlb::wire {

// One tcpdump-style line:
//   "ARP who-has 10.0.0.11 tell 10.0.0.1", "ARP reply 10.0.0.11 is-at 02:00:00:00:00:0b",
//   "gratuitous ARP 10.0.0.20 is-at 02:00:00:00:00:14", "ARP probe who-has 10.0.0.20",
//   "VRRPv3 vrid 1 prio 100 10.0.0.3",
//   "TCP 198.51.100.7:40000 > 203.0.113.10:80 [S] seq 1000 win 65535 len 0",
//   "UDP 198.51.100.7:40001 > 203.0.113.10:5000 len 5",
//   "ICMP 10.0.0.1 > 10.0.0.11 echo request id 1 seq 3 len 32".
// A wrong checksum appends " [bad checksum]"; an undecodable layer gives "malformed <what>".
// `virtual_len` zero bytes follow `frame` (link::Frame::virtual_len) and count in lengths.
std::string describe_frame(Bytes frame, std::uint32_t virtual_len = 0);

// The trace's `kind` of a frame (docs/trace-format.md): "arp", "garp" (gratuitous ARP, either
// form), "vrrp", "http-request"/"http-response" (TCP data starting with a method or
// "HTTP/1."), "tcp", "udp", "icmp", "other". The balancers' "heartbeat"/"sync" are UDP here:
// telling them apart needs their ports, which the HA format (ha.hpp) owns.
const char* frame_kind(Bytes frame, std::uint32_t virtual_len = 0);

// One decoded field: `offset` and `length` locate it in the frame's bytes (length 0 for an
// error or a value not stored there), `value` is its text ("0x0800 (IPv4)", "0xb861 (correct)").
struct Field {
  std::string name;
  std::string value;
  std::size_t offset = 0;
  std::size_t length = 0;
};

// One protocol layer of the frame, outermost first: "Ethernet", "ARP", "IPv4", "ICMP",
// "UDP", "TCP", "VRRP" (and "Quoted IPv4" inside an ICMP error). A layer that cannot be
// decoded ends the list with a field named "error" ("truncated in tcp.options at byte 54").
struct Layer {
  std::string name;
  std::vector<Field> fields;
};

std::vector<Layer> decode_frame(Bytes frame, std::uint32_t virtual_len = 0);

}  // namespace nlb::wire
