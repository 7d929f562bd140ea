#include "models/net/host.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/icmp.hpp"

namespace nlb::net {

using link::FrameRef;
using wire::Ipv4;
using wire::Mac;
namespace drop = link::drop;

// The ARP table's requests, releases, drops and changes, carried out for one interface.
class Host::ArpOutput final : public ArpCache::Output {
 public:
  ArpOutput(Host& host, IfIndex iface) : host_(host), iface_(iface) {}

  void arp_request(Ipv4 target, Mac dst) override {
    // The sender address is the interface's own address on the target's subnet, never an
    // alias or a loopback address (Linux arp_announce=2, as the seed's servers need).
    Ipv4 spa = host_.ifaces_.source_for(iface_, target);
    host_.send_arp(iface_, wire::Arp::request(host_.mac(iface_), spa, target), dst);
  }
  void arp_release(FrameRef datagram, Mac mac) override { host_.transmit(iface_, std::move(datagram), mac); }
  void arp_drop(FrameRef datagram, const char* reason) override { host_.drop(iface_, datagram, reason); }
  void arp_changed(const ArpChange& change) override {
    auto& trace = host_.sim_.trace();
    if (trace.wants<ArpChanged>()) trace.publish(ArpChanged{host_.sim_.now(), host_.id_, iface_, change});
  }

