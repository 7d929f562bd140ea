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

void FailoverMeter::subscribe(sim::TraceBus& trace) {
  trace.subscribe<nodes::NodeFault>([this](const nodes::NodeFault& e) { faults_.push_back(e); });
  trace.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    if (e.to == wire::HaState::Active) changes_.push_back({e.at, e.node, Kind::BalancerActive, {}});
  });
  trace.subscribe<protocols::VrrpStateChanged>([this](const protocols::VrrpStateChanged& e) {
    if (e.to == protocols::VrrpState::Master) changes_.push_back({e.at, e.node, Kind::FirewallMaster, {}});
  });
  trace.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    if (!e.up) changes_.push_back({e.at, e.node, Kind::ServerDown, e.server_address});
  });
  trace.subscribe<nodes::Dispatched>([this](const nodes::Dispatched& e) {
    dispatches_.push_back({e.at, e.node, e.server_address});
  });
  trace.subscribe<nodes::RequestDone>([this](const nodes::RequestDone& e) {
    requests_.push_back({e.record.start, e.record.end, e.record.outcome == apps::HttpOutcome::Ok});
  });
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
    drops_.push_back({e.at, e.frame->id, e.reason == std::string_view(link::drop::kFiltered)});
  });
  trace.subscribe<link::FrameReceived>([this](const link::FrameReceived& e) {
    if (e.frame && flow_frame(e.frame)) received_.insert(e.frame->id);
  });
  trace.subscribe<transport::TcpOpenedEvent>([this](const transport::TcpOpenedEvent& e) {
    if (e.passive ||
        std::find(t_.clusters.begin(), t_.clusters.end(), e.tuple.remote.addr) == t_.clusters.end())
      return;
    conns_.push_back({e.node, e.conn, e.at});
  });
  trace.subscribe<transport::TcpClosedEvent>([this](const transport::TcpClosedEvent& e) {
    if (e.passive) return;
    for (auto it = conns_.rbegin(); it != conns_.rend(); ++it) {
      if (it->node == e.node && it->id == e.conn) {
        it->closed = e.at;
        it->outcome = e.outcome;
        return;
      }
    }
  });
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
  const Ipv4 server = server_address(node);
  for (const Dispatch& d : dispatches_) {
    if (d.at >= at && d.node != node && d.server != server) {
      r.first_datagram = d.at - at;
      break;
    }
  }
  for (const Request& q : requests_) {
    if (q.ok && q.start >= at && (!r.first_response || q.end - at < *r.first_response))
      r.first_response = q.end - at;
  }
  std::set<std::uint64_t> lost;
  for (const Drop& d : drops_) {
    if (d.at < at || d.at >= at + window) continue;
    if (!d.filtered || !received_.contains(d.frame)) lost.insert(d.frame);
  }
  r.datagrams_lost = lost.size();
  for (const Conn& c : conns_) {
    if (c.opened >= at || c.closed < at) continue;
    ++r.connections_open;
    if (c.outcome == transport::TcpOutcome::Completed) ++r.connections_completed;
  }
  return r;
}

}  // namespace nlb::measure
