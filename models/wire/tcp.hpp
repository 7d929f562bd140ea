#pragma once
// TCP header (RFC 9293 3.1) with the options a real stack puts on the wire: MSS (RFC 9293
// 3.7.1), window scale and timestamps (RFC 7323), SACK-permitted (RFC 2018). Options are kept
// as raw bytes, so a parsed header re-emits byte for byte; options() decodes them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

namespace tcp {
inline constexpr std::size_t kMinHeaderLen = 20;
inline constexpr std::size_t kMaxHeaderLen = 60;
namespace option {  // kinds (IANA "TCP Option Kind Numbers")
inline constexpr std::uint8_t kEnd = 0;
inline constexpr std::uint8_t kNop = 1;
inline constexpr std::uint8_t kMss = 2;
inline constexpr std::uint8_t kWindowScale = 3;
inline constexpr std::uint8_t kSackPermitted = 4;
inline constexpr std::uint8_t kSack = 5;
inline constexpr std::uint8_t kTimestamps = 8;
}  // namespace option
namespace field {
inline constexpr Range src_port{0, 2};
inline constexpr Range dst_port{2, 4};
inline constexpr Range seq{4, 8};
inline constexpr Range ack{8, 12};
inline constexpr Range data_offset{12, 13};  // high 4 bits; low 4 reserved
inline constexpr Range flags{13, 14};
inline constexpr Range window{14, 16};
inline constexpr Range checksum{16, 18};
inline constexpr Range urgent{18, 20};
inline constexpr std::size_t options = 20;
}  // namespace field
}  // namespace tcp

struct TcpFlags {
  static constexpr std::uint8_t kFin = 0x01;
  static constexpr std::uint8_t kSyn = 0x02;
  static constexpr std::uint8_t kRst = 0x04;
  static constexpr std::uint8_t kPsh = 0x08;
  static constexpr std::uint8_t kAck = 0x10;
  static constexpr std::uint8_t kUrg = 0x20;
  static constexpr std::uint8_t kEce = 0x40;
  static constexpr std::uint8_t kCwr = 0x80;

  std::uint8_t bits = 0;

  constexpr bool fin() const { return bits & kFin; }
  constexpr bool syn() const { return bits & kSyn; }
  constexpr bool rst() const { return bits & kRst; }
  constexpr bool psh() const { return bits & kPsh; }
  constexpr bool ack() const { return bits & kAck; }
  constexpr bool urg() const { return bits & kUrg; }
  constexpr bool ece() const { return bits & kEce; }
  constexpr bool cwr() const { return bits & kCwr; }
  // tcpdump's letters in tcpdump's order: "S", "S.", "P.", "F.", "R", "." (ACK), "none".
  std::string str() const;
  bool operator==(const TcpFlags&) const = default;
};

struct TcpTimestamps {
  std::uint32_t value = 0;  // TSval
  std::uint32_t echo = 0;   // TSecr
  bool operator==(const TcpTimestamps&) const = default;
};

// The decoded options that matter to the model; others (SACK blocks, unknown kinds) are
// skipped by their length.
struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<TcpTimestamps> timestamps;

  // `raw` is the options area; `base` is its offset in the header (20), for error offsets.
  static Result<TcpOptions> parse(Bytes raw, std::size_t base = tcp::field::options);
  // Encoded in the order and with the NOP padding Linux uses, e.g. for a SYN:
  // MSS, SACK-permitted, timestamps, NOP, window scale (20 bytes).
  OptionBytes encode() const;
  bool operator==(const TcpOptions&) const = default;
};

// Zero-copy view for the hot paths that need a few fields (a balancer hashing the ports):
// checked() verifies the fixed header and the data offset, not the options.
class TcpView {
 public:
  static Result<TcpView> checked(Bytes segment);
  std::uint16_t src_port() const { return get16(b_, tcp::field::src_port.begin); }
  std::uint16_t dst_port() const { return get16(b_, tcp::field::dst_port.begin); }
  std::uint32_t seq() const { return get32(b_, tcp::field::seq.begin); }
  std::uint32_t ack() const { return get32(b_, tcp::field::ack.begin); }
  std::size_t header_len() const { return std::size_t{get8(b_, tcp::field::data_offset.begin)} / 16 * 4; }
  TcpFlags flags() const { return TcpFlags{get8(b_, tcp::field::flags.begin)}; }
  std::uint16_t window() const { return get16(b_, tcp::field::window.begin); }
  std::uint16_t checksum() const { return get16(b_, tcp::field::checksum.begin); }
  std::uint16_t urgent() const { return get16(b_, tcp::field::urgent.begin); }
  Bytes options() const { return b_.subspan(tcp::field::options, header_len() - tcp::field::options); }
  Bytes payload() const { return b_.subspan(header_len()); }

 private:
  explicit TcpView(Bytes b) : b_(b) {}
  Bytes b_;
};

struct TcpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t reserved = 0;  // the 4 bits after the data offset, kept to re-emit them
  TcpFlags flags{};
  std::uint16_t window = 0;
  std::uint16_t checksum = 0;
  std::uint16_t urgent = 0;
  OptionBytes option_bytes{};  // raw, as on the wire; data offset = (20 + size) / 4

  std::size_t header_len() const { return tcp::kMinHeaderLen + option_bytes.size(); }
  // Decoded options; a header from parse() or set_options() always decodes.
  TcpOptions options() const;
  void set_options(const TcpOptions& o) { option_bytes = o.encode(); }
  // The stored payload bytes of `segment` (after the header).
  Bytes payload(Bytes segment) const { return segment.subspan(header_len()); }

  // `segment` is the IPv4 payload's real bytes (TCP has no length field: everything after the
  // header is data, `virtual_len` more zero bytes included). Checks the data offset and the
  // options (a malformed option length is reported with its offset); no checksum check.
  static Result<TcpHeader> parse(Bytes segment);
  // The same, and verifies the checksum with the pseudo-header ("bad checksum" at
  // tcp.checksum).
  static Result<TcpHeader> parse(Bytes segment, Ipv4 src, Ipv4 dst, std::uint32_t virtual_len = 0);
  std::size_t wire_len() const { return header_len(); }
  // Writes the header as the value holds it, `checksum` included.
  void emit(MutBytes out) const;
  // What a sender calls: writes the header with the checksum over pseudo-header, header and
  // payload. `payload` holds the real data bytes wherever they are stored; `virtual_len`
  // zero bytes follow them and are only counted (pseudo-header length).
  void emit(MutBytes out, Ipv4 src, Ipv4 dst, Bytes payload, std::uint32_t virtual_len = 0) const;
  bool operator==(const TcpHeader&) const = default;
};

}  // namespace nlb::wire
