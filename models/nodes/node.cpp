#include "models/nodes/node.hpp"

#include <algorithm>

#include "models/link/lan.hpp"

namespace nlb::nodes {

const char* to_string(Role r) {
  switch (r) {
    case Role::Client:
      return "client";
    case Role::Internet:
      return "internet";
    case Role::Firewall:
      return "firewall";
    case Role::Balancer:
      return "balancer";
    case Role::Server:
      return "server";
  }
  return "?";
}

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::Crash:
      return "crash";
    case FaultKind::Recover:
      return "recover";
    case FaultKind::GracefulStop:
      return "graceful-stop";
    case FaultKind::Start:
      return "start";
    case FaultKind::LinkDown:
      return "link-down";
    case FaultKind::LinkUp:
      return "link-up";
    case FaultKind::Freeze:
      return "freeze";
    case FaultKind::Resume:
      return "resume";
    case FaultKind::HeartbeatPathDown:
      return "heartbeat-path-down";
    case FaultKind::HeartbeatPathUp:
      return "heartbeat-path-up";
  }
  return "?";
}

// --- RoleTimer -------------------------------------------------------------------------------

RoleTimer::RoleTimer(Node& node, sim::Callback on_expiry)
    : node_(node), on_expiry_(std::move(on_expiry)), timer_(node.sim(), [this] { fire(); }) {}

RoleTimer::~RoleTimer() {
  if (held_) node_.forget(this);
}

void RoleTimer::schedule_at(Time at) {
  if (held_) {
    node_.forget(this);
    held_ = false;
  }
  if (at == Time::max()) {
    timer_.cancel();
    return;
  }
  timer_.schedule_at(std::max(at, node_.sim().now()));
}

void RoleTimer::cancel() { schedule_at(Time::max()); }

void RoleTimer::fire() {
  if (node_.frozen()) {
    held_ = true;
    node_.hold(this);
    return;
  }
  on_expiry_();
}

// --- Node ------------------------------------------------------------------------------------

Node::Node(sim::Simulation& sim, link::FramePool& pool, NodeId id, std::string name, Role role,
           net::HostConfig config, const transport::TcpConfig& tcp)
    : net::Host(sim, pool, id, name, config), role_(role), transport_(*this, tcp, "isn/" + name) {
  transport_.tcp().set_trace(&sim.trace(), id);
  // Registered after the transport's own listener: TCP forgets its connections first.
  on_state_change([this](bool up) { on_host_state(up); });
}

Node::~Node() {
  for (RoleTimer* t : held_) t->held_ = false;
}

void Node::boot() {
  if (booted_) return;
  booted_ = true;
  stopped_ = false;
  on_boot();
}

void Node::on_host_state(bool up) {
  if (!booted_) return;
  if (up) {
    stopped_ = false;
    on_boot();
    return;
  }
  // A crash ends a freeze: the VM is gone, and what it was waiting for with it.
  frozen_ = false;
  for (RoleTimer* t : held_) t->held_ = false;
  held_.clear();
  on_crash();
}

void Node::crash() {
  if (!up()) return;
  publish_fault(FaultKind::Crash);
  set_up(false);
}

void Node::recover() {
  if (up()) return;
  publish_fault(FaultKind::Recover);
  set_up(true);
}

void Node::graceful_stop() {
  if (!up() || stopped_ || !booted_) return;
  publish_fault(FaultKind::GracefulStop);
  stopped_ = true;
  on_stop();
}

void Node::start() {
  if (!up() || !stopped_) return;
  publish_fault(FaultKind::Start);
  stopped_ = false;
  on_start();
}

void Node::set_link(IfIndex i, bool up) {
  link::Device& d = device(i);
  if (!d.lan()) return;
  publish_fault(up ? FaultKind::LinkUp : FaultKind::LinkDown, i);
  d.lan()->set_port_up(d.port(), up);
}

void Node::freeze() {
  if (frozen_ || !up()) return;
  publish_fault(FaultKind::Freeze);
  frozen_ = true;
  for (const auto& itf : interfaces().all()) {
    if (!itf.loopback) device(itf.index).set_up(false, kDropFrozen);
  }
}

void Node::resume() {
  if (!frozen_) return;
  publish_fault(FaultKind::Resume);
  frozen_ = false;
  for (const auto& itf : interfaces().all()) {
    if (!itf.loopback) device(itf.index).set_up(itf.admin_up);
  }
  // Timers that came due while frozen fire now, late, in the order they came due.
  std::vector<RoleTimer*> due;
  due.swap(held_);
  for (RoleTimer* t : due) {
    t->held_ = false;
    t->timer_.schedule_at(sim().now());
  }
}

void Node::forget(RoleTimer* t) { std::erase(held_, t); }

void Node::publish_fault(FaultKind kind, IfIndex iface) {
  auto& trace = sim().trace();
  if (trace.wants<NodeFault>()) trace.publish(NodeFault{sim().now(), id(), kind, iface});
}

}  // namespace nlb::nodes
