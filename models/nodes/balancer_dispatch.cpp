// The balancer's dispatcher in the host's ingress hook: connection table, server choice, and
// the seed's MAC-rewrite forwarding ("DATA FLOWS": "replaces the destination physical hardware
// address ... with the physical hardware address ... of the selected network server").
#include <algorithm>

#include "models/link/trace_events.hpp"
#include "models/nodes/balancer_parts.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/wire/tcp.hpp"
#include "models/wire/udp.hpp"

namespace nlb::nodes {

using protocols::ServerId;
using wire::Ipv4;

int Balancer::cluster_of(Ipv4 dst) const {
  for (std::size_t c = 0; c < cfg_.clusters.size(); ++c) {
    if (cfg_.clusters[c].address == dst) return static_cast<int>(c);
  }
  return -1;
}

bool Balancer::on_ingress(const net::RxDatagram& d) {
  const int c = cluster_of(d.dst());
  if (c < 0) return false;
  if (!forwarding_) {
    // Seed, "Standby and inop states": "Datagrams sent by the Firewalls are no more accepted by
    // this Network Load Balancer" (the cluster address stays on its loopback all along).
    ++counters_.not_active_drops;
    drop(d.iface, *d.frame, kDropNotActive);
    return true;
  }
  return dispatch(d, static_cast<std::size_t>(c));
}

namespace {

// The transport fields the dispatcher keys on.
struct Flow {
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  wire::TcpFlags flags{};
};

bool parse_flow(const net::RxDatagram& d, Flow& f) {
  if (d.protocol() == wire::IpProto::Tcp) {
    auto v = wire::TcpView::checked(d.payload);
    if (!v) return false;
    f = {v->src_port(), v->dst_port(), v->flags()};
    return true;
  }
  auto v = wire::UdpView::checked(d.payload, d.virtual_len);
  if (!v) return false;
  f = {v->src_port(), v->dst_port(), {}};
  return true;
}

}  // namespace

bool Balancer::dispatch(const net::RxDatagram& d, std::size_t c) {
  const auto proto = d.protocol();
  if (proto != wire::IpProto::Tcp && proto != wire::IpProto::Udp) return false;  // ping: answered here
  Flow f;
  if (!parse_flow(d, f)) {
    drop(d.iface, *d.frame, link::drop::kMalformed);
    return true;
  }
  const auto& ports = cfg_.clusters[c].ports;
  if (std::find(ports.begin(), ports.end(), f.dport) == ports.end()) {
    drop(d.iface, *d.frame, kDropNoService);
    return true;
  }
  const protocols::ConnKey key{static_cast<std::uint8_t>(proto), d.src(), f.sport, d.dst(), f.dport};
  protocols::ConnTable& t = *table_;
  if (auto conn = t.find(key)) {
    const auto u = t.on_packet(sim().now(), *conn, f.flags);
    after_update(u);
    forward(d, c, u.server, false);
    return true;
  }
  const bool tcp = proto == wire::IpProto::Tcp;
  const bool opening = !tcp || (f.flags.syn() && !f.flags.ack());
  // A RST of a connection we do not know ends nothing; other segments of an unknown connection
  // (a takeover without sync) are forwarded like a new connection, as IPVS's sloppy_tcp, or
  // dropped (cfg.unknown_segments).
  if (tcp && !opening && (f.flags.rst() || cfg_.unknown_segments == UnknownSegments::Drop)) {
    drop(d.iface, *d.frame, kDropUnknownConn);
    return true;
  }
  const ServerId s = dispatchers_[c]->choose_server(t.all_server_conns());
  if (s == protocols::kNoServer) {
    drop(d.iface, *d.frame, kDropNoServer);
    return true;
  }
  after_update(t.insert(sim().now(), key, s, f.flags));
  forward(d, c, s, true);
  return true;
}

void Balancer::after_update(const protocols::ConnTable::Update& u) {
  const Time now = sim().now();
  if (u.created) {
    auto& trace = sim().trace();
    if (trace.wants<protocols::ConnEvent>()) {
      const auto conn = table_->conn(u.id);
      trace.publish(
          protocols::ConnEvent{now, id(), protocols::ConnOp::Add, conn.key, server_ips_[u.server], u.to});
    }
    if (!expire_timer_.pending()) expire_timer_.schedule_at(table_->next_deadline());
  }
  if (u.sync && cfg_.sync.mode != SyncMode::Off) {
    sync_out_->queue(now, table_->sync_entry(u.id, now));
    if (!sync_timer_.pending() || sync_out_->next_deadline() < sync_timer_.expiry()) rearm_sync();
  }
}

void Balancer::forward(const net::RxDatagram& d, std::size_t c, ServerId s, bool created) {
  const Ipv4 server = server_ips_[s];
  ++counters_.dispatched;
  if (created) ++counters_.new_connections;
  auto& trace = sim().trace();
  if (trace.wants<Dispatched>())
    trace.publish(
        Dispatched{sim().now(), id(), cfg_.clusters[c].address, s, server, (*d.frame)->id, created});
  // Seed: "identifies in its ARP table the physical hardware address associated with the
  // selected network server IP address". A datagram waiting for resolution is released by the
  // ARP table with the same rewrite (destination = the server's MAC, source = our NIC's).
  link::FrameRef frame = *d.frame;
  if (auto mac = arp(server_side_).resolve(server, frame)) send_frame(server_side_, std::move(frame), *mac);
}

// --- the manager's periodic update and the table's expiry ------------------------------------

void Balancer::rearm_manager() {
  Time next = Time::max();
  for (const auto& d : dispatchers_) next = std::min(next, d->next_deadline());
  manager_timer_.schedule_at(next);
}

void Balancer::on_manager_timer() {
  const Time now = sim().now();
  for (std::size_t c = 0; c < dispatchers_.size(); ++c) {
    auto& d = *dispatchers_[c];
    if (d.next_deadline() <= now && d.poll(now, table_->all_server_conns())) publish_weights(c);
  }
  rearm_manager();
}

void Balancer::publish_weights(std::size_t c) {
  auto& trace = sim().trace();
  if (trace.wants<protocols::WeightsRecomputed>())
    trace.publish(protocols::WeightsRecomputed{sim().now(), id(), cfg_.clusters[c].address,
                                               dispatchers_[c]->weights()});
}

void Balancer::on_expire_timer() {
  const Time now = sim().now();
  auto& trace = sim().trace();
  const bool traced = trace.wants<protocols::ConnEvent>();
  table_->expire(now, [&](const protocols::Conn& conn) {
    if (traced)
      trace.publish(protocols::ConnEvent{now, id(), protocols::ConnOp::Expire, conn.key,
                                         conn.server < server_ips_.size() ? server_ips_[conn.server] : Ipv4{},
                                         conn.state});
  });
  expire_timer_.schedule_at(table_->next_deadline());
}

}  // namespace nlb::nodes
