#pragma once
// Big-endian field access over byte spans, the one place byte order is handled.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace nlb::wire {

using Bytes = std::span<const std::byte>;
using MutBytes = std::span<std::byte>;

// A field's byte range [begin, end) inside its header: offsets live in one small table per
// format (smoltcp's `field` modules), not scattered through the code.
struct Range {
  std::size_t begin;
  std::size_t end;
  constexpr std::size_t size() const { return end - begin; }
};

inline std::uint8_t get8(Bytes b, std::size_t at) { return static_cast<std::uint8_t>(b[at]); }
inline std::uint16_t get16(Bytes b, std::size_t at) {
  return static_cast<std::uint16_t>((get8(b, at) << 8) | get8(b, at + 1));
}
inline std::uint32_t get32(Bytes b, std::size_t at) {
  return (std::uint32_t{get16(b, at)} << 16) | get16(b, at + 2);
}
inline void put8(MutBytes b, std::size_t at, std::uint8_t v) { b[at] = std::byte{v}; }
inline void put16(MutBytes b, std::size_t at, std::uint16_t v) {
  b[at] = std::byte(v >> 8);
  b[at + 1] = std::byte(v & 0xff);
}
inline void put32(MutBytes b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v & 0xffff));
}

// RFC 1071 one's-complement sum; fold() turns an accumulated sum into the 16-bit checksum.
std::uint32_t ones_sum(Bytes data, std::uint32_t sum = 0);
std::uint16_t fold(std::uint32_t sum);
inline std::uint16_t internet_checksum(Bytes data) { return fold(ones_sum(data)); }

// Raw IPv4 or TCP options (at most 40 bytes, a multiple of 4 as the header length field
// counts 32-bit words), stored in place so that a header stays a value that never allocates.
class OptionBytes {
 public:
  static constexpr std::size_t kCapacity = 40;
  OptionBytes() = default;
  // Returns false (and keeps nothing) if b is longer than 40 bytes or not a multiple of 4.
  bool assign(Bytes b) {
    if (b.size() > kCapacity || b.size() % 4 != 0) return false;
    b_.fill(std::byte{0});
    std::copy(b.begin(), b.end(), b_.begin());
    len_ = static_cast<std::uint8_t>(b.size());
    return true;
  }
  void clear() { assign({}); }
  Bytes bytes() const { return {b_.data(), len_}; }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  bool operator==(const OptionBytes& o) const { return std::ranges::equal(bytes(), o.bytes()); }

 private:
  std::array<std::byte, kCapacity> b_{};
  std::uint8_t len_ = 0;
};

}  // namespace nlb::wire
