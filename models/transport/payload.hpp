#pragma once
// Application data as the transport carries it: real bytes (an HTTP header, so captures show it)
// followed by a virtual run of zero bytes that is only counted (an HTTP body), the same shape as
// a link::Frame (real bytes, then virtual_len). A Payload only borrows its real bytes: the span
// is valid until the object that lent it (a frame, a send buffer) changes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "models/wire/bytes.hpp"

namespace nlb::transport {

struct Payload {
  wire::Bytes real;
  std::uint32_t virtual_len = 0;

  std::size_t size() const { return real.size() + virtual_len; }
  bool empty() const { return size() == 0; }

  // The payload without its first n bytes.
  Payload drop_front(std::size_t n) const {
    if (n <= real.size()) return {real.subspan(n), virtual_len};
    return {{},
            static_cast<std::uint32_t>(virtual_len - std::min<std::size_t>(n - real.size(), virtual_len))};
  }
  // The first n bytes of the payload.
  Payload prefix(std::size_t n) const {
    if (n <= real.size()) return {real.first(n), 0};
    return {real, static_cast<std::uint32_t>(std::min<std::size_t>(n - real.size(), virtual_len))};
  }
};

inline wire::Bytes as_bytes(std::string_view text) {
  return std::as_bytes(std::span<const char>(text.data(), text.size()));
}

}  // namespace nlb::transport
