#pragma once
// The public address audit: every public address the site must own, where it is configured
// and why. "The site" is every node but those with role client or internet. Public means not
// RFC 1918, not loopback, link-local, multicast or unspecified. An address configured in
// several places (the cluster address on every server's loopback) counts once.
//
// The seed's Figure 2 comes to 6 (two firewalls, their VRRP address, two balancers, the
// cluster address); Figure 3 to 1 (the cluster address).

#include <string>
#include <vector>

#include "runner/scenario.hpp"

namespace nlb::runner {

enum class AddressUse : std::uint8_t {
  Cluster,    // a cluster address of a balancer pair
  Vrrp,       // a VRRP virtual address
  Nlbs,       // a pair's NLBS address
  Interface,  // an interface's primary address
  Alias,      // an interface's static alias
  Loopback,   // a loopback alias
};

struct AddressPlacement {
  AddressUse use = AddressUse::Interface;
  std::string node;   // the node, or "" for a pair or VRRP group as a whole
  std::string where;  // "eth1", "loopback", "VRRP group fw-ias (vrid 1) on LAN ias", ...
};

struct PublicAddress {
  wire::Ipv4 address;
  AddressUse use = AddressUse::Interface;  // the most important placement's
  std::string why;                         // what the address is for
  std::vector<AddressPlacement> placements;
};

struct AddressAudit {
  std::vector<PublicAddress> addresses;  // in address order
  std::size_t count() const { return addresses.size(); }
};

bool is_public(wire::Ipv4 a);
std::string_view to_string(AddressUse u);

AddressAudit audit_public_addresses(const Scenario& s);

// A table for terminals (address, where, why) and the same as JSON.
std::string audit_table(const Scenario& s, const AddressAudit& a);
std::string audit_json(const Scenario& s, const AddressAudit& a);

}  // namespace nlb::runner
