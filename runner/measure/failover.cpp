#include "runner/measure/failover.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

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

FailoverMeter::FailoverMeter(sim::Simulation& sim, FailoverTargets targets, Time loss_window)
    : t_(std::move(targets)), loss_window_(loss_window) {
  subscribe(sim.trace());
}

void FailoverMeter::mark(Time at, NodeId node) {
  if (watch(at, node)) return;  // marked twice (a NodeFault and the runner's mark)
  if (!watches_.empty() && watches_.back().at < at) {
    // A later fault: the earlier ones' outage windows end here.
    for (std::size_t k = open_watches_; k < watches_.size(); ++k) {
      Watch& w = watches_[k];
      w.longest_gap = std::max(w.longest_gap, at - w.last_dispatch);
      w.closed = true;
    }
    for (std::size_t k = loss_open_; k < watches_.size(); ++k)
      watches_[k].loss_end = std::min(watches_[k].loss_end, at);
    open_watches_ = watches_.size();
  }
  watches_.push_back({at, node, server_address(node), {}, {}, at, Time::zero(), false, at + loss_window_, 0});
  want_datagram_.push_back(watches_.size() - 1);
  want_response_.push_back(watches_.size() - 1);
  add_point(at);
}

void FailoverMeter::add_point(Time at) {
  if (points_.empty() || points_.back().at < at) points_.push_back({at});
}

const FailoverMeter::Watch* FailoverMeter::watch(Time at, NodeId node) const {
  for (auto it = watches_.rbegin(); it != watches_.rend(); ++it) {
    if (it->at == at && it->node == node) return &*it;
    if (it->at < at) break;
  }
  return nullptr;
}

