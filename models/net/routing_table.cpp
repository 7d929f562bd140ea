#include "models/net/routing_table.hpp"

#include <algorithm>

namespace nlb::net {

const char* to_string(RouteKind k) {
  switch (k) {
    case RouteKind::Direct:
      return "direct";
    case RouteKind::Static:
      return "static";
    case RouteKind::Default:
      return "default";
  }
  return "?";
}

void RoutingTable::add(const Route& r) {
  remove(r.dest, r.gateway, r.iface == kNoIface ? kNoIface : r.iface);
  // Insert after every route that matches first, so equal routes keep their insertion order.
  auto pos = std::find_if(routes_.begin(), routes_.end(), [&r](const Route& o) {
    return o.dest.length() < r.dest.length() || (o.dest.length() == r.dest.length() && o.metric > r.metric);
  });
  routes_.insert(pos, r);
}

void RoutingTable::add_default(wire::Ipv4 gateway, IfIndex iface, std::uint32_t metric) {
  add(Route{wire::Prefix(wire::Ipv4::any(), 0), gateway, iface, RouteKind::Default, metric, {}});
}

std::size_t RoutingTable::remove(wire::Prefix dest, wire::Ipv4 gateway, IfIndex iface) {
  return std::erase_if(routes_, [&](const Route& o) {
    return o.dest == dest && o.gateway == gateway && (iface == kNoIface || o.iface == iface);
  });
}

bool RoutingTable::remove_direct(wire::Prefix dest, IfIndex iface) {
  return std::erase_if(routes_, [&](const Route& o) {
           return o.kind == RouteKind::Direct && o.dest == dest && o.iface == iface;
         }) > 0;
}

const Route* RoutingTable::match(wire::Ipv4 dst, bool direct_only) const {
  for (const auto& r : routes_) {
    if (direct_only && r.kind != RouteKind::Direct) continue;
    if (r.dest.contains(dst)) return &r;
  }
  return nullptr;
}

std::optional<NextHop> RoutingTable::lookup(wire::Ipv4 dst) const {
  const Route* r = match(dst, false);
  if (!r) return std::nullopt;
  NextHop hop{r->iface, r->gateway.is_unspecified() ? dst : r->gateway, r->prefsrc, r};
  if (hop.iface == kNoIface) {
    // The gateway must be on a connected subnet (no recursive routes, like Linux without onlink).
    const Route* via = r->gateway.is_unspecified() ? nullptr : match(r->gateway, true);
    if (!via) return std::nullopt;
    hop.iface = via->iface;
  }
  return hop;
}

}  // namespace nlb::net
