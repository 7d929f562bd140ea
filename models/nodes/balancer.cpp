// The balancer's lifecycle, its HA machine's glue, heartbeats and connection-table sync.
#include <algorithm>
#include <array>
#include <cassert>
#include <variant>

#include "models/nodes/balancer_parts.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/wire/ha.hpp"

namespace nlb::nodes {

namespace ha = protocols::ha;
using wire::Ipv4;

const char* to_string(SyncMode m) {
  switch (m) {
    case SyncMode::Off:
      return "off";
    case SyncMode::PerConnection:
      return "per-connection";
    case SyncMode::Batch:
      return "batch";
  }
  return "?";
}

Balancer::Balancer(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name,
                   BalancerConfig cfg)
    : Node(sim, pool, id, std::move(name), Role::Balancer, cfg.host, cfg.tcp),
      cfg_(std::move(cfg)),
      prior_art_(cfg_.ha.nlbs_address.is_unspecified()),
      path_up_(cfg_.peer_addresses.size(), true),
      ha_timer_(*this, [this] { run_ha(ha_->poll(this->sim().now())); }),
      sync_timer_(*this, [this] { flush_sync(); }),
      manager_timer_(*this, [this] { on_manager_timer(); }),
      expire_timer_(*this, [this] { on_expire_timer(); }),
      reach_timer_(*this, [this] { on_reach_timer(); }) {
  for (const auto& s : cfg_.servers) server_ips_.push_back(s.address);
  add_ingress_hook([this](const net::RxDatagram& d) { return on_ingress(d); });
  add_arp_hook([this](IfIndex i, const wire::Arp& a) {
    on_arp(i, a);
    return ArpVerdict::Continue;
  });
}

Balancer::~Balancer() = default;

// --- lifecycle -------------------------------------------------------------------------------

void Balancer::resolve_interfaces() {
  auto a = interface(cfg_.access_iface);
  auto s = interface(cfg_.server_iface);
  assert(a && s && "a balancer needs its access and server interfaces before it boots");
  access_ = *a;
  server_side_ = *s;
  if (cfg_.ha.own_address.is_unspecified()) cfg_.ha.own_address = interfaces().primary(access_);
  front_.clear();
  if (prior_art_) {
    // Prior art (Figure 2): no NLBS address; the active balancer holds the cluster addresses on
    // its access interface, where the firewalls resolve them directly.
    for (const auto& c : cfg_.clusters) front_.push_back(c.address);
    if (!front_.empty()) cfg_.ha.nlbs_address = front_.front();
  } else {
    front_.push_back(cfg_.ha.nlbs_address);
  }
  path_local_.clear();
  for (Ipv4 peer : cfg_.peer_addresses) {
    auto r = route_to(peer);
    path_local_.push_back(r ? r->src : cfg_.ha.own_address);
  }
}

void Balancer::make_volatile_state() {
  ha_.emplace(cfg_.ha);
  protocols::ConnTableConfig tc = cfg_.table;
  switch (cfg_.sync.mode) {
    case SyncMode::Off:
      tc.sync.trigger = protocols::SyncTrigger::Off;
      break;
    case SyncMode::PerConnection:
      tc.sync.trigger = protocols::SyncTrigger::NewConnection;
      break;
    case SyncMode::Batch:
      tc.sync.trigger = protocols::SyncTrigger::Ipvs;
      break;
  }
  table_.emplace(tc, server_ips_);
  dispatchers_.clear();
  for (const auto& c : cfg_.clusters) {
    std::vector<protocols::ServerSpec> specs;
    for (std::size_t k = 0; k < cfg_.servers.size(); ++k)
      specs.push_back(
          {cfg_.servers[k].address, k < c.weights.size() ? c.weights[k] : cfg_.servers[k].weight});
    dispatchers_.push_back(std::make_unique<protocols::Dispatcher>(c.dispatcher, std::move(specs)));
  }
  protocols::ConnSyncConfig sc;
  sc.flush_delay = cfg_.sync.mode == SyncMode::Batch ? cfg_.sync.batch_delay : Time::zero();
  sc.max_entries = std::clamp<std::size_t>(cfg_.sync.batch_max, 1, wire::ha::kMaxSyncEntries);
  // Bulk pacing from the rate in entries/s with full messages of max_entries: as many messages
  // per 10 ms tick as the rate allows, or one every max_entries/rate s below one per tick (16 x
  // 60 entries per tick = 96,000/s, the sender's default).
  const std::uint64_t rate = std::max<std::uint32_t>(cfg_.sync.bulk_rate, 1);
  const std::uint64_t per_tick = rate / (100 * sc.max_entries);
  if (per_tick >= 1) {
    sc.bulk_tick = Time::ms(10);
    sc.bulk_messages_per_tick = static_cast<unsigned>(per_tick);
  } else {
    sc.bulk_tick = Time::ns(static_cast<std::int64_t>(1'000'000'000ull * sc.max_entries / rate));
    sc.bulk_messages_per_tick = 1;
  }
  sync_out_.emplace(sc);
  sync_in_.reset();
  forwarding_ = false;
}

void Balancer::on_boot() {
  if (access_ == link::kNoIface) resolve_interfaces();
  if (!socket_) {
    socket_ = transport().udp().bind({Ipv4::any(), wire::ha::kUdpPort});
    socket_->set_receiver(this);
  }
  make_volatile_state();
  const Time now = sim().now();
  for (std::size_t c = 0; c < dispatchers_.size(); ++c) {
    dispatchers_[c]->start(now);
    publish_weights(c);  // the starting weights, so that a trace reader knows them
  }
  rearm_manager();
  start_health();
  run_ha(ha_->start(now));
}

void Balancer::stop_everything() {
  ha_timer_.cancel();
  sync_timer_.cancel();
  manager_timer_.cancel();
  expire_timer_.cancel();
  stop_health();
  if (sync_out_) sync_out_->cancel();
  forwarding_ = false;
}

void Balancer::on_crash() {
  stop_everything();
  // The aliases lived in the crashed kernel's memory: they are gone with it.
  if (front_held_) hold_front(false);
  make_volatile_state();
}

void Balancer::on_stop() {
  // ND goInOp: release the NLBS address and tell the peer (one inop heartbeat) first.
  run_ha(ha_->stop(sim().now(), "graceful stop"));
  stop_everything();
}

void Balancer::takeover() {
  if (running()) run_ha(ha_->takeover(sim().now()));
}

void Balancer::set_heartbeat_path(std::size_t k, bool up) {
  if (k >= path_up_.size() || path_up_[k] == up) return;
  path_up_[k] = up;
  publish_fault(up ? FaultKind::HeartbeatPathUp : FaultKind::HeartbeatPathDown, static_cast<IfIndex>(k));
}

std::vector<Node::DynamicAddress> Balancer::dynamic_addresses() const {
  const IfIndex at = interface(cfg_.access_iface).value_or(link::kNoIface);
  if (!prior_art_)
    return {{at, cfg_.ha.nlbs_address,
             "NLBS address: alias of the active balancer on the Internet Access Subnet"}};
  std::vector<DynamicAddress> out;
  for (const auto& c : cfg_.clusters)
    out.push_back(
        {at, c.address, "cluster address held on the access interface by the active balancer (prior art)"});
  return out;
}

// --- HA --------------------------------------------------------------------------------------

void Balancer::run_ha(const protocols::BalancerHa::Actions& actions) {
  auto& trace = sim().trace();
  const Time now = sim().now();
  for (const auto& action : actions) {
    if (const auto* s = std::get_if<ha::StateChanged>(&action)) {
      if (trace.wants<protocols::HaStateChanged>())
        trace.publish(protocols::HaStateChanged{now, id(), s->from, s->to, s->why});
    } else if (std::holds_alternative<ha::AddAlias>(action)) {
      hold_front(true);
    } else if (std::holds_alternative<ha::RemoveAlias>(action)) {
      hold_front(false);
    } else if (const auto* g = std::get_if<ha::SendGratuitousArp>(&action)) {
      // Seed: "broadcasts an ARP request on the Internet Access Subnet comprising its own
      // physical hardware address and the NLBS IP address".
      for (Ipv4 a : front_) {
        for (unsigned k = 0; k < g->count; ++k) send_gratuitous_arp(access_, a);
      }
    } else if (const auto* f = std::get_if<ha::SetForwarding>(&action)) {
      forwarding_ = f->on;
      if (!forwarding_ && sync_out_) sync_out_->cancel();
    } else if (const auto* h = std::get_if<ha::SendHeartbeat>(&action)) {
      send_heartbeat(h->heartbeat);
    } else if (std::holds_alternative<ha::StartBulkSync>(action)) {
      sync_out_->start_bulk(now);
      rearm_sync();
    } else if (const auto* p = std::get_if<ha::PeerChanged>(&action)) {
      if (trace.wants<protocols::HaPeerChanged>())
        trace.publish(protocols::HaPeerChanged{now, id(), p->alive, p->why});
    } else if (const auto* b = std::get_if<ha::SplitBrainResolved>(&action)) {
      if (trace.wants<protocols::HaSplitBrain>())
        trace.publish(protocols::HaSplitBrain{now, id(), b->won, b->why});
    }
  }
  ha_timer_.schedule_at(ha_->next_deadline());
}

// An ARP packet from another MAC with an address we hold as its sender address: that machine
// claims it (the stack, which saw our own packets out already, learns and answers as usual).
void Balancer::on_arp(IfIndex i, const wire::Arp& a) {
  if (!ha_ || i != access_ || !front_held_) return;
  if (std::find(front_.begin(), front_.end(), a.spa) != front_.end()) ha_->on_address_claimed();
}

void Balancer::hold_front(bool on) {
  if (front_held_ == on) return;
  front_held_ = on;
  auto& trace = sim().trace();
  const char* why = on ? "became active" : (up() ? "released" : "node crashed");
  for (Ipv4 a : front_) {
    // Seed, "Switch from a Network Load Balancer to an other": "defines the NLBS IP address as
    // an alias in its interface table" / "releases from its interface table ... the alias".
    const bool changed =
        on ? add_address(access_, a, cfg_.ha.nlbs_prefix_len, /*alias=*/true) : remove_address(access_, a);
    if (changed && trace.wants<protocols::AliasChanged>())
      trace.publish(protocols::AliasChanged{sim().now(), id(), access_, a, cfg_.ha.nlbs_prefix_len, on, why});
  }
}

void Balancer::send_heartbeat(const wire::HaHeartbeat& hb) {
  std::array<std::byte, wire::ha::kHeartbeatLen> buf{};
  hb.emit(buf);
  for (std::size_t k = 0; k < cfg_.peer_addresses.size(); ++k) {
    if (!path_up_[k]) continue;
    // Always from our address on the first path, so that the peer's machine sees one peer
    // address whichever path the heartbeat took.
    socket_->send_from(cfg_.ha.own_address, {cfg_.peer_addresses[k], wire::ha::kUdpPort}, {buf, 0});
    ++counters_.heartbeats_sent;
  }
}

std::size_t Balancer::path_of(Ipv4 local) const {
  for (std::size_t k = 0; k < path_local_.size(); ++k) {
    if (path_local_[k] == local) return k;
  }
  return 0;
}

void Balancer::on_datagram(Time, const transport::UdpDatagram& d) {
  if (!running()) return;
  auto type = wire::ha_message_type(d.payload.real);
  if (!type) return;
  if (*type == wire::HaMessageType::Heartbeat) {
    on_heartbeat(d, path_of(d.dst.addr));
  } else {
    on_sync(d);
  }
}

void Balancer::on_heartbeat(const transport::UdpDatagram& d, std::size_t path) {
  if (path < path_up_.size() && !path_up_[path]) return;  // lost on a path that is down
  auto hb = wire::HaHeartbeat::parse(d.payload.real);
  if (!hb) return;
  ++counters_.heartbeats_received;
  run_ha(ha_->on_heartbeat(sim().now(), *hb, d.src.addr));
}

// --- connection-table sync -------------------------------------------------------------------

void Balancer::on_sync(const transport::UdpDatagram& d) {
  if (!path_up_.empty() && !path_up_[0]) return;
  ++counters_.sync_messages_received;
  // The active balancer's table is the reference; a sync message reaching it (split brain) is
  // ignored rather than mixed in.
  if (ha_->state() == wire::HaState::Active) return;
  auto view = wire::HaSyncView::checked(d.payload.real);
  if (!view) return;
  const Time now = sim().now();
  auto result = sync_in_.on_message(now, *view, *table_);
  auto& trace = sim().trace();
  if (trace.wants<protocols::ConnEvent>()) {
    for (std::size_t i = 0; i < view->count(); ++i) {
      const wire::HaSyncEntry e = view->entry(i);
      trace.publish(
          protocols::ConnEvent{now,
                               id(),
                               protocols::ConnOp::SyncApplied,
                               {e.protocol, e.client_ip, e.client_port, e.cluster_ip, e.cluster_port},
                               e.server_ip,
                               e.state});
    }
  }
  if (!expire_timer_.pending()) expire_timer_.schedule_at(table_->next_deadline());
  if (result.status) run_ha(ha_->set_sync_status(now, *result.status));
}

void Balancer::flush_sync() {
  const Time now = sim().now();
  auto& trace = sim().trace();
  const bool can_send = !cfg_.peer_addresses.empty() && path_up_[0];
  sync_out_->poll(now, *table_, [&](wire::Bytes message, std::span<const wire::HaSyncEntry> entries) {
    if (!can_send) return;
    socket_->send_from(cfg_.ha.own_address, {cfg_.peer_addresses[0], wire::ha::kUdpPort}, {message, 0});
    ++counters_.sync_messages_sent;
    if (!trace.wants<protocols::ConnEvent>()) return;
    for (const auto& e : entries)
      trace.publish(
          protocols::ConnEvent{now,
                               id(),
                               protocols::ConnOp::SyncSent,
                               {e.protocol, e.client_ip, e.client_port, e.cluster_ip, e.cluster_port},
                               e.server_ip,
                               e.state});
  });
  rearm_sync();
}

void Balancer::rearm_sync() { sync_timer_.schedule_at(sync_out_->next_deadline()); }

}  // namespace nlb::nodes
