#pragma once
// The public address audit, from the built nodes themselves: every public address configured in
// the site — on an interface, as an alias, on a loopback — and every address a role may take at
// run time (VRRP virtual addresses, the NLBS address or the prior art's cluster address on the
// active balancer's access interface), with where and why. "The site" is every node but clients
// and the Internet router. Public = not RFC 1918, not RFC 6598 shared space, not loopback,
// link-local, multicast, broadcast or unspecified. An address configured in several places (the
// cluster address on every server's loopback) counts once, with every place listed.
//
// The seed: Figure 2 "six public IP addresses have to be reserved"; Figure 3: "Compared with the
// configuration described in Figure 2, up to five Public IP addresses are saved".

#include <string>
#include <vector>

#include "models/net/network.hpp"
#include "models/wire/addr.hpp"

namespace nlb::measure {

bool is_public(wire::Ipv4 a);

struct AddressPlace {
  std::string node;
  std::string where;  // "eth1", "lo", "eth1 (while master)"
  std::string why;
};

struct PublicAddress {
  wire::Ipv4 address;
  std::vector<AddressPlace> places;  // in node order
};

struct AddressAudit {
  std::vector<PublicAddress> addresses;  // in address order
  std::size_t count() const { return addresses.size(); }
  // One line per address: "203.0.113.10  srv1 lo, srv2 lo, ...  cluster address ...".
  std::string table() const;
};

AddressAudit audit_addresses(const net::Network& network);

}  // namespace nlb::measure
