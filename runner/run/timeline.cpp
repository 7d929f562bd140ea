#include "runner/run/timeline.hpp"

#include "models/link/lan.hpp"

namespace nlb::run {

using link::IfIndex;
using runner::FaultAction;
using runner::kNone;
using sim::Time;

Timeline::Timeline(sim::Simulation& sim, const runner::Scenario& s, Built& built)
    : sim_(sim),
      s_(s),
      b_(built),
      applied_(s.timeline.size(), Time::max()),
      pair_node_(s.timeline.size(), kNone),
      previous_service_(s.timeline.size(), Time::zero()) {}

void Timeline::schedule() {
  for (std::size_t k = 0; k < s_.timeline.size(); ++k)
    sim_.schedule_at(s_.timeline[k].at, [this, k] { apply(k); });
}

void Timeline::publish(std::size_t k, bool end) {
  auto& trace = sim_.trace();
  if (trace.wants<FaultApplied>()) trace.publish(FaultApplied{sim_.now(), k, &s_.timeline[k], end});
}

std::size_t Timeline::active_member(const BuiltPair& p) const {
  for (nodes::Balancer* m : p.members)
    if (m->running() && m->ha_state() == wire::HaState::Active) return m->id();
  return p.members[0]->id();
}

void Timeline::apply(std::size_t k) {
  const runner::FaultSpec& f = s_.timeline[k];
  applied_[k] = sim_.now();
  if (f.pair_index != kNone) pair_node_[k] = active_member(b_.pairs[f.pair_index]);
  // Published first, so that a trace shows the fault before what it causes.
  publish(k, false);
  nodes::Node* node = f.node_index == kNone ? nullptr : b_.nodes[f.node_index];
  switch (f.action) {
    case FaultAction::Crash:
      node->crash();
      break;
    case FaultAction::Recover:
      node->recover();
      break;
    case FaultAction::GracefulStop:
      node->graceful_stop();
      break;
    case FaultAction::Start:
      node->start();
      break;
    case FaultAction::LinkDown:
    case FaultAction::LinkUp:
      set_links(f, f.action == FaultAction::LinkUp);
      break;
    case FaultAction::HeartbeatLoss:
      set_heartbeats(f, false);
      break;
    case FaultAction::Freeze:
      node->freeze();
      break;
    case FaultAction::SetLoss:
      set_loss(f, f.probability.value_or(0.0));
      break;
    case FaultAction::SlowServer: {
      auto& server = static_cast<nodes::Server&>(*node);
      previous_service_[k] = server.http().config().service.mean();
      if (f.service_time) server.set_service_time(service_time_of(*f.service_time));
      break;
    }
    case FaultAction::AdminTakeover: {
      // ND `dscontrol highavailability takeover`, given to the standby of the pair.
      for (nodes::Balancer* m : b_.pairs[f.pair_index].members)
        if (m->running() && m->ha_state() == wire::HaState::Standby) {
          m->takeover();
          break;
        }
      break;
    }
  }
  const bool lasts = f.action == FaultAction::Freeze || f.action == FaultAction::HeartbeatLoss;
  if (lasts && f.duration) sim_.schedule_in(*f.duration, [this, k] { finish(k); });
}

void Timeline::finish(std::size_t k) {
  const runner::FaultSpec& f = s_.timeline[k];
  publish(k, true);
  if (f.action == FaultAction::Freeze)
    b_.nodes[f.node_index]->resume();
  else if (f.action == FaultAction::HeartbeatLoss)
    set_heartbeats(f, true);
}

void Timeline::set_links(const runner::FaultSpec& f, bool up) {
  if (f.node_index != kNone) {
    for (std::size_t i = 0; i < s_.nodes[f.node_index].interfaces.size(); ++i) {
      if (f.interface_index != kNone && i != f.interface_index) continue;
      if (nodes::Node* n = b_.nodes[f.node_index]) {
        n->set_link(static_cast<IfIndex>(i), up);
      } else if (link::Device* d = b_.device(f.node_index, i); d && d->lan()) {
        d->lan()->set_port_up(d->port(), up);  // an external node's cable, switch to veth
      }
    }
    return;
  }
  link::Lan& lan = *b_.lans[f.lan_index];
  for (link::PortIndex p = 0; p < lan.port_count(); ++p) lan.set_port_up(p, up);
}

void Timeline::set_loss(const runner::FaultSpec& f, double p) {
  // out = what the node sends (NIC -> switch), in = what it receives; a LAN: every cable, both.
  const bool out = f.direction != runner::LossDirection::In;
  const bool in = f.direction != runner::LossDirection::Out;
  auto set = [&](link::Lan& lan, link::PortIndex port) {
    link::LinkConfig c = lan.link_config(port);
    if (out) c.loss_out = p;
    if (in) c.loss_in = p;
    lan.set_link_config(port, c);
  };
  if (f.node_index != kNone) {
    for (std::size_t i = 0; i < s_.nodes[f.node_index].interfaces.size(); ++i) {
      if (f.interface_index != kNone && i != f.interface_index) continue;
      link::Device* d = b_.device(f.node_index, i);
      if (d && d->lan()) set(*d->lan(), d->port());
    }
    return;
  }
  link::Lan& lan = *b_.lans[f.lan_index];
  for (link::PortIndex port = 0; port < lan.port_count(); ++port) set(lan, port);
}

void Timeline::set_heartbeats(const runner::FaultSpec& f, bool up) {
  for (nodes::Balancer* m : b_.pairs[f.pair_index].members)
    for (std::size_t k = 0; k < m->config().peer_addresses.size(); ++k) m->set_heartbeat_path(k, up);
}

}  // namespace nlb::run
