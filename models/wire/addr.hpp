#pragma once
// Link and network addresses as small value types with text forms.

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace nlb::wire {

class Mac {
 public:
  constexpr Mac() = default;
  constexpr explicit Mac(std::array<std::uint8_t, 6> b) : b_(b) {}
  static constexpr Mac broadcast() { return Mac({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}); }
  static constexpr Mac zero() { return Mac(); }
  // RFC 5798 7.3: 00-00-5E-00-01-{VRID}.
  static constexpr Mac vrrp_virtual(std::uint8_t vrid) { return Mac({0x00, 0x00, 0x5e, 0x00, 0x01, vrid}); }
  // A locally administered unicast address numbered n (02-xx-...), for generated nodes.
  static constexpr Mac local(std::uint32_t n) {
    return Mac(
        {0x02, 0x00, std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8), std::uint8_t(n)});
  }
  static std::optional<Mac> parse(std::string_view text);  // "02:00:00:00:00:01" or '-' separated

  constexpr const std::array<std::uint8_t, 6>& bytes() const { return b_; }
  constexpr bool is_broadcast() const { return *this == broadcast(); }
  constexpr bool is_multicast() const { return (b_[0] & 1) != 0; }
  // The six bytes as a big-endian integer. Outside constant evaluation it is two loads and
  // byte swaps (switches hash and NICs compare MACs on every frame; the byte loop was not
  // merged by the compiler).
  constexpr std::uint64_t value() const {
    if (std::is_constant_evaluated()) {
      std::uint64_t v = 0;
      for (auto x : b_) v = (v << 8) | x;
      return v;
    }
    std::uint32_t hi;
    std::uint16_t lo;
    std::memcpy(&hi, b_.data(), 4);
    std::memcpy(&lo, b_.data() + 4, 2);
    if constexpr (std::endian::native == std::endian::little) {
      hi = __builtin_bswap32(hi);
      lo = __builtin_bswap16(lo);
    }
    return (std::uint64_t{hi} << 16) | lo;
  }
  std::string str() const;
  // As one integer: std::array's == is a call to memcmp.
  constexpr bool operator==(const Mac& o) const { return value() == o.value(); }
  constexpr auto operator<=>(const Mac&) const = default;

 private:
  std::array<std::uint8_t, 6> b_{};
};

class Ipv4 {
 public:
  constexpr Ipv4() = default;
  constexpr explicit Ipv4(std::uint32_t v) : v_(v) {}
  constexpr Ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
      : v_((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | d) {}
  static std::optional<Ipv4> parse(std::string_view text);  // dotted quad, nothing else
  static constexpr Ipv4 any() { return Ipv4(); }
  static constexpr Ipv4 broadcast() { return Ipv4(0xffffffffu); }

  constexpr std::uint32_t value() const { return v_; }
  constexpr bool is_unspecified() const { return v_ == 0; }
  constexpr bool is_multicast() const { return (v_ >> 28) == 0xe; }
  constexpr bool is_broadcast() const { return v_ == 0xffffffffu; }
  // RFC 1918 10/8, 172.16/12, 192.168/16: what the seed calls private addresses.
  constexpr bool is_private() const {
    return (v_ >> 24) == 10 || (v_ >> 20) == 0xac1 || (v_ >> 16) == 0xc0a8;
  }
  constexpr bool is_loopback() const { return (v_ >> 24) == 127; }
  std::string str() const;
  constexpr auto operator<=>(const Ipv4&) const = default;

 private:
  std::uint32_t v_ = 0;
};

class Prefix {
 public:
  constexpr Prefix() = default;
  constexpr Prefix(Ipv4 addr, std::uint8_t len) : addr_(Ipv4(addr.value() & mask_of(len))), len_(len) {}
  static std::optional<Prefix> parse(std::string_view text);  // "10.0.0.0/24"

  constexpr Ipv4 network() const { return addr_; }
  constexpr std::uint8_t length() const { return len_; }
  constexpr std::uint32_t mask() const { return mask_of(len_); }
  constexpr bool contains(Ipv4 a) const { return (a.value() & mask()) == addr_.value(); }
  constexpr Ipv4 broadcast() const { return Ipv4(addr_.value() | ~mask()); }
  std::string str() const;
  constexpr auto operator<=>(const Prefix&) const = default;

  static constexpr std::uint32_t mask_of(std::uint8_t len) {
    return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1);
  }

 private:
  Ipv4 addr_;
  std::uint8_t len_ = 0;
};

}  // namespace nlb::wire

template <>
struct std::hash<nlb::wire::Ipv4> {
  std::size_t operator()(nlb::wire::Ipv4 a) const noexcept { return std::hash<std::uint32_t>{}(a.value()); }
};
template <>
struct std::hash<nlb::wire::Mac> {
  std::size_t operator()(nlb::wire::Mac m) const noexcept { return std::hash<std::uint64_t>{}(m.value()); }
};
