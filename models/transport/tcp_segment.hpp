#pragma once
// The transport's own plain view of a TCP segment (RFC 9293 3.1), independent of the wire
// format: the IP glue converts it to and from wire::Tcp. Keeping the protocol on this struct
// lets the state machine be tested with no network and no bytes at all.

#include <cstdint>
#include <optional>
#include <string>

#include "models/transport/payload.hpp"
#include "models/transport/seq.hpp"

namespace nlb::transport {

// Control bits as they sit in the header's flags byte (RFC 9293 3.1).
namespace tcp_flag {
constexpr std::uint8_t fin = 0x01;
constexpr std::uint8_t syn = 0x02;
constexpr std::uint8_t rst = 0x04;
constexpr std::uint8_t psh = 0x08;
constexpr std::uint8_t ack = 0x10;
}  // namespace tcp_flag

struct TcpSegment {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  SeqNum seq;
  SeqNum ack;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::optional<std::uint16_t> mss;  // the MSS option, only on SYNs (RFC 9293 3.7.1)
  Payload payload;

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  bool syn() const { return has(tcp_flag::syn); }
  bool fin() const { return has(tcp_flag::fin); }
  bool rst() const { return has(tcp_flag::rst); }
  bool is_ack() const { return has(tcp_flag::ack); }
  // Sequence space the segment occupies: data plus one for SYN and one for FIN (RFC 9293 3.4).
  std::uint32_t seq_len() const {
    return static_cast<std::uint32_t>(payload.size()) + (syn() ? 1 : 0) + (fin() ? 1 : 0);
  }
  // "S. seq=1 ack=2 win=3 len=4" style text for traces and test failures.
  std::string str() const;
};

}  // namespace nlb::transport
