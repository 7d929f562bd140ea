#include "models/wire/bytes.hpp"

#include <string>

#include "models/wire/result.hpp"

namespace nlb::wire {

std::uint32_t ones_sum(Bytes data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += get16(data, i);
  if (i < data.size()) sum += std::uint32_t{get8(data, i)} << 8;
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::string WireError::str() const {
  return std::string(what) + " in " + field + " at byte " + std::to_string(offset);
}

}  // namespace nlb::wire
