#pragma once
// ICMP (RFC 792): echo request/reply for ping, and the two errors a router or host sends
// (destination unreachable, time exceeded) with the quoted IPv4 header + 8 bytes.

#include <cstddef>
#include <cstdint>
#include <string>

#include "models/wire/bytes.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

// Unknown types are kept and print as "type=N".
enum class IcmpType : std::uint8_t { EchoReply = 0, DestUnreachable = 3, EchoRequest = 8, TimeExceeded = 11 };
std::string to_string(IcmpType t);

namespace icmp {
inline constexpr std::size_t kHeaderLen = 8;
// RFC 792 codes of Destination Unreachable.
inline constexpr std::uint8_t kNetUnreachable = 0;
inline constexpr std::uint8_t kHostUnreachable = 1;
inline constexpr std::uint8_t kProtocolUnreachable = 2;
inline constexpr std::uint8_t kPortUnreachable = 3;
inline constexpr std::uint8_t kFragmentationNeeded = 4;
// Time Exceeded: 0 = TTL exceeded in transit, 1 = fragment reassembly time exceeded.
inline constexpr std::uint8_t kTtlExceeded = 0;
namespace field {
inline constexpr Range type{0, 1};
inline constexpr Range code{1, 2};
inline constexpr Range checksum{2, 4};
inline constexpr Range ident{4, 6};  // echo
inline constexpr Range seq{6, 8};    // echo
inline constexpr Range rest{4, 8};   // "rest of header": unused, or next-hop MTU (RFC 1191)
inline constexpr std::size_t data = 8;
}  // namespace field
}  // namespace icmp

struct Icmp {
  IcmpType type = IcmpType::EchoRequest;
  std::uint8_t code = 0;
  std::uint16_t checksum = 0;
  std::uint32_t rest = 0;  // the 4 bytes after the checksum

  static Icmp echo_request(std::uint16_t ident, std::uint16_t seq) {
    return {IcmpType::EchoRequest, 0, 0, (std::uint32_t{ident} << 16) | seq};
  }
  static Icmp echo_reply(std::uint16_t ident, std::uint16_t seq) {
    return {IcmpType::EchoReply, 0, 0, (std::uint32_t{ident} << 16) | seq};
  }
  static Icmp dest_unreachable(std::uint8_t code) { return {IcmpType::DestUnreachable, code, 0, 0}; }
  static Icmp time_exceeded(std::uint8_t code = icmp::kTtlExceeded) {
    return {IcmpType::TimeExceeded, code, 0, 0};
  }

  bool is_echo() const { return type == IcmpType::EchoRequest || type == IcmpType::EchoReply; }
  bool is_error() const { return type == IcmpType::DestUnreachable || type == IcmpType::TimeExceeded; }
  std::uint16_t ident() const { return static_cast<std::uint16_t>(rest >> 16); }
  std::uint16_t seq() const { return static_cast<std::uint16_t>(rest & 0xffff); }

  // `message` is the whole ICMP message (the IPv4 payload's real bytes); the checksum covers
  // all of it ("bad checksum" at icmp.checksum). Virtual zero bytes need not be passed: they
  // add nothing to the sum, and ICMP has no length field.
  static Result<Icmp> parse(Bytes message);
  // The IPv4 header quoted by an error message (its data, from byte 8).
  static Result<Ipv4Header> quoted_header(Bytes message);
  std::size_t wire_len() const { return icmp::kHeaderLen; }
  // Writes the header as the value holds it, `checksum` included (re-emits what was parsed).
  void emit(MutBytes out) const;
  // Writes the header with the checksum computed over it and `data` (the bytes that follow
  // it in the message, wherever they are stored; usually right behind it in the same frame).
  void emit(MutBytes out, Bytes data) const;
  bool operator==(const Icmp&) const = default;
};

}  // namespace nlb::wire
