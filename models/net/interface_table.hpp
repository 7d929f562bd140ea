#pragma once
// A node's interfaces and their addresses (`ip addr`): several addresses per interface, each
// with its prefix length, the first non-alias one primary, aliases added and removed at run
// time (the seed's NLBS address, VRRP addresses), and a loopback interface whose addresses are
// local but never answered for in ARP (the seed's cluster address on the servers' loopback).
//
// "Is this address mine?" is asked for every datagram received, so all addresses also live in
// one sorted vector searched by bisection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"

namespace nlb::link {
class Device;
}

namespace nlb::net {

using link::IfIndex;
using link::kNoIface;

struct IfAddress {
  wire::Ipv4 addr;
  std::uint8_t prefix_len = 32;
  bool alias = false;  // a secondary address (`ip addr add ... label eth0:1`): never a source by default
  wire::Prefix subnet() const { return {addr, prefix_len}; }
  bool operator==(const IfAddress&) const = default;
};

struct Interface {
  IfIndex index = kNoIface;
  std::string name;
  link::Device* device = nullptr;  // null for the loopback
  bool loopback = false;
  bool admin_up = true;              // `ip link set ... up/down`, kept across a node crash
  std::uint16_t mtu = 1500;          // IPv4 datagram bytes, header included
  std::vector<IfAddress> addresses;  // in the order they were added
};

class InterfaceTable {
 public:
  IfIndex add(std::string name, link::Device* device);
  IfIndex add_loopback(std::string name = "lo");

  std::size_t size() const { return ifaces_.size(); }
  const Interface& operator[](IfIndex i) const { return ifaces_[i]; }
  Interface& operator[](IfIndex i) { return ifaces_[i]; }
  const std::vector<Interface>& all() const { return ifaces_; }
  std::optional<IfIndex> find(std::string_view name) const;
  std::optional<IfIndex> loopback() const;

  // False if the address is already on that interface (or the index is bad).
  bool add_address(IfIndex i, IfAddress a);
  // False if it was not there.
  bool remove_address(IfIndex i, wire::Ipv4 addr);

  // Any address of any interface, loopback and aliases included: the node accepts it.
  bool is_local(wire::Ipv4 addr) const;
  // The interface that holds a local address (the first one, if several do).
  std::optional<IfIndex> owner_of(wire::Ipv4 addr) const;
  // Configured on this very interface (what Linux arp_ignore=1 answers ARP for).
  bool has_address(IfIndex i, wire::Ipv4 addr) const;
  // A directed broadcast of one of the interface's subnets (not for /31 and /32).
  bool is_subnet_broadcast(IfIndex i, wire::Ipv4 addr) const;
  // The first non-alias address, else the first address, else 0.0.0.0.
  wire::Ipv4 primary(IfIndex i) const;
  // The source for a datagram out of interface i towards `toward` (the destination or next
  // hop): like Linux's inet_select_addr, a primary address whose subnet holds it, else the
  // interface's primary, else the first primary of any other interface.
  wire::Ipv4 source_for(IfIndex i, wire::Ipv4 toward) const;

 private:
  struct Local {
    std::uint32_t addr;
    IfIndex iface;
    auto operator<=>(const Local&) const = default;
  };
  std::vector<Interface> ifaces_;
  std::vector<Local> local_;  // sorted by (addr, iface)
};

}  // namespace nlb::net
