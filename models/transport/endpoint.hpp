#pragma once
// Transport addressing: an (address, port) endpoint and the 4-tuple that names a connection.

#include <compare>
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

}  // namespace nlb::transport
