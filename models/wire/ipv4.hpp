#pragma once
// IPv4 header (RFC 791) with its checksum (RFC 1071), the pseudo-header sum that UDP, TCP and
// VRRPv3 checksums start from, and the RFC 1624 incremental update a router uses for TTL.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

// Any 8-bit value is kept; unknown ones print as "proto=N".
enum class IpProto : std::uint8_t { Icmp = 1, Tcp = 6, Udp = 17, Vrrp = 112 };
std::string to_string(IpProto p);

namespace ipv4 {
inline constexpr std::size_t kMinHeaderLen = 20;
inline constexpr std::size_t kMaxHeaderLen = 60;
inline constexpr std::size_t kMaxOptionsLen = kMaxHeaderLen - kMinHeaderLen;
inline constexpr std::uint8_t kDefaultTtl = 64;  // Linux net.ipv4.ip_default_ttl
namespace field {
inline constexpr Range ver_ihl{0, 1};
inline constexpr Range dscp_ecn{1, 2};
inline constexpr Range total_length{2, 4};
inline constexpr Range ident{4, 6};
inline constexpr Range flags_frag{6, 8};
inline constexpr Range ttl{8, 9};
inline constexpr Range protocol{9, 10};
inline constexpr Range checksum{10, 12};
inline constexpr Range src{12, 16};
inline constexpr Range dst{16, 20};
inline constexpr std::size_t options = 20;
}  // namespace field
}  // namespace ipv4

// Options are kept as raw bytes (no IPv4 option is interpreted: nothing in the model needs one).
using Ipv4Options = OptionBytes;

class Ipv4View {
 public:
  // Checks version, IHL, the buffer against IHL and total_length (virtual bytes count, see
  // Ipv4Header::parse); does not verify the checksum.
  static Result<Ipv4View> checked(Bytes packet, std::uint32_t virtual_len = 0);
  std::uint8_t version() const { return get8(b_, 0) >> 4; }
  std::size_t header_len() const { return std::size_t{get8(b_, 0) & 0x0fu} * 4; }
  std::uint8_t dscp() const { return get8(b_, ipv4::field::dscp_ecn.begin) >> 2; }
  std::uint8_t ecn() const { return get8(b_, ipv4::field::dscp_ecn.begin) & 3; }
  std::uint16_t total_length() const { return get16(b_, ipv4::field::total_length.begin); }
  std::uint16_t ident() const { return get16(b_, ipv4::field::ident.begin); }
  bool dont_fragment() const { return (get16(b_, ipv4::field::flags_frag.begin) & 0x4000) != 0; }
  bool more_fragments() const { return (get16(b_, ipv4::field::flags_frag.begin) & 0x2000) != 0; }
  std::uint16_t fragment_offset() const { return get16(b_, ipv4::field::flags_frag.begin) & 0x1fff; }
  std::uint8_t ttl() const { return get8(b_, ipv4::field::ttl.begin); }
  IpProto protocol() const { return IpProto{get8(b_, ipv4::field::protocol.begin)}; }
  std::uint16_t checksum() const { return get16(b_, ipv4::field::checksum.begin); }
  Ipv4 src() const { return Ipv4(get32(b_, ipv4::field::src.begin)); }
  Ipv4 dst() const { return Ipv4(get32(b_, ipv4::field::dst.begin)); }
  Bytes header() const { return b_.first(header_len()); }
  bool checksum_ok() const { return internet_checksum(header()) == 0; }
  // The real payload bytes: up to total_length, without the Ethernet padding that may follow,
  // and without the virtual bytes that are not stored.
  Bytes payload() const;
  // Payload bytes counted by total_length but not stored (virtual zeros).
  std::uint32_t payload_virtual_len() const;

 private:
  explicit Ipv4View(Bytes b) : b_(b) {}
  Bytes b_;
};

struct Ipv4Header {
  std::uint8_t dscp = 0;                             // 6 bits
  std::uint8_t ecn = 0;                              // 2 bits
  std::uint16_t total_length = ipv4::kMinHeaderLen;  // header + payload, virtual bytes included
  std::uint16_t ident = 0;
  bool reserved_flag = false;  // RFC 791: must be zero; kept so a value re-emits what it read
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;  // 13 bits, in units of 8 bytes
  std::uint8_t ttl = ipv4::kDefaultTtl;
  IpProto protocol = IpProto::Udp;
  std::uint16_t checksum = 0;  // as parsed; emit() always writes a freshly computed one
  Ipv4 src{};
  Ipv4 dst{};
  Ipv4Options options{};

  std::size_t header_len() const { return ipv4::kMinHeaderLen + options.size(); }
  std::size_t payload_len() const { return total_length - header_len(); }
  void set_payload_len(std::size_t n) { total_length = static_cast<std::uint16_t>(header_len() + n); }

  // `packet` holds the real bytes (it may be followed by Ethernet padding); `virtual_len`
  // virtual zero bytes follow it on the wire. total_length must fit in size + virtual_len.
  // Verifies the checksum ("bad checksum" at ipv4.checksum).
  static Result<Ipv4Header> parse(Bytes packet, std::uint32_t virtual_len = 0);
  // The header quoted inside an ICMP error: only the header must be present (the datagram it
  // describes is cut after 8 bytes) and the checksum is not verified.
  static Result<Ipv4Header> parse_quoted(Bytes quoted);
  std::size_t wire_len() const { return header_len(); }
  // Writes the header with a computed checksum (the `checksum` member is ignored).
  void emit(MutBytes out) const;
  bool operator==(const Ipv4Header&) const = default;
};

// One's-complement sum of the IPv4 pseudo-header (RFC 768, RFC 9293 3.1): src, dst, zero,
// protocol, length. Feed it as the starting sum to ones_sum() over the transport message.
std::uint32_t pseudo_header_sum(Ipv4 src, Ipv4 dst, IpProto proto, std::uint16_t length);

// The checksum of UDP, TCP and VRRPv3: the one's-complement sum of the pseudo-header, the
// transport header and the payload. Virtual payload: only `payload`'s real bytes are summed;
// the `virtual_len` zero bytes that follow them add nothing to a one's-complement sum, but
// they count in the pseudo-header's length. To compute, pass `header` with its checksum field
// zeroed; to verify, pass it as received: 0 means correct. header.size() must be even.
std::uint16_t transport_checksum(Ipv4 src, Ipv4 dst, IpProto proto, Bytes header, Bytes payload,
                                 std::uint32_t virtual_len = 0);

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after one 16-bit word changes.
std::uint16_t checksum_update(std::uint16_t hc, std::uint16_t old_word, std::uint16_t new_word);

// A router's forward step done on the frame's bytes (RFC 1812 5.3.1): TTL - 1 and the header
// checksum updated incrementally, with no full recompute. Precondition: `header` holds at
// least 20 bytes and TTL > 0 (a router sends Time Exceeded instead when TTL <= 1).
// Returns the new TTL.
std::uint8_t decrement_ttl_in_place(MutBytes header);

}  // namespace nlb::wire
