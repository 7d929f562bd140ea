#pragma once
// UDP (RFC 768) over IPv4, checksum with the pseudo-header and virtual payload bytes.

#include <cstddef>
#include <cstdint>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

namespace udp {
inline constexpr std::size_t kHeaderLen = 8;
namespace field {
inline constexpr Range src_port{0, 2};
inline constexpr Range dst_port{2, 4};
inline constexpr Range length{4, 6};
inline constexpr Range checksum{6, 8};
inline constexpr std::size_t payload = 8;
}  // namespace field
}  // namespace udp

// Zero-copy view: checked() verifies 8 <= length <= size + virtual_len once.
class UdpView {
 public:
  static Result<UdpView> checked(Bytes datagram, std::uint32_t virtual_len = 0);
  std::uint16_t src_port() const { return get16(b_, udp::field::src_port.begin); }
  std::uint16_t dst_port() const { return get16(b_, udp::field::dst_port.begin); }
  std::uint16_t length() const { return get16(b_, udp::field::length.begin); }
  std::uint16_t checksum() const { return get16(b_, udp::field::checksum.begin); }
  Bytes payload() const;  // stored bytes up to `length`

 private:
  explicit UdpView(Bytes b) : b_(b) {}
  Bytes b_;
};

struct UdpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t length = udp::kHeaderLen;  // header + payload, virtual bytes included
  std::uint16_t checksum = 0;              // 0 = the sender computed none (RFC 768)

  std::size_t payload_len() const { return length - udp::kHeaderLen; }
  // The stored payload bytes of `datagram`: up to `length`, without padding after it.
  Bytes payload(Bytes datagram) const;

  // `datagram` holds the real bytes (the IPv4 payload) and `virtual_len` zero bytes follow.
  // Checks 8 <= length <= size + virtual_len; does not verify the checksum.
  static Result<UdpHeader> parse(Bytes datagram, std::uint32_t virtual_len = 0);
  // The same, and verifies the checksum with the pseudo-header ("bad checksum" at
  // udp.checksum); a checksum of 0 means none and is accepted (RFC 768).
  static Result<UdpHeader> parse(Bytes datagram, Ipv4 src, Ipv4 dst, std::uint32_t virtual_len = 0);
  std::size_t wire_len() const { return udp::kHeaderLen; }
  // Writes the header as the value holds it (re-emits a parsed header byte for byte).
  void emit(MutBytes out) const;
  // What a sender calls: writes the header with length = 8 + payload.size() + virtual_len and
  // the checksum over pseudo-header, header and payload (a computed 0 is sent as 0xffff,
  // RFC 768). `payload` holds the real bytes wherever they are (normally right behind the
  // header in the same frame); the virtual zero bytes are only counted.
  void emit(MutBytes out, Ipv4 src, Ipv4 dst, Bytes payload, std::uint32_t virtual_len = 0) const;
  bool operator==(const UdpHeader&) const = default;
};

}  // namespace nlb::wire
