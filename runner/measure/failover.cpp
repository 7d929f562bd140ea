#include "runner/measure/failover.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "models/link/trace_events.hpp"
#include "models/net/trace_events.hpp"
#include "models/nodes/node.hpp"
#include "models/protocols/trace_events.hpp"
#include "models/transport/tcp_stack.hpp"
#include "models/wire/ethernet.hpp"
#include "models/wire/ipv4.hpp"

namespace nlb::measure {

using link::NodeId;
using wire::Ipv4;

FailoverTargets targets_of(const net::Network& network, std::vector<Ipv4> clusters, std::vector<Ipv4> front) {
  FailoverTargets t;
  t.clusters = std::move(clusters);
  t.front = std::move(front);
  for (std::size_t i = 0; i < network.host_count(); ++i) {
    const auto* n = dynamic_cast<const nodes::Node*>(&network.host(static_cast<NodeId>(i)));
    if (!n) continue;
    if (n->role() == nodes::Role::Firewall) t.firewalls.push_back(n->id());
    if (n->role() == nodes::Role::Balancer) t.balancers.push_back(n->id());
    if (n->role() == nodes::Role::Server) t.servers.push_back({n->id(), n->interfaces().primary(0)});
  }
  return t;
}

FailoverMeter::FailoverMeter(sim::Simulation& sim, FailoverTargets targets) : t_(std::move(targets)) {
  subscribe(sim.trace());
}

void FailoverMeter::mark(Time at, NodeId node) {
  if (watch(at, node)) return;  // marked twice (a NodeFault and the runner's mark)
  watches_.push_back({at, node, server_address(node), {}, {}, 0, 0});
  want_datagram_.push_back(watches_.size() - 1);
  want_response_.push_back(watches_.size() - 1);
}

const FailoverMeter::Watch* FailoverMeter::watch(Time at, NodeId node) const {
  for (auto it = watches_.rbegin(); it != watches_.rend(); ++it) {
    if (it->at == at && it->node == node) return &*it;
    if (it->at < at) break;
  }
  return nullptr;
}

void FailoverMeter::subscribe(sim::TraceBus& trace) {
  trace.subscribe<nodes::NodeFault>([this](const nodes::NodeFault& e) { mark(e.at, e.node); });
  trace.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    if (e.to == wire::HaState::Active) changes_.push_back({e.at, e.node, Kind::BalancerActive, {}});
  });
  trace.subscribe<protocols::VrrpStateChanged>([this](const protocols::VrrpStateChanged& e) {
    if (e.to == protocols::VrrpState::Master) changes_.push_back({e.at, e.node, Kind::FirewallMaster, {}});
  });
  trace.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    if (!e.up) changes_.push_back({e.at, e.node, Kind::ServerDown, e.server_address});
  });
  trace.subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) { on_dispatch(e); });
  trace.subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) { on_request(e); });
  trace.subscribe<net::ArpChanged>([this](const net::ArpChanged& e) {
    if (!is(t_.firewalls, e.node) ||
        std::find(t_.front.begin(), t_.front.end(), e.change.ip) == t_.front.end())
      return;
    const bool gone =
        e.change.kind == net::ArpChangeKind::Expire || e.change.kind == net::ArpChangeKind::Fail;
    arp_.push_back({e.at, e.node, e.change.ip, gone ? wire::Mac::zero() : e.change.mac});
  });
  trace.subscribe<link::FrameDropped>([this](const link::FrameDropped& e) {
    if (!e.frame || !flow_frame(e.frame)) return;
    settle_pending(e.at);
    if (e.reason == std::string_view(link::drop::kFiltered))
      pending_.push_back({e.at, e.frame->id});
    else
      lost_.push_back({e.at, e.frame->id});
  });
  trace.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
    if (e.frame && flow_frame(e.frame)) on_received(e.at, e.frame->id);
  });
  trace.subscribe<transport::TcpOpenedEvent>([this](const transport::TcpOpenedEvent& e) {
    if (e.passive ||
        std::find(t_.clusters.begin(), t_.clusters.end(), e.tuple.remote.addr) == t_.clusters.end())
      return;
    conns_[std::uint64_t{e.node} << 40 | e.conn] = {e.at};
  });
  trace.subscribe<transport::TcpClosedEvent>([this](const transport::TcpClosedEvent& e) { on_closed(e); });
}

void FailoverMeter::on_dispatch(const nodes::Dispatched& e) {
  std::erase_if(want_datagram_, [&](std::size_t k) {
    Watch& w = watches_[k];
    if (e.at < w.at || e.node == w.node || e.server_address == w.server) return false;
    w.first_datagram = e.at - w.at;
    return true;
  });
}

