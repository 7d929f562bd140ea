#include "models/wire/bytes.hpp"

#include <string>

#include "models/wire/result.hpp"

namespace nlb::wire {

// RFC 1071 2(B): the sum may be taken 32 bits at a time into a wider accumulator and folded
// afterwards, since 2^16 = 1 and so 2^32 = 1 modulo 2^16 - 1. The result differs from a 16-bit
// word sum only by multiples of 0xffff, and is zero only when that is: fold() gives the same.
std::uint32_t ones_sum(Bytes data, std::uint32_t sum) {
  std::uint64_t acc = sum;
  std::size_t i = 0;
  for (; i + 4 <= data.size(); i += 4) acc += get32(data, i);
  if (i + 2 <= data.size()) {
    acc += get16(data, i);
    i += 2;
  }
  if (i < data.size()) acc += std::uint32_t{get8(data, i)} << 8;
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  return static_cast<std::uint32_t>(acc);
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string WireError::str() const {
  return std::string(what) + " in " + field + " at byte " + std::to_string(offset);
}

}  // namespace nlb::wire
