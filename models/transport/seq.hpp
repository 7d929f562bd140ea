#pragma once
// TCP sequence numbers: 32-bit counters that wrap, compared by the sign of their difference
// (RFC 9293 3.4: "arithmetic on sequence numbers must be performed modulo 2**32"; RFC 1982
// serial-number arithmetic). Two numbers more than 2^31 apart have no order; TCP's windows
// keep every comparison it makes far below that.

#include <cstdint>
#include <string>

namespace nlb::transport {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(std::uint32_t v) : v_(v) {}

  constexpr std::uint32_t value() const { return v_; }

  constexpr SeqNum operator+(std::uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum operator-(std::uint32_t n) const { return SeqNum(v_ - n); }
  constexpr SeqNum& operator+=(std::uint32_t n) {
    v_ += n;
    return *this;
  }
  // Signed distance a - b, the basis of every comparison.
  constexpr std::int32_t operator-(SeqNum o) const { return static_cast<std::int32_t>(v_ - o.v_); }

  constexpr bool operator==(const SeqNum&) const = default;
  friend constexpr bool operator<(SeqNum a, SeqNum b) { return (a - b) < 0; }
  friend constexpr bool operator<=(SeqNum a, SeqNum b) { return (a - b) <= 0; }
  friend constexpr bool operator>(SeqNum a, SeqNum b) { return (a - b) > 0; }
  friend constexpr bool operator>=(SeqNum a, SeqNum b) { return (a - b) >= 0; }

  std::string str() const { return std::to_string(v_); }

 private:
  std::uint32_t v_ = 0;
};

constexpr SeqNum max(SeqNum a, SeqNum b) { return a < b ? b : a; }
constexpr SeqNum min(SeqNum a, SeqNum b) { return a < b ? a : b; }

// Distance from a to b that the caller knows is non-negative (b at or after a).
constexpr std::uint32_t distance(SeqNum a, SeqNum b) { return b.value() - a.value(); }

}  // namespace nlb::transport
