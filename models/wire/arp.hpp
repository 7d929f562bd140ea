#pragma once
// ARP (RFC 826) for Ethernet and IPv4, with the special forms of RFC 5227 (probe,
// announcement) and RFC 5944 4.6 (gratuitous reply). The packet is 28 bytes; the frame that
// carries it is padded to 60 by the link layer, and the padding is ignored here.

#include <cstddef>
#include <cstdint>
#include <string>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

// Unknown operations are kept: ArpOp{7} prints "op=7".
enum class ArpOp : std::uint16_t { Request = 1, Reply = 2 };
std::string to_string(ArpOp op);

namespace arp {
inline constexpr std::size_t kLen = 28;
inline constexpr std::uint16_t kHtypeEthernet = 1;
inline constexpr std::uint16_t kPtypeIpv4 = 0x0800;
namespace field {
inline constexpr Range htype{0, 2};  // ar$hrd
inline constexpr Range ptype{2, 4};  // ar$pro
inline constexpr Range hlen{4, 5};   // ar$hln
inline constexpr Range plen{5, 6};   // ar$pln
inline constexpr Range oper{6, 8};   // ar$op
inline constexpr Range sha{8, 14};
inline constexpr Range spa{14, 18};
inline constexpr Range tha{18, 24};
inline constexpr Range tpa{24, 28};
}  // namespace field
}  // namespace arp

class ArpView {
 public:
  // Length only; the Ethernet/IPv4 sizes are checked by Arp::parse.
  static Result<ArpView> checked(Bytes packet);
  std::uint16_t htype() const { return get16(b_, arp::field::htype.begin); }
  std::uint16_t ptype() const { return get16(b_, arp::field::ptype.begin); }
  std::uint8_t hlen() const { return get8(b_, arp::field::hlen.begin); }
  std::uint8_t plen() const { return get8(b_, arp::field::plen.begin); }
  ArpOp oper() const { return ArpOp{get16(b_, arp::field::oper.begin)}; }
  Mac sha() const;
  Ipv4 spa() const;
  Mac tha() const;
  Ipv4 tpa() const;

 private:
  explicit ArpView(Bytes b) : b_(b) {}
  Bytes b_;
};

struct Arp {
  ArpOp op = ArpOp::Request;
  Mac sha{};   // sender hardware address
  Ipv4 spa{};  // sender protocol address
  Mac tha{};   // target hardware address (zero in a request)
  Ipv4 tpa{};  // target protocol address

  // "Who has tpa? Tell spa."
  static Arp request(Mac sha, Ipv4 spa, Ipv4 tpa) { return {ArpOp::Request, sha, spa, Mac::zero(), tpa}; }
  // "spa is at sha", sent back to the requester (tha, tpa).
  static Arp reply(Mac sha, Ipv4 spa, Mac tha, Ipv4 tpa) { return {ArpOp::Reply, sha, spa, tha, tpa}; }
  // RFC 5227 2.3 announcement: a request with spa = tpa = the address, tha = 0. Preferred form
  // of gratuitous ARP (RFC 5227 3), and what the seed's balancer sends on takeover.
  static Arp gratuitous_request(Mac mac, Ipv4 addr) { return {ArpOp::Request, mac, addr, Mac::zero(), addr}; }
  // RFC 5944 4.6: the reply form, spa = tpa = the address and tha = sha.
  static Arp gratuitous_reply(Mac mac, Ipv4 addr) { return {ArpOp::Reply, mac, addr, mac, addr}; }
  // RFC 5227 2.1.1 probe: spa = 0.0.0.0 so that no cache learns from it.
  static Arp probe(Mac sha, Ipv4 tpa) { return {ArpOp::Request, sha, Ipv4::any(), Mac::zero(), tpa}; }

  bool is_probe() const { return op == ArpOp::Request && spa.is_unspecified(); }
  bool is_announcement() const { return op == ArpOp::Request && is_gratuitous(); }
  // Either form of gratuitous ARP: the sender states its own binding (spa = tpa).
  bool is_gratuitous() const { return spa == tpa && !spa.is_unspecified(); }

  // Rejects anything but Ethernet (1) / IPv4 (0x0800) with 6/4-byte addresses, naming the field.
  static Result<Arp> parse(Bytes packet);
  std::size_t wire_len() const { return arp::kLen; }
  void emit(MutBytes out) const;
  bool operator==(const Arp&) const = default;
};

}  // namespace nlb::wire