 private:
  Host& host_;
  IfIndex iface_;
};

struct Host::Port {
  std::unique_ptr<link::Device> device;  // null for the loopback
  std::unique_ptr<ArpOutput> arp_out;
  std::unique_ptr<ArpCache> arp;
  std::vector<Ipv4> groups;
};

Host::Host(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name, HostConfig config)
    : sim_(sim), pool_(pool), id_(id), name_(std::move(name)), config_(config), loopback_timer_(sim, [this] {
        on_loopback();
      }) {}

Host::~Host() = default;

// --- interfaces ----------------------------------------------------------------------------

IfIndex Host::add_interface(std::string name, Mac mac) {
  auto p = std::make_unique<Port>();
  p->device = std::make_unique<link::Device>(sim_, mac);
  std::string rng_name = "arp/" + name_ + "/" + name;
  IfIndex i = ifaces_.add(std::move(name), p->device.get());
  p->device->set_identity(id_, i);
  p->device->set_receiver([this, i](const FrameRef& f) { receive_frame(i, f); });
  if (!up_) p->device->set_up(false, drop::kNodeDown);
  p->arp_out = std::make_unique<ArpOutput>(*this, i);
  p->arp = std::make_unique<ArpCache>(sim_, config_.arp, *p->arp_out, sim_.rng().stream(rng_name));
  ports_.push_back(std::move(p));
  return i;
}

IfIndex Host::add_loopback(std::string name) {
  IfIndex i = ifaces_.add_loopback(std::move(name));
  ports_.push_back(std::make_unique<Port>());
  return i;
}

link::Device& Host::device(IfIndex i) {
  assert(port(i).device && "the loopback has no NIC");
  return *port(i).device;
}

const link::Device& Host::device(IfIndex i) const {
  assert(port(i).device && "the loopback has no NIC");
  return *port(i).device;
}

Mac Host::mac(IfIndex i) const { return port(i).device ? port(i).device->mac() : Mac::zero(); }

void Host::set_interface_up(IfIndex i, bool up) {
  ifaces_[i].admin_up = up;
  Port& p = port(i);
  if (!p.device) return;
  if (up_) p.device->set_up(up);
  if (!up) p.arp->clear(drop::kIfaceDown);
}

bool Host::add_address(IfIndex i, Ipv4 addr, std::uint8_t prefix_len, bool alias) {
  IfAddress a{addr, prefix_len, alias};
  if (!ifaces_.add_address(i, a)) return false;
  const Interface& itf = ifaces_[i];
  if (!itf.loopback && prefix_len < 32) {
    // The kernel's prefix route for the subnet (proto kernel scope link), once per subnet.
    bool have = false;
    for (const auto& r : routes_.routes()) {
      have = have || (r.kind == RouteKind::Direct && r.iface == i && r.dest == a.subnet());
    }
    if (!have) routes_.add(Route{a.subnet(), Ipv4::any(), i, RouteKind::Direct, 0, {}});
  }
  publish_address(i, a, true);
  return true;
}

bool Host::remove_address(IfIndex i, Ipv4 addr) {
  const auto& list = ifaces_[i].addresses;
  auto it = std::find_if(list.begin(), list.end(), [addr](const IfAddress& a) { return a.addr == addr; });
  if (it == list.end()) return false;
  IfAddress a = *it;
  ifaces_.remove_address(i, addr);
  bool subnet_still_here = std::any_of(list.begin(), list.end(), [&a](const IfAddress& o) {
    return o.prefix_len == a.prefix_len && o.subnet() == a.subnet();
  });
  if (!subnet_still_here) routes_.remove_direct(a.subnet(), i);
  publish_address(i, a, false);
  return true;
}

void Host::publish_address(IfIndex i, const IfAddress& a, bool added) {
  auto& trace = sim_.trace();
  if (trace.wants<AddressChanged>()) {
    trace.publish(AddressChanged{sim_.now(), id_, i, a.addr, a.prefix_len, a.alias, added});
  }
}

Mac Host::multicast_mac(Ipv4 group) {
  std::uint32_t v = group.value();
  return Mac({0x01, 0x00, 0x5e, static_cast<std::uint8_t>((v >> 16) & 0x7f),
              static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
}

void Host::join_group(IfIndex i, Ipv4 group) {
  Port& p = port(i);
  if (in_group(i, group)) return;
  p.groups.push_back(group);
  if (p.device) p.device->join_multicast(multicast_mac(group));
}

void Host::leave_group(IfIndex i, Ipv4 group) {
  Port& p = port(i);
  std::erase(p.groups, group);
  // Another group may map to the same MAC (32 groups share one): keep the filter if so.
  Mac m = multicast_mac(group);
  bool shared = std::any_of(p.groups.begin(), p.groups.end(), [m](Ipv4 g) { return multicast_mac(g) == m; });
  if (p.device && !shared) p.device->leave_multicast(m);
}

bool Host::in_group(IfIndex i, Ipv4 group) const {
  const auto& g = port(i).groups;
  return std::find(g.begin(), g.end(), group) != g.end();
}

// --- routing -------------------------------------------------------------------------------

void Host::add_route(wire::Prefix dest, Ipv4 gateway, IfIndex iface, std::uint32_t metric) {
  RouteKind kind = dest.length() == 0         ? RouteKind::Default
                   : gateway.is_unspecified() ? RouteKind::Direct
                                              : RouteKind::Static;
  routes_.add(Route{dest, gateway, iface, kind, metric, {}});
}

void Host::add_default_route(Ipv4 gateway, IfIndex iface) { routes_.add_default(gateway, iface); }

std::optional<RouteChoice> Host::route_to(Ipv4 dst) const {
  if (auto owner = ifaces_.owner_of(dst)) {
    // Linux's local table comes before the main one: traffic to ourselves never leaves.
    return RouteChoice{*owner, dst, dst, true};
  }
  auto hop = routes_.lookup(dst);
  if (!hop) return std::nullopt;
  Ipv4 src = hop->prefsrc.is_unspecified() ? ifaces_.source_for(hop->iface, hop->next_hop) : hop->prefsrc;
  return RouteChoice{hop->iface, hop->next_hop, src, false};
}

// --- ARP -----------------------------------------------------------------------------------

ArpCache& Host::arp(IfIndex i) {
  assert(port(i).arp && "the loopback has no ARP table");
  return *port(i).arp;
}

const ArpCache& Host::arp(IfIndex i) const {
  assert(port(i).arp && "the loopback has no ARP table");
  return *port(i).arp;
}

bool Host::send_arp(IfIndex i, const wire::Arp& arp, Mac dst) {
  FrameRef f = pool_.make(wire::ethernet::kHeaderLen + arp.wire_len());
  Mac src = mac(i);
  wire::MutBytes b = f.mut().mutable_bytes();
  wire::EthernetHeader{dst == Mac::zero() ? Mac::broadcast() : dst, src, wire::EtherType::Arp}.emit(b);
  arp.emit(b.subspan(wire::ethernet::kHeaderLen));
  if (!up_) {
    drop(i, f, drop::kNodeDown);
    return false;
  }
  ++counters_.arp_sent;
  return port(i).device->send(std::move(f));
}

bool Host::send_gratuitous_arp(IfIndex i, Ipv4 addr, GarpForm form, std::optional<Mac> mac_opt) {
  Mac m = mac_opt.value_or(mac(i));
  wire::Arp a = form == GarpForm::Request ? wire::Arp::gratuitous_request(m, addr)
                                          : wire::Arp::gratuitous_reply(m, addr);
  return send_arp(i, a, Mac::broadcast());
}

std::optional<wire::Arp> Host::arp_reply(const InterfaceTable& ifaces, IfIndex i, Mac mac,
                                         const wire::Arp& request) {
  if (request.op != wire::ArpOp::Request) return std::nullopt;
  if (ifaces[i].loopback) return std::nullopt;
  // Linux arp_ignore=1: "reply only if the target IP address is local address configured on
  // the incoming interface" (Documentation/networking/ip-sysctl.rst). So the seed's servers
  // never answer for the cluster address on their loopback.
  if (!ifaces.has_address(i, request.tpa)) return std::nullopt;
  return wire::Arp::reply(mac, request.tpa, request.sha, request.spa);
}

// --- receive -------------------------------------------------------------------------------

void Host::receive_frame(IfIndex iface, const FrameRef& frame) {
  if (!up_) {
    drop(iface, frame, drop::kNodeDown);
    return;
  }
  auto eth = wire::EthernetView::checked(frame->bytes());
  if (!eth) {
    drop(iface, frame, drop::kMalformed);
    return;
  }
  switch (eth->ethertype()) {
    case wire::EtherType::Arp:
      receive_arp(iface, frame, eth->payload());
      return;
    case wire::EtherType::Ipv4:
      receive_ipv4(iface, frame, eth->payload());
      return;
  }
  drop(iface, frame, drop::kNoHandler);
}

void Host::receive_arp(IfIndex iface, const FrameRef& frame, wire::Bytes packet) {
  auto arp = wire::Arp::parse(packet);
  if (!arp) {
    drop(iface, frame, drop::kMalformed);
    return;
  }
  ++counters_.arp_received;
  Mac own = mac(iface);
  if (arp->sha == own) return;  // our own packet, come back over a shared segment
  ArpVerdict verdict = ArpVerdict::Continue;
  for (auto& hook : arp_hooks_) {
    verdict = hook(iface, *arp);
    if (verdict != ArpVerdict::Continue) break;
  }
  if (verdict == ArpVerdict::Drop) return;
  bool for_us = ifaces_.has_address(iface, arp->tpa);
  // Linux arp_process: REACHABLE only for a reply sent to our MAC; anything else is STALE.
  bool solicited = arp->op == wire::ArpOp::Reply && link::frame_dst(*frame) == own;
  port(iface).arp->input(*arp, for_us, solicited);
  if (verdict == ArpVerdict::NoReply) return;
  if (auto reply = arp_reply(ifaces_, iface, own, *arp)) send_arp(iface, *reply, arp->sha);
}

void Host::receive_ipv4(IfIndex iface, const FrameRef& frame, wire::Bytes packet) {
  auto v = wire::Ipv4View::checked(packet, frame->virtual_len);
  if (!v || !v->checksum_ok() || v->more_fragments() || v->fragment_offset() != 0) {
    // Fragments are never made here, so one arriving is as foreign as a broken header.
    drop(iface, frame, drop::kMalformed);
    return;
  }
  Mac dst_mac = link::frame_dst(*frame);
  RxDatagram d{iface,
               &frame,
               *v,
               v->payload(),
               v->payload_virtual_len(),
               link::frame_src(*frame),
               dst_mac,
               dst_mac.is_multicast()};
  ++counters_.ip_received;
  for (auto& hook : ingress_hooks_) {
    if (hook(d)) {
      ++counters_.consumed;
      return;
    }
  }
  Ipv4 dst = d.dst();
  bool ours = ifaces_.is_local(dst) || dst.is_broadcast() || ifaces_.is_subnet_broadcast(iface, dst) ||
              (dst.is_multicast() && in_group(iface, dst));
  if (ours) {
    deliver(d);
  } else if (config_.forwarding && !d.link_broadcast && !dst.is_multicast()) {
    forward(d);
  } else {
    drop(iface, frame, drop::kNotForUs);
  }
}

void Host::on_protocol(wire::IpProto proto, ProtocolHandler handler) {
  auto p = static_cast<std::uint8_t>(proto);
  for (auto& [num, h] : handlers_) {
    if (num == p) {
      h = std::move(handler);
      return;
    }
  }
  handlers_.emplace_back(p, std::move(handler));
}

void Host::deliver(const RxDatagram& d) {
  auto p = static_cast<std::uint8_t>(d.protocol());
  for (auto& [num, h] : handlers_) {
    if (num == p && h) {
      ++counters_.delivered;
      h(d);
      return;
    }
  }
  drop(d.iface, *d.frame, drop::kNoHandler);
}

void Host::forward(const RxDatagram& d) {
  // RFC 1812 5.3.1: a datagram whose TTL would reach zero is discarded, with Time Exceeded.
  if (d.ip.ttl() <= 1) {
    drop(d.iface, *d.frame, drop::kTtlExpired);
    send_icmp_error(d, static_cast<std::uint8_t>(wire::IcmpType::TimeExceeded), wire::icmp::kTtlExceeded);
    return;
  }
  auto hop = routes_.lookup(d.dst());
  if (!hop) {
    drop(d.iface, *d.frame, drop::kNoRoute);
    send_icmp_error(d, static_cast<std::uint8_t>(wire::IcmpType::DestUnreachable),
                    wire::icmp::kNetUnreachable);
    return;
  }
  if (d.ip.total_length() > ifaces_[hop->iface].mtu) {
    drop(d.iface, *d.frame, drop::kTooBig);
    return;
  }
  FrameRef f = pool_.clone(**d.frame);
  wire::decrement_ttl_in_place(f.mut().mutable_bytes().subspan(wire::ethernet::kHeaderLen));
  ++counters_.forwarded;
  output(hop->iface, hop->next_hop, std::move(f));
}

void Host::send_icmp_error(const RxDatagram& d, std::uint8_t type, std::uint8_t code) {
  if (!config_.icmp_errors || d.link_broadcast) return;
  Ipv4 src = d.src();
  if (src.is_unspecified() || src.is_broadcast() || src.is_multicast()) return;
  if (d.protocol() == wire::IpProto::Icmp) {
    // RFC 1812 4.3.2.7: never an error about an error; echoes are fine.
    if (d.payload.empty()) return;
    auto t = static_cast<wire::IcmpType>(d.payload[0]);
    if (t != wire::IcmpType::EchoRequest && t != wire::IcmpType::EchoReply) return;
  }
  // RFC 792: the data is the datagram's header and its first 64 bits.
  wire::Bytes header = d.ip.header();
  std::size_t take = std::min<std::size_t>(8, d.payload.size());
  Ipv4Send spec;
  spec.dst = src;
  spec.proto = wire::IpProto::Icmp;
  OutDatagram o = prepare(spec, wire::icmp::kHeaderLen + header.size() + take);
  wire::MutBytes out = o.payload();
  std::memcpy(out.data() + wire::icmp::kHeaderLen, header.data(), header.size());
  std::memcpy(out.data() + wire::icmp::kHeaderLen + header.size(), d.payload.data(), take);
  wire::Icmp msg{static_cast<wire::IcmpType>(type), code, 0, 0};
  msg.emit(out, out.subspan(wire::icmp::kHeaderLen));
  send(std::move(o));
}

// --- send ----------------------------------------------------------------------------------

OutDatagram Host::prepare(const Ipv4Send& spec, std::size_t real_len, std::uint32_t virtual_len) {
  constexpr std::size_t kEth = wire::ethernet::kHeaderLen;
  constexpr std::size_t kIp = wire::ipv4::kMinHeaderLen;
  assert(kEth + kIp + real_len <= link::Frame::kMaxBytes && "transport wrote more than a frame holds");
  OutDatagram d;
  d.frame_ = pool_.make(kEth + kIp + real_len, virtual_len);
  wire::MutBytes b = d.frame_.mut().mutable_bytes();
  std::memset(b.data(), 0, kEth);
  wire::put16(b, wire::ethernet::field::ethertype.begin, static_cast<std::uint16_t>(wire::EtherType::Ipv4));
  d.dst_ = spec.dst;
  if (!up_) {
    d.fail_ = drop::kNodeDown;
  } else if (spec.iface != kNoIface) {
    d.route_ = RouteChoice{spec.iface, spec.dst, ifaces_.source_for(spec.iface, spec.dst), false};
  } else if (auto r = route_to(spec.dst)) {
    d.route_ = *r;
  } else {
    d.fail_ = drop::kNoRoute;
  }
  d.src_ = spec.src.is_unspecified() ? d.route_.src : spec.src;
  std::size_t total = kIp + real_len + virtual_len;
  if (!d.fail_ && d.route_.iface != kNoIface && total > ifaces_[d.route_.iface].mtu) d.fail_ = drop::kTooBig;
  if (total > 0xffff) d.fail_ = drop::kTooBig;

  wire::Ipv4Header h;
  h.dscp = spec.dscp;
  h.total_length = static_cast<std::uint16_t>(std::min<std::size_t>(total, 0xffff));
  h.ident = next_ident_++;
  h.dont_fragment = spec.dont_fragment;
  // Linux: IP_MULTICAST_TTL defaults to 1, unicast to net.ipv4.ip_default_ttl.
  h.ttl = spec.ttl != 0 ? spec.ttl : spec.dst.is_multicast() ? 1 : config_.default_ttl;
  h.protocol = spec.proto;
  h.src = d.src_;
  h.dst = spec.dst;
  h.emit(b.subspan(kEth));
  d.payload_ = b.subspan(kEth + kIp, real_len);
  return d;
}

bool Host::send(OutDatagram&& d) {
  if (d.fail_) {
    drop(d.route_.iface, d.frame_, d.fail_);
    return false;
  }
  ++counters_.sent;
  if (d.route_.local) {
    loop_back(std::move(d.frame_));
    return true;
  }
  std::uint64_t before = drop_total_;
  bool ok = output(d.route_.iface, d.route_.next_hop, std::move(d.frame_));
  return ok && drop_total_ == before;  // the ARP table's drops only show in the count
}

bool Host::send(const Ipv4Send& spec, wire::Bytes payload, std::uint32_t virtual_len) {
  OutDatagram d = prepare(spec, payload.size(), virtual_len);
  std::memcpy(d.payload().data(), payload.data(), payload.size());
  return send(std::move(d));
}

bool Host::output(IfIndex iface, Ipv4 next_hop, FrameRef frame) {
  const Interface& itf = ifaces_[iface];
  if (itf.loopback) {
    loop_back(std::move(frame));
    return true;
  }
  if (!itf.admin_up) {
    drop(iface, frame, drop::kIfaceDown);
    return false;
  }
  Mac dst;
  if (next_hop.is_broadcast() || ifaces_.is_subnet_broadcast(iface, next_hop)) {
    dst = Mac::broadcast();
  } else if (next_hop.is_multicast()) {
    dst = multicast_mac(next_hop);
  } else {
    auto m = port(iface).arp->resolve(next_hop, frame);
    if (!m) return true;  // waiting for ARP, or dropped by it
    dst = *m;
  }
  return transmit(iface, std::move(frame), dst);
}

bool Host::transmit(IfIndex iface, FrameRef frame, Mac dst) {
  if (!up_) {
    drop(iface, frame, drop::kNodeDown);
    return false;
  }
  if (!frame.unique()) frame = pool_.clone(*frame);
  wire::MutBytes b = frame.mut().mutable_bytes();
  wire::put_mac(b, wire::ethernet::field::dst.begin, dst);
  wire::put_mac(b, wire::ethernet::field::src.begin, mac(iface));
  return port(iface).device->send(std::move(frame));
}

bool Host::send_frame(IfIndex iface, FrameRef frame, Mac dst, bool keep_src) {
  if (!up_) {
    drop(iface, frame, drop::kNodeDown);
    return false;
  }
  if (!frame.unique()) frame = pool_.clone(*frame);
  wire::MutBytes b = frame.mut().mutable_bytes();
  wire::put_mac(b, wire::ethernet::field::dst.begin, dst);
  if (!keep_src) wire::put_mac(b, wire::ethernet::field::src.begin, mac(iface));
  return port(iface).device->send(std::move(frame));
}

void Host::loop_back(FrameRef frame) {
  loopback_queue_.push_back(std::move(frame));
  if (!loopback_timer_.pending()) loopback_timer_.schedule_in(sim::Time::zero());
}

void Host::on_loopback() {
  // Only what was queued before this event: deliveries that send locally again go next time.
  for (std::size_t n = loopback_queue_.size(); n > 0; --n) {
    FrameRef f = loopback_queue_.pop_front();
    wire::Bytes packet = f->bytes().subspan(wire::ethernet::kHeaderLen);
    auto v = wire::Ipv4View::checked(packet, f->virtual_len);
    assert(v && "a datagram this node built does not parse");
    Ipv4 dst = v->dst();
    IfIndex in = ifaces_.loopback().value_or(ifaces_.owner_of(dst).value_or(0));
    RxDatagram d{in, &f, *v, v->payload(), v->payload_virtual_len(), Mac::zero(), Mac::zero(), false};
    ++counters_.ip_received;
    deliver(d);
  }
}

// --- node state ----------------------------------------------------------------------------

void Host::set_up(bool up) {
  if (up_ == up) return;
  up_ = up;
  for (std::size_t i = 0; i < ports_.size(); ++i) {
    Port& p = *ports_[i];
    if (!p.device) continue;
    if (up) {
      p.device->set_up(ifaces_[static_cast<IfIndex>(i)].admin_up);
    } else {
      p.device->set_up(false, drop::kNodeDown);
      p.arp->clear(drop::kNodeDown);
    }
  }
  if (!up) {
    loopback_timer_.cancel();
    while (!loopback_queue_.empty()) drop(kNoIface, loopback_queue_.pop_front(), drop::kNodeDown);
  }
  auto& trace = sim_.trace();
  if (trace.wants<NodeStateChanged>()) trace.publish(NodeStateChanged{sim_.now(), id_, up});
  for (auto& l : state_listeners_) l(up);
}

// --- drops ---------------------------------------------------------------------------------

void Host::drop(IfIndex iface, const FrameRef& frame, const char* reason) {
  ++drop_total_;
  auto it = std::find_if(drops_.begin(), drops_.end(), [reason](const auto& kv) {
    return kv.first == reason || std::strcmp(kv.first, reason) == 0;
  });
  if (it == drops_.end()) {
    drops_.emplace_back(reason, 1);
  } else {
    ++it->second;
  }
  link::LanId lan = link::kNoLan;
  if (iface < ports_.size() && ports_[iface]->device) lan = ports_[iface]->device->lan_id();
  link::publish_drop(sim_, id_, iface, lan, frame, reason, link::DropStage::Node);
}

std::uint64_t Host::drops(std::string_view reason) const {
  for (const auto& [r, n] : drops_) {
    if (reason == r) return n;
  }
  return 0;
}

std::uint64_t Host::total_drops() const { return drop_total_; }

}  // namespace nlb::net
