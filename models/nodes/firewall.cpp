#include "models/nodes/firewall.hpp"

#include <algorithm>

#include "models/link/trace_events.hpp"

namespace nlb::nodes {

using wire::Ipv4;

Firewall::Firewall(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
                   const FirewallConfig& cfg)
    : Node(sim, pool, id, std::move(name), Role::Firewall, cfg.host), cfg_(cfg), daemon_(cfg.vrrp_daemon) {
  set_forwarding(true);
  on_protocol(wire::vrrp::kIpProto, [this](const net::RxDatagram& d) { on_vrrp(d); });
  add_ingress_hook([this](const net::RxDatagram& d) { return on_ingress(d); });
  add_arp_hook([this](IfIndex i, const wire::Arp& a) { return on_arp(i, a); });
}

VrrpGroup& Firewall::add_vrrp_group(IfIndex i, const protocols::VrrpConfig& cfg,
                                    wire::VrrpChecksumMode checksum) {
  groups_.push_back(std::make_unique<VrrpGroup>(*this, i, cfg, checksum, &daemon_));
  if (running()) groups_.back()->start();
  return *groups_.back();
}

VrrpGroup* Firewall::find_group(IfIndex i, std::uint8_t vrid) {
  for (auto& g : groups_) {
    if (g->iface() == i && g->vrid() == vrid) return g.get();
  }
  return nullptr;
}

void Firewall::on_boot() {
  for (auto& g : groups_) g->start();
}

void Firewall::on_crash() {
  daemon_.reset();
  for (auto& g : groups_) g->reset();
}

void Firewall::on_stop() {
  // RFC 5798 6.4.3 Shutdown: a Master sends a priority-0 advert so its backup takes over after
  // Skew_Time instead of Master_Down_Interval.
  for (auto& g : groups_) g->stop();
}

void Firewall::on_vrrp(const net::RxDatagram& d) {
  ++counters_.adverts_received;
  auto reject = [&](const char* why) {
    ++counters_.adverts_dropped;
    drop(d.iface, *d.frame, why);
  };
  if (!running()) return reject(link::drop::kNodeDown);
  // RFC 5798 7.1: "MUST verify that the IP TTL is 255".
  if (d.ip.ttl() != wire::vrrp::kTtl) return reject(kDropVrrpTtl);
  if (d.payload.size() < wire::vrrp::kHeaderLen) return reject(link::drop::kMalformed);
  const std::uint8_t vrid = static_cast<std::uint8_t>(d.payload[1]);
  VrrpGroup* g = find_group(d.iface, vrid);
  if (!g) return reject(kDropVrrpVrid);
  auto ad = wire::Vrrp::parse(d.payload, d.src(), d.dst(), g->checksum_mode());
  if (!ad) return reject(link::drop::kMalformed);
  if (ad->version != static_cast<std::uint8_t>(g->config().version) ||
      ad->type != wire::VrrpType::Advertisement)
    return reject(kDropVrrpVersion);
  if (d.src() == g->config().primary_address) return;  // our own, looped back
  const std::uint16_t interval = ad->version == 2 ? ad->advert_interval_s : ad->max_advert_interval_cs;
  g->on_advert(protocols::VrrpAdvert{d.src(), ad->priority, interval});
}

net::Host::ArpVerdict Firewall::on_arp(IfIndex i, const wire::Arp& arp) {
  for (auto& g : groups_) {
    const ArpVerdict v = g->on_arp(i, arp);
    if (v != ArpVerdict::Continue) return v;
  }
  return ArpVerdict::Continue;
}

bool Firewall::on_ingress(const net::RxDatagram& d) {
  const Ipv4 dst = d.dst();
  for (auto& g : groups_) {
    if (g->claims(dst) && !g->accepts_own_traffic()) {
      // RFC 5798 6.4.3: without Accept_Mode the Master does not accept datagrams addressed to
      // the virtual addresses it does not own.
      drop(d.iface, *d.frame, kDropVrrpNoAccept);
      return true;
    }
  }
  if (!cfg_.filter.enabled || is_local(dst) || dst.is_multicast() || dst.is_broadcast()) return false;
  const auto& in = cfg_.filter.inbound;
  if (std::find(in.begin(), in.end(), d.iface) == in.end()) return false;
  if (filter_allows(d)) return false;
  ++counters_.filtered;
  drop(d.iface, *d.frame, kDropFiltered);
  return true;
}

bool Firewall::filter_allows(const net::RxDatagram& d) const {
  const auto proto = d.protocol();
  const bool has_ports =
      (proto == wire::IpProto::Tcp || proto == wire::IpProto::Udp) && d.payload.size() >= 4;
  const std::uint16_t port = has_ports ? wire::get16(d.payload, 2) : 0;
  for (const FilterRule& r : cfg_.filter.allow) {
    if (r.protocol && *r.protocol != proto) continue;
    if (r.destination && !r.destination->contains(d.dst())) continue;
    if (!r.ports.empty() && (!has_ports || std::find(r.ports.begin(), r.ports.end(), port) == r.ports.end()))
      continue;
    return true;
  }
  return false;
}

std::vector<Node::DynamicAddress> Firewall::dynamic_addresses() const {
  std::vector<DynamicAddress> out;
  for (const auto& g : groups_) {
    for (Ipv4 v : g->config().virtual_addresses)
      out.push_back(
          {g->iface(), v, "VRRP address of vrid " + std::to_string(g->vrid()) + " (held by the master)"});
  }
  return out;
}

}  // namespace nlb::nodes
