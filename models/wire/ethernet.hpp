#pragma once
// Ethernet II header (IEEE 802.3 with an EtherType, as every IP host sends it). The FCS is not
// modelled: frames are carried without it, as libpcap captures them.

#include <cstddef>
#include <cstdint>
#include <string>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

// Any 16-bit value is kept (an unknown EtherType is not an error: the frame is just not ours).
enum class EtherType : std::uint16_t { Ipv4 = 0x0800, Arp = 0x0806 };
std::string to_string(EtherType t);  // "IPv4", "ARP", "0x86dd"

namespace ethernet {
inline constexpr std::size_t kHeaderLen = 14;
// Shortest frame without FCS: the sender's link layer pads to it with zeros, which is why
// inner layers must trust their own length fields rather than the frame's length.
inline constexpr std::size_t kMinFrameLen = 60;
inline constexpr std::size_t kMaxFrameLen = 1514;  // 1500-byte MTU + header
namespace field {
inline constexpr Range dst{0, 6};
inline constexpr Range src{6, 12};
inline constexpr Range ethertype{12, 14};
inline constexpr std::size_t payload = 14;
}  // namespace field
}  // namespace ethernet

// Zero-copy view: checked() verifies the length once, then accessors are plain loads.
class EthernetView {
 public:
  static Result<EthernetView> checked(Bytes frame);
  Mac dst() const { return mac_at(ethernet::field::dst.begin); }
  Mac src() const { return mac_at(ethernet::field::src.begin); }
  EtherType ethertype() const { return EtherType{get16(b_, ethernet::field::ethertype.begin)}; }
  Bytes payload() const { return b_.subspan(ethernet::field::payload); }
  Bytes bytes() const { return b_; }

 private:
  explicit EthernetView(Bytes b) : b_(b) {}
  Mac mac_at(std::size_t at) const;
  Bytes b_;
};

struct EthernetHeader {
  Mac dst{};
  Mac src{};
  EtherType ethertype = EtherType::Ipv4;

  static Result<EthernetHeader> parse(Bytes frame);
  std::size_t wire_len() const { return ethernet::kHeaderLen; }
  void emit(MutBytes out) const;  // out.size() >= wire_len()
  bool operator==(const EthernetHeader&) const = default;
};

// Shared by every format: read/write a MAC or an IPv4 address at a byte offset.
Mac get_mac(Bytes b, std::size_t at);
void put_mac(MutBytes b, std::size_t at, Mac m);
inline Ipv4 get_ipv4(Bytes b, std::size_t at) { return Ipv4(get32(b, at)); }
inline void put_ipv4(MutBytes b, std::size_t at, Ipv4 a) { put32(b, at, a.value()); }

}  // namespace nlb::wire