void FailoverMeter::on_request(const nodes::RequestDone& e) {
  if (e.record.outcome != apps::HttpOutcome::Ok) return;
  // Requests end in time order: the first that started after the fault ends first.
  std::erase_if(want_response_, [&](std::size_t k) {
    Watch& w = watches_[k];
    if (e.record.start < w.at) return false;
    w.first_response = e.record.end - w.at;
    return true;
  });
}

void FailoverMeter::on_closed(const transport::TcpClosedEvent& e) {
  if (e.passive) return;
  auto it = conns_.find(std::uint64_t{e.node} << 40 | e.conn);
  if (it == conns_.end()) return;
  const Time opened = it->second.opened;
  conns_.erase(it);
  // Open at every fault in (opened, closed].
  auto w = std::upper_bound(watches_.begin(), watches_.end(), opened,
                            [](Time t, const Watch& x) { return t < x.at; });
  for (; w != watches_.end() && w->at <= e.at; ++w) {
    ++w->open;
    if (e.outcome == transport::TcpOutcome::Completed) ++w->completed;
  }
}

void FailoverMeter::on_received(Time at, std::uint64_t frame) {
  settle_pending(at);
  received_[frame] = at;
  received_order_.emplace_back(at, frame);
  while (!received_order_.empty() && received_order_.front().first + 2 * kCopyHorizon < at) {
    auto it = received_.find(received_order_.front().second);
    if (it != received_.end() && it->second == received_order_.front().first) received_.erase(it);
    received_order_.pop_front();
  }
}

void FailoverMeter::settle_pending(Time now) {
  while (!pending_.empty() && pending_.front().at + kCopyHorizon <= now) {
    if (!received_.contains(pending_.front().frame))
      lost_.push_back({pending_.front().at, pending_.front().frame});
    pending_.pop_front();
  }
}

bool FailoverMeter::is(const std::vector<NodeId>& set, NodeId n) const {
  return std::find(set.begin(), set.end(), n) != set.end();
}

bool FailoverMeter::flow_frame(const link::FrameRef& f) const {
  auto eth = wire::EthernetView::checked(f->bytes());
  if (!eth || eth->ethertype() != wire::EtherType::Ipv4) return false;
  auto ip = wire::Ipv4View::checked(eth->payload(), f->virtual_len);
  if (!ip) return false;
  auto in = [this](Ipv4 a) {
    return std::find(t_.clusters.begin(), t_.clusters.end(), a) != t_.clusters.end();
  };
  return in(ip->src()) || in(ip->dst());
}

Ipv4 FailoverMeter::server_address(NodeId node) const {
  for (const auto& [n, a] : t_.servers)
    if (n == node) return a;
  return {};
}

std::optional<Time> FailoverMeter::detection(Time at, NodeId node) const {
  const Ipv4 server = server_address(node);
  for (const Change& c : changes_) {
    if (c.at < at || c.node == node) continue;
    const bool answers = (is(t_.balancers, node) && c.kind == Kind::BalancerActive) ||
                         (is(t_.firewalls, node) && c.kind == Kind::FirewallMaster) ||
                         (!server.is_unspecified() && c.kind == Kind::ServerDown && c.server == server);
    if (answers) return c.at - at;
  }
  return std::nullopt;
}

std::optional<Time> FailoverMeter::arp_update(Time at, NodeId node) const {
  // What each surviving firewall's entry said at the fault ...
  std::map<std::pair<NodeId, std::uint32_t>, wire::Mac> before;
  for (const ArpSet& a : arp_) {
    if (a.at >= at) break;
    before[{a.node, a.ip.value()}] = a.mac;
  }
  // ... and the first time one of them says something else.
  for (const ArpSet& a : arp_) {
    if (a.at < at || a.node == node) continue;
    auto it = before.find({a.node, a.ip.value()});
    const wire::Mac old = it == before.end() ? wire::Mac::zero() : it->second;
    if (a.mac != old && a.mac != wire::Mac::zero()) return a.at - at;
  }
  return std::nullopt;
}

FailoverResult FailoverMeter::measure(Time at, NodeId node, Time window) const {
  FailoverResult r;
  r.at = at;
  r.node = node;
  r.detection = detection(at, node);
  r.arp_update = arp_update(at, node);
  const Watch* w = watch(at, node);
  if (!w) return r;
  r.first_datagram = w->first_datagram;
  r.first_response = w->first_response;
  std::set<std::uint64_t> lost;
  for (const Lost& d : lost_)
    if (d.at >= at && d.at < at + window) lost.insert(d.frame);
  for (const Pending& d : pending_)  // the last few seconds, not settled yet
    if (d.at >= at && d.at < at + window && !received_.contains(d.frame)) lost.insert(d.frame);
  r.datagrams_lost = lost.size();
  r.connections_open = w->open;
  r.connections_completed = w->completed;
  for (const auto& [key, c] : conns_) r.connections_open += c.opened < at;  // still open at the end
  return r;
}

}  // namespace nlb::measure
