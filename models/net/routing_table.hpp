#pragma once
// The routing table (`ip route`): longest-prefix match over direct (connected), static and
// default routes. Ties between routes of one prefix length go to the lower metric, then to the
// route added first, so a lookup never depends on anything but the configuration.
//
// A route with a gateway may leave its interface open (kNoIface): the lookup then finds it
// through the direct route that holds the gateway, as `ip route add X via G` does when it is
// given no `dev`. The table is a vector in match order: nodes have a handful of routes.

#include <cstdint>
#include <optional>
#include <vector>

#include "models/link/ids.hpp"
#include "models/wire/addr.hpp"

namespace nlb::net {

using link::IfIndex;
using link::kNoIface;

enum class RouteKind : std::uint8_t { Direct, Static, Default };
const char* to_string(RouteKind k);  // "direct", "static", "default" (docs/trace-format.md)

struct Route {
  wire::Prefix dest;
  wire::Ipv4 gateway;        // 0.0.0.0: the destination is on the link
  IfIndex iface = kNoIface;  // kNoIface: the interface of the direct route holding the gateway
  RouteKind kind = RouteKind::Static;
  std::uint32_t metric = 0;
  wire::Ipv4 prefsrc;  // 0.0.0.0: chosen from the interface's addresses
  bool operator==(const Route&) const = default;
};

// Where a datagram goes.
struct NextHop {
  IfIndex iface = kNoIface;
  wire::Ipv4 next_hop;  // the gateway, or the destination itself when it is on the link
  wire::Ipv4 prefsrc;   // the route's preferred source, or 0.0.0.0
  const Route* route = nullptr;
};

class RoutingTable {
 public:
  // Adds a route; an identical (dest, gateway, iface) route is replaced. Default routes are
  // 0.0.0.0/0 of kind Default.
  void add(const Route& r);
  void add_default(wire::Ipv4 gateway, IfIndex iface = kNoIface, std::uint32_t metric = 0);
  // Removes the routes matching dest and gateway (and iface unless kNoIface); how many went.
  std::size_t remove(wire::Prefix dest, wire::Ipv4 gateway, IfIndex iface = kNoIface);
  // Removes the direct route of this subnet on this interface.
  bool remove_direct(wire::Prefix dest, IfIndex iface);
  void clear() { routes_.clear(); }

  std::optional<NextHop> lookup(wire::Ipv4 dst) const;
  // In match order: longest prefix first, then metric, then insertion order.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  const Route* match(wire::Ipv4 dst, bool direct_only) const;
  std::vector<Route> routes_;
};

}  // namespace nlb::net
