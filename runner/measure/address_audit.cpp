#include "runner/measure/address_audit.hpp"

#include <algorithm>
#include <map>

#include "models/link/lan.hpp"
#include "models/nodes/node.hpp"

namespace nlb::measure {

using wire::Ipv4;

bool is_public(Ipv4 a) {
  const std::uint32_t v = a.value();
  const bool shared = (v >> 22) == (0x64400000u >> 22);  // 100.64.0.0/10, RFC 6598
  const bool link_local = (v >> 16) == 0xa9fe;           // 169.254.0.0/16
  const bool this_net = (v >> 24) == 0;                  // 0.0.0.0/8
  return !a.is_private() && !a.is_loopback() && !a.is_multicast() && !a.is_broadcast() && !shared &&
         !link_local && !this_net;
}

namespace {

std::string why_configured(const nodes::Node& n, const net::Interface& itf, const net::IfAddress& a) {
  if (itf.loopback) return "cluster address: alias on the loopback (accepted, never answered for in ARP)";
  std::string role = nodes::to_string(n.role());
  std::string lan = itf.device && itf.device->lan() ? " on LAN " + itf.device->lan()->name() : "";
  return std::string(a.alias ? "alias of " : "own address of ") + role + " " + n.name() + lan;
}

struct Collector {
  std::map<std::uint32_t, PublicAddress> found;
  void add(Ipv4 a, std::string node, std::string where, std::string why) {
    if (!is_public(a)) return;
    auto& pa = found[a.value()];
    pa.address = a;
    for (const auto& p : pa.places)
      if (p.node == node && p.where == where) return;
    pa.places.push_back({std::move(node), std::move(where), std::move(why)});
  }
};

void audit_node(const nodes::Node& n, Collector& c) {
  for (const auto& itf : n.interfaces().all()) {
    for (const auto& a : itf.addresses) c.add(a.addr, n.name(), itf.name, why_configured(n, itf, a));
  }
  for (const auto& d : n.dynamic_addresses()) {
    std::string where = d.iface < n.interfaces().size() ? n.interfaces()[d.iface].name : "?";
    c.add(d.address, n.name(), where + " (at run time)", d.why);
  }
}

}  // namespace

AddressAudit audit_addresses(const net::Network& network) {
  Collector c;
  for (std::size_t i = 0; i < network.host_count(); ++i) {
    const auto* n = dynamic_cast<const nodes::Node*>(&network.host(static_cast<link::NodeId>(i)));
    if (!n || n->role() == nodes::Role::Client || n->role() == nodes::Role::Internet) continue;
    audit_node(*n, c);
  }
  AddressAudit audit;
  for (auto& [v, pa] : c.found) audit.addresses.push_back(std::move(pa));
  return audit;
}

std::string AddressAudit::table() const {
  std::string out = std::to_string(count()) + " public address" + (count() == 1 ? "" : "es") + "\n";
  for (const auto& pa : addresses) {
    std::string where;
    for (const auto& p : pa.places) where += (where.empty() ? "" : ", ") + p.node + " " + p.where;
    out += pa.address.str() + "  " + where + "  -- " + pa.places.front().why + "\n";
  }
  return out;
}

}  // namespace nlb::measure
