#pragma once
// Transport addressing: an (address, port) endpoint and the 4-tuple that names a connection.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/wire/addr.hpp"

namespace nlb::transport {

struct Endpoint {
  wire::Ipv4 addr;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
  std::string str() const { return addr.str() + ":" + std::to_string(port); }
};

// A connection as its own host sees it: local endpoint first.
struct FourTuple {
  Endpoint local;
  Endpoint remote;
  auto operator<=>(const FourTuple&) const = default;
  FourTuple reversed() const { return {remote, local}; }
  std::string str() const { return local.str() + "-" + remote.str(); }
};

struct FourTupleHash {
  std::size_t operator()(const FourTuple& t) const noexcept {
    std::uint64_t x = (std::uint64_t{t.local.addr.value()} << 32 | t.remote.addr.value()) ^
                      (std::uint64_t{t.local.port} << 48 | std::uint64_t{t.remote.port} << 16);
    // splitmix64's finalizer: every input bit moves every output bit.
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return static_cast<std::size_t>(x ^ (x >> 31));
  }
};

}  // namespace nlb::transport
