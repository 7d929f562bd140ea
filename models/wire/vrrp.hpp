#pragma once
// VRRP advertisements: version 3 (RFC 5798 5, IPv4 only) and version 2 (RFC 3768 5), which
// keepalived still sends by default (REFERENCE.md 2.1).
//
// The v3 checksum: RFC 5798 5.2.8 says it covers the VRRP message and "a pseudo-header as
// defined in Section 8.1 of [RFC2460]" — written for IPv6, so IPv4 implementations differ.
// keepalived and Wireshark include the IPv4 pseudo-header (our default); Cisco/Juniper and
// RFC 9568 don't (keepalived's `v3_checksum_as_v2`, VrrpChecksumMode::NoPseudoHeader).
// The v2 checksum covers the VRRP message only (RFC 3768 5.3.8).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "models/wire/addr.hpp"
#include "models/wire/bytes.hpp"
#include "models/wire/ipv4.hpp"
#include "models/wire/result.hpp"

namespace nlb::wire {

// RFC 5798 5.2.2: 1 = ADVERTISEMENT; other types are kept ("type=N") for the receiver to drop.
enum class VrrpType : std::uint8_t { Advertisement = 1 };
std::string to_string(VrrpType t);

enum class VrrpChecksumMode { PseudoHeader, NoPseudoHeader };

namespace vrrp {
// RFC 5798 5.1.1: what the IPv4 packet carrying an advertisement looks like.
inline constexpr Ipv4 kMulticastGroup{224, 0, 0, 18};
inline constexpr IpProto kIpProto = IpProto::Vrrp;  // 112
inline constexpr std::uint8_t kTtl = 255;           // receivers discard any other TTL
inline constexpr std::size_t kHeaderLen = 8;
inline constexpr std::size_t kV2AuthLen = 8;
inline constexpr std::size_t kMaxAddresses = 255;  // Count IPvX Addr is 8 bits
inline constexpr std::uint8_t kPriorityOwner = 255;
inline constexpr std::uint8_t kPriorityDefault = 100;
inline constexpr std::uint8_t kPriorityStop = 0;  // the Master is leaving (RFC 5798 6.4.3)
inline constexpr std::uint16_t kDefaultAdvertIntervalCs = 100;
namespace field {
inline constexpr Range ver_type{0, 1};
inline constexpr Range vrid{1, 2};
inline constexpr Range priority{2, 3};
inline constexpr Range count{3, 4};
inline constexpr Range max_advert_int{4, 6};  // v3: 4 reserved bits + 12 bits centiseconds
inline constexpr Range auth_type{4, 5};       // v2
inline constexpr Range advert_int{5, 6};      // v2: seconds
inline constexpr Range checksum{6, 8};
inline constexpr std::size_t addresses = 8;  // then, in v2 only, 8 bytes of auth data
}  // namespace field
}  // namespace vrrp

// The IPvX Address(es) of an advertisement, in place (at most 255: Count is 8 bits), so that a
// Vrrp stays a value that never allocates.
class VrrpAddresses {
 public:
  // Returns false when 255 addresses are already there.
  bool push_back(Ipv4 a) {
    if (count_ == vrrp::kMaxAddresses) return false;
    a_[count_++] = a;
    return true;
  }
  void clear() { count_ = 0; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  Ipv4 operator[](std::size_t i) const { return a_[i]; }
  std::span<const Ipv4> span() const { return {a_.data(), count_}; }
  const Ipv4* begin() const { return a_.data(); }
  const Ipv4* end() const { return a_.data() + count_; }
  bool operator==(const VrrpAddresses& o) const;

 private:
  std::array<Ipv4, vrrp::kMaxAddresses> a_{};
  std::uint8_t count_ = 0;
};

struct Vrrp {
  std::uint8_t version = 3;  // 3 or 2
  VrrpType type = VrrpType::Advertisement;
  std::uint8_t vrid = 1;
  std::uint8_t priority = vrrp::kPriorityDefault;
  // v3: Max Advertise Interval in centiseconds (12 bits) and the 4 reserved bits before it.
  std::uint16_t max_advert_interval_cs = vrrp::kDefaultAdvertIntervalCs;
  std::uint8_t reserved = 0;
  // v2: Auth Type (0 = none; RFC 3768 5.3.6) and Advertisement Interval in seconds.
  std::uint8_t auth_type = 0;
  std::uint8_t advert_interval_s = 1;
  std::array<std::uint8_t, vrrp::kV2AuthLen> auth_data{};
  std::uint16_t checksum = 0;
  VrrpAddresses addresses{};

  // The advertisement interval in centiseconds whatever the version.
  std::uint32_t advert_interval_cs() const {
    return version == 2 ? std::uint32_t{advert_interval_s} * 100 : max_advert_interval_cs;
  }

  // Structure only: version 2 or 3, the addresses (and v2 auth data) present. The checksum is
  // not verified. `message` is the IPv4 payload; bytes after the advertisement are ignored.
  static Result<Vrrp> parse(Bytes message);
  // The same, and verifies the checksum ("bad checksum" at vrrp.checksum). v3 uses `mode` and
  // the IPv4 addresses; v2 ignores both.
  static Result<Vrrp> parse(Bytes message, Ipv4 src, Ipv4 dst,
                            VrrpChecksumMode mode = VrrpChecksumMode::PseudoHeader);
  std::size_t wire_len() const;
  // Writes the message as the value holds it, `checksum` included.
  void emit(MutBytes out) const;
  // Writes the message with its checksum computed (v2 ignores src, dst and mode).
  void emit(MutBytes out, Ipv4 src, Ipv4 dst, VrrpChecksumMode mode = VrrpChecksumMode::PseudoHeader) const;
  bool operator==(const Vrrp&) const = default;
};

// The checksum field's value for `message` (its checksum bytes are treated as zero); also
// what parse() compares against.
std::uint16_t vrrp_checksum(Bytes message, std::uint8_t version, Ipv4 src, Ipv4 dst, VrrpChecksumMode mode);

}  // namespace nlb::wire
