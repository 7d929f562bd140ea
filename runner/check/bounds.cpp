#include "runner/check/bounds.hpp"

#include <algorithm>

#include "models/link/lan.hpp"
#include "runner/run/build.hpp"

namespace nlb::check {

namespace {

// The worst time of one hop on this port's link: a full queue of maximum-size frames ahead,
// then the frame itself, then the cable.
Time hop(const link::LinkConfig& c) {
  return link::Lan::serialization(c, link::Frame::kMaxBytes) *
             (static_cast<std::int64_t>(c.queue_limit) + 1) +
         c.delay;
}

Time relearn_of(const net::ArpConfig& c) {
  if (c.fixed_lifetime > Time::zero()) return c.fixed_lifetime;
  // net/core/neighbour.c neigh_rand_reach_time: U[base/2, 3*base/2).
  const Time reachable = c.randomize_reachable_time ? c.base_reachable_time * 3 / 2 : c.base_reachable_time;
  const Time probed =
      c.delay_first_probe_time + c.retrans_time * static_cast<std::int64_t>(c.ucast_probes + c.mcast_probes);
  return reachable + std::max(probed, c.gc_stale_time);
}

}  // namespace

ArpBounds arp_bounds(const run::Built& built, link::LanId access,
                     const std::vector<link::NodeId>& firewalls) {
  ArpBounds b;
  const link::Lan& lan = *built.lans[access];
  Time worst_hop;
  for (link::PortIndex p = 0; p < lan.port_count(); ++p) {
    worst_hop = std::max(worst_hop, hop(lan.link_config(p)));
    if (lan.link_config(p).loss_out > 0 || lan.link_config(p).loss_in > 0) b.lossy = true;
  }
  b.announce = worst_hop * 2;
  for (link::NodeId f : firewalls) {
    const nodes::Node& n = built.node(f);
    for (const net::Interface& itf : n.interfaces().all()) {
      if (itf.loopback || !itf.device || itf.device->lan_id() != access) continue;
      b.relearn = std::max(b.relearn, relearn_of(n.arp(itf.index).config()) + b.announce);
    }
  }
  return b;
}

}  // namespace nlb::check
