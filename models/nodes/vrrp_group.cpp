#include "models/nodes/vrrp_group.hpp"

#include <algorithm>
#include <variant>

#include "models/nodes/frames.hpp"
#include "models/protocols/trace_events.hpp"

namespace nlb::nodes {

namespace vrrp = protocols::vrrp;
using wire::Ipv4;
using wire::Mac;

VrrpGroup::VrrpGroup(Node& node, IfIndex iface, protocols::VrrpConfig cfg, wire::VrrpChecksumMode checksum,
                     VrrpDaemon* daemon)
    : node_(node),
      iface_(iface),
      cfg_(std::move(cfg)),
      checksum_(checksum),
      daemon_(daemon),
      timer_(node, [this] { on_timer(); }),
      garp_timer_(node, [this] { on_garp_timer(); }) {
  if (cfg_.interface_mac == Mac::zero()) cfg_.interface_mac = node.mac(iface);
  if (cfg_.primary_address.is_unspecified()) cfg_.primary_address = node.interfaces().primary(iface);
  vrrp_.emplace(cfg_);
}

void VrrpGroup::start() {
  node_.join_group(iface_, wire::vrrp::kMulticastGroup);
  run(vrrp_->startup(node_.sim().now()));
}

void VrrpGroup::stop() { run(vrrp_->shutdown(node_.sim().now())); }

void VrrpGroup::reset() {
  timer_.cancel();
  garp_timer_.cancel();
  garp_queue_.clear();
  burst_ = false;
  backlog_.clear();
  if (claimed_) release();
  vrrp_.emplace(cfg_);
}

void VrrpGroup::on_advert(const protocols::VrrpAdvert& advert) {
  if (busy() || !backlog_.empty()) {
    // The daemon is sending GARPs: the advert waits in its socket, in arrival order.
    backlog_.push_back(advert);
    rearm();
    return;
  }
  run(vrrp_->on_advert(node_.sim().now(), advert));
}

void VrrpGroup::on_timer() {
  const Time now = node_.sim().now();
  // What waited in the socket first, then the timers; each may start another burst.
  while (!backlog_.empty() && !busy()) run(vrrp_->on_advert(now, backlog_.pop_front()));
  if (!busy()) run(vrrp_->poll(now));
  rearm();
}

void VrrpGroup::rearm() {
  Time next = vrrp_->next_deadline();
  if (daemon_) {
    if (!backlog_.empty()) next = std::min(next, daemon_->busy_until());
    if (next != Time::max()) next = std::max(next, daemon_->busy_until());
  }
  timer_.schedule_at(next);
}

void VrrpGroup::run(const Actions& actions) {
  for (const auto& action : actions) {
    if (const auto* s = std::get_if<vrrp::StateChanged>(&action)) {
      auto& trace = node_.sim().trace();
      if (trace.wants<protocols::VrrpStateChanged>())
        trace.publish(
            protocols::VrrpStateChanged{node_.sim().now(), node_.id(), vrid(), s->from, s->to, s->why});
    } else if (const auto* a = std::get_if<vrrp::SendAdvert>(&action)) {
      send_advert(*a);
    } else if (const auto* g = std::get_if<vrrp::SendGratuitousArps>(&action)) {
      send_garps(*g);
    } else if (const auto* c = std::get_if<vrrp::ClaimAddresses>(&action)) {
      claim(*c);
    } else if (std::holds_alternative<vrrp::ReleaseAddresses>(action)) {
      release();
    }
  }
  rearm();
}

void VrrpGroup::send_advert(const vrrp::SendAdvert& a) {
  wire::Vrrp ad;
  ad.version = static_cast<std::uint8_t>(cfg_.version);
  ad.vrid = cfg_.vrid;
  ad.priority = a.priority;
  if (cfg_.version == protocols::VrrpVersion::V2) {
    ad.advert_interval_s = static_cast<std::uint8_t>(a.max_adver_int);
  } else {
    ad.max_advert_interval_cs = a.max_adver_int;
  }
  for (Ipv4 v : cfg_.virtual_addresses) ad.addresses.push_back(v);
  net::Ipv4Send spec;
  spec.dst = wire::vrrp::kMulticastGroup;
  spec.proto = wire::vrrp::kIpProto;
  spec.src = cfg_.primary_address;
  spec.iface = iface_;
  spec.ttl = wire::vrrp::kTtl;  // RFC 5798 5.1.1.3: receivers discard any other TTL
  const wire::VrrpChecksumMode mode = checksum_;
  send_ipv4_from(
      node_, spec, ad.wire_len(),
      [&ad, mode](wire::MutBytes out, Ipv4 src) { ad.emit(out, src, wire::vrrp::kMulticastGroup, mode); },
      a.source_mac, net::Host::multicast_mac(wire::vrrp::kMulticastGroup));
}

void VrrpGroup::send_garps(const vrrp::SendGratuitousArps& a) {
  // keepalived vrrp_send_link_update: `count` rounds, each announcing every address.
  const std::size_t n = cfg_.virtual_addresses.size();
  const Time now = node_.sim().now();
  const Time send_time = daemon_ ? daemon_->config().garp_send_time : Time::zero();
  if (cfg_.keepalived.garp_interval == Time::zero() && send_time == Time::zero()) {
    for (unsigned k = 0; k < a.count; ++k)
      for (std::size_t v = 0; v < n; ++v)
        send_arp_from(node_, iface_, wire::Arp::gratuitous_request(a.mac, cfg_.virtual_addresses[v]), a.mac,
                      Mac::broadcast());
    return;
  }
  // Queued, and sent one by one: every garp_interval (vrrp_garp_interval, "Sending/queueing
  // gratuitous ARPs"), or back to back, each costing the daemon garp_send_time, after what it was
  // already sending; it does nothing else until the burst is out (keepalived#1653).
  garp_mac_ = a.mac;
  for (unsigned k = 0; k < a.count; ++k)
    for (std::size_t v = 0; v < n; ++v) garp_queue_.push_back(static_cast<std::uint16_t>(v));
  if (cfg_.keepalived.garp_interval == Time::zero()) {
    const Time start = std::max(now, daemon_->busy_until());
    daemon_->spend(now, std::uint64_t{a.count} * n);
    burst_ = true;
    if (!garp_timer_.pending()) garp_timer_.schedule_at(start);
    return;
  }
  if (!garp_timer_.pending()) garp_timer_.schedule_at(now);
}

void VrrpGroup::on_garp_timer() {
  if (garp_queue_.empty()) return;
  const Time now = node_.sim().now();
  if (burst_) {  // the daemon's time for the whole burst is already spent
    send_queued_garp();
    if (garp_queue_.empty())
      burst_ = false;
    else
      garp_timer_.schedule_at(now + daemon_->config().garp_send_time);
    return;
  }
  if (busy()) {
    garp_timer_.schedule_at(daemon_->busy_until());
    return;
  }
  send_queued_garp();
  if (daemon_) daemon_->spend(now, 1);
  if (!garp_queue_.empty()) garp_timer_.schedule_at(now + cfg_.keepalived.garp_interval);
  // The other timers may have come due while this GARP was being sent.
  if (busy()) rearm();
}

void VrrpGroup::send_queued_garp() {
  const std::uint16_t v = garp_queue_.pop_front();
  send_arp_from(node_, iface_, wire::Arp::gratuitous_request(garp_mac_, cfg_.virtual_addresses[v]), garp_mac_,
                Mac::broadcast());
}

void VrrpGroup::claim(const vrrp::ClaimAddresses& a) {
  if (claimed_) release();
  claimed_ = true;
  accept_ = a.accept;
  claimed_mac_ = a.mac;
  for (Ipv4 v : cfg_.virtual_addresses) {
    if (node_.add_address(iface_, v, 32, /*alias=*/true)) publish_alias(v, true, "vrrp master");
  }
  if (a.mac != node_.mac(iface_)) node_.device(iface_).accept_unicast(a.mac);
}

void VrrpGroup::release() {
  claimed_ = false;
  // No longer master: announcing the addresses now would pull traffic to a router that drops it.
  garp_queue_.clear();
  garp_timer_.cancel();
  burst_ = false;
  for (Ipv4 v : cfg_.virtual_addresses) {
    if (node_.remove_address(iface_, v)) publish_alias(v, false, "vrrp release");
  }
  if (claimed_mac_ != node_.mac(iface_)) node_.device(iface_).stop_accepting(claimed_mac_);
}

void VrrpGroup::publish_alias(Ipv4 addr, bool added, const char* why) {
  auto& trace = node_.sim().trace();
  if (trace.wants<protocols::AliasChanged>())
    trace.publish(protocols::AliasChanged{node_.sim().now(), node_.id(), iface_, addr, 32, added, why});
}

bool VrrpGroup::claims(Ipv4 addr) const {
  return claimed_ && std::find(cfg_.virtual_addresses.begin(), cfg_.virtual_addresses.end(), addr) !=
                         cfg_.virtual_addresses.end();
}

net::Host::ArpVerdict VrrpGroup::on_arp(IfIndex iface, const wire::Arp& arp) {
  if (iface != iface_ || arp.op != wire::ArpOp::Request || !claims(arp.tpa))
    return net::Host::ArpVerdict::Continue;
  // RFC 5798 6.4.3: answer for the virtual addresses with the virtual router MAC. The stack
  // would answer with the NIC's MAC, so this group answers and the stack only learns.
  send_arp_from(node_, iface_, wire::Arp::reply(claimed_mac_, arp.tpa, arp.sha, arp.spa), claimed_mac_,
                arp.sha);
  return net::Host::ArpVerdict::NoReply;
}

}  // namespace nlb::nodes