void FailoverMeter::subscribe(sim::TraceBus& trace) {
  trace.subscribe<nodes::NodeFault>([this](const nodes::NodeFault& e) {
    // The end of a fault's duration (a resume, heartbeats flowing again) is not a fault: it
    // must not end the outage window of the fault it ends.
    if (e.kind != nodes::FaultKind::Resume && e.kind != nodes::FaultKind::HeartbeatPathUp) mark(e.at, e.node);
  });
  trace.subscribe<protocols::HaStateChanged>([this](const protocols::HaStateChanged& e) {
    if (e.to == wire::HaState::Active) changes_.push_back({e.at, e.node, Kind::BalancerActive, {}});
    on_role(e.at, e.node, kBalancers, e.from == wire::HaState::Active, e.to == wire::HaState::Active);
  });
  trace.subscribe<protocols::VrrpStateChanged>([this](const protocols::VrrpStateChanged& e) {
    if (e.to == protocols::VrrpState::Master) changes_.push_back({e.at, e.node, Kind::FirewallMaster, {}});
    on_role(e.at, e.node, e.vrid, e.from == protocols::VrrpState::Master,
            e.to == protocols::VrrpState::Master);
  });
  trace.subscribe<protocols::ServerHealthChanged>([this](const protocols::ServerHealthChanged& e) {
    if (!e.up) changes_.push_back({e.at, e.node, Kind::ServerDown, e.server_address});
    if (e.up) add_point(e.at);  // a server back in service (RestoreRecorder's "back")
  });
  // A crash ends every role of the node without a state change event.
  trace.subscribe<nodes::NodeFault>([this](const nodes::NodeFault& e) {
    if (e.kind == nodes::FaultKind::Crash) roles_.push_back({e.at, e.node, kNoGroup, false});
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
      count_loss(e.at, e.frame->id, e.at);
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

void FailoverMeter::on_role(Time at, NodeId node, std::uint16_t group, bool was, bool is) {
  if (was != is) roles_.push_back({at, node, group, is});
  if (is && !was) add_point(at);  // a node back in service (RestoreRecorder's "back")
}

void FailoverMeter::on_dispatch(const nodes::Dispatched& e) {
  for (std::size_t k = open_watches_; k < watches_.size(); ++k) {
    Watch& w = watches_[k];
    w.longest_gap = std::max(w.longest_gap, e.at - w.last_dispatch);
    w.last_dispatch = e.at;
  }
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
  // Open at every point in (opened, closed].
  auto p = std::upper_bound(points_.begin(), points_.end(), opened,
                            [](Time t, const Point& x) { return t < x.at; });
  for (; p != points_.end() && p->at <= e.at; ++p) {
    ++p->open;
    if (e.outcome == transport::TcpOutcome::Completed) ++p->completed;
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
      count_loss(pending_.front().at, pending_.front().frame, now);
    pending_.pop_front();
  }
}

// A datagram lost at `at` (settled `now`: a filtered copy is known lost kCopyHorizon later).
void FailoverMeter::count_loss(Time at, std::uint64_t frame, Time now) {
  retire_loss_windows(now);
  if (loss_open_ == watches_.size()) return;  // no fault's window is open: nobody asks
  const auto [it, first] = lost_at_.try_emplace(frame, at);
  const Time before = it->second;
  it->second = std::max(it->second, at);
  for (std::size_t k = loss_open_; k < watches_.size(); ++k) {
    Watch& w = watches_[k];
    if (w.at <= at && at < w.loss_end && (first || before < w.at)) ++w.lost;
  }
}

// Windows that ended more than kCopyHorizon ago can count nothing more (a filtered copy settles
// that late); the frames lost before the oldest open window's start are not needed any more.
void FailoverMeter::retire_loss_windows(Time now) {
  const std::size_t was = loss_open_;
  while (loss_open_ < watches_.size() && watches_[loss_open_].loss_end + kCopyHorizon <= now) ++loss_open_;
  if (loss_open_ == was) return;
  if (loss_open_ == watches_.size()) {
    lost_at_.clear();
    return;
  }
  const Time oldest = watches_[loss_open_].at;
  std::erase_if(lost_at_, [oldest](const auto& e) { return e.second < oldest; });
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

std::pair<std::size_t, std::size_t> FailoverMeter::connections_at(Time at) const {
  auto p =
      std::lower_bound(points_.begin(), points_.end(), at, [](const Point& x, Time t) { return x.at < t; });
  if (p == points_.end() || p->at != at) return {0, 0};
  // Still open when the run ends is not broken: a keep-alive connection outlives the run.
  std::size_t still_open = 0;
  for (const auto& [key, c] : conns_) still_open += c.opened < at;
  return {p->open + still_open, p->completed + still_open};
}

std::size_t FailoverMeter::takeovers(Time from, Time until) const {
  std::size_t n = 0;
  for (const Change& c : changes_)
    if (c.at >= from && c.at < until && c.kind != Kind::ServerDown) ++n;
  return n;
}

Time FailoverMeter::dual_master_time(Time from, Time until) const {
  // Who holds the role in each group, replayed in order; time with two or more holders in one
  // group counts, clipped to [from, until).
  std::map<std::uint16_t, std::set<NodeId>> holders;
  auto doubled = [&holders] {
    return std::any_of(holders.begin(), holders.end(), [](const auto& g) { return g.second.size() >= 2; });
  };
  Time total;
  auto add = [&](Time a, Time b) {
    a = std::max(a, from);
    b = std::min(b, until);
    if (b > a) total += b - a;
  };
  Time since = Time::max();
  for (const Role& r : roles_) {
    if (r.at >= until) break;
    const bool before = doubled();
    if (r.group == kNoGroup) {
      for (auto& [group, nodes] : holders) nodes.erase(r.node);
    } else if (r.on) {
      holders[r.group].insert(r.node);
    } else {
      holders[r.group].erase(r.node);
    }
    const bool after = doubled();
    if (!before && after) since = r.at;
    if (before && !after) {
      add(since, r.at);
      since = Time::max();
    }
  }
  if (since != Time::max() && until != Time::max()) add(since, until);
  return total;
}

FailoverResult FailoverMeter::measure(Time at, NodeId node, Time until) const {
  FailoverResult r;
  r.at = at;
  r.node = node;
  r.detection = detection(at, node);
  r.arp_update = arp_update(at, node);
  r.takeovers = takeovers(at, until);
  r.dual_master = dual_master_time(at, until);
  const Watch* w = watch(at, node);
  if (!w) return r;
  r.outage = w->longest_gap;
  if (!w->closed && until != Time::max()) r.outage = std::max(r.outage, until - w->last_dispatch);
  r.first_datagram = w->first_datagram;
  r.first_response = w->first_response;
  r.datagrams_lost = w->lost;
  std::set<std::uint64_t> unsettled;  // the last few seconds' filtered copies
  for (const Pending& d : pending_) {
    if (d.at < at || d.at >= w->loss_end || received_.contains(d.frame)) continue;
    const auto counted = lost_at_.find(d.frame);
    if (counted == lost_at_.end() || counted->second < at) unsettled.insert(d.frame);
  }
  r.datagrams_lost += unsettled.size();
  std::tie(r.connections_open, r.connections_completed) = connections_at(at);
  return r;
}

}  // namespace nlb::measure
