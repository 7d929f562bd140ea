#include "gui/model/node_tables.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace nlb::gui {

namespace {

void apply_addr(NodeTables& t, const TraceModel& m, const EventRecord& e) {
  const AddrInfo& a = m.addr(e);
  auto it =
      std::find_if(t.interfaces.begin(), t.interfaces.end(), [&](auto& i) { return i.index == e.iface; });
  if (it == t.interfaces.end()) return;
  auto& rows = it->addresses;
  auto same = [&](const AddrRow& r) { return r.ip == a.ip && r.len == a.len; };
  rows.erase(std::remove_if(rows.begin(), rows.end(), same), rows.end());
  if (a.add) rows.push_back({a.ip, a.len, a.alias, false, e.t});
}

// A protocol state change, or a balancer's view of its peer (heard/lost, split brain won/yielded).
bool is_state(const EventRecord& e) {
  return e.type == EventType::State || e.type == EventType::Peer || e.type == EventType::SplitBrain;
}

void apply_state(std::vector<StateRow>& states, const TraceModel& m, const EventRecord& e) {
  const StateInfo& s = m.state(e);
  const std::string& machine = m.text(s.machine);
  auto it = std::find_if(states.begin(), states.end(), [&](auto& r) { return r.machine == machine; });
  if (it == states.end()) {
    states.push_back({machine, {}, {}, 0});
    it = states.end() - 1;
  }
  it->state = m.text(s.to);
  it->why = m.text(s.why);
  it->since = e.t;
}

// A fault aimed at the node or one of its interfaces. Returns true when the node came back
// from a crash (rebooted).
bool apply_fault(NodeFaults& f, const TraceModel& m, const EventRecord& e, const Node& n) {
  const std::string& action = m.text(m.fault(e).action);
  auto set_link = [&](bool down) {
    for (const Interface& i : n.interfaces) {
      if (i.loopback || (e.iface >= 0 && i.index != e.iface)) continue;
      std::erase(f.links_down, i.index);
      if (down) f.links_down.push_back(i.index);
    }
  };
  bool rebooted = false;
  switch (fault_effect(action)) {
    case FaultEffect::Crash:
      f.down = true;
      f.frozen = false;  // a crash ends a freeze (models/nodes: the VM is gone)
      break;
    case FaultEffect::Recover:
      rebooted = f.down;
      f.down = f.stopped = false;
      break;
    case FaultEffect::Stop:
      f.stopped = !f.down;
      break;
    case FaultEffect::Start:
      f.stopped = false;
      break;
    case FaultEffect::Freeze:
      f.frozen = !f.down;
      break;
    case FaultEffect::Resume:
      f.frozen = false;
      break;
    case FaultEffect::LinkDown:
      set_link(true);
      break;
    case FaultEffect::LinkUp:
      set_link(false);
      break;
    case FaultEffect::None:
      return false;
  }
  f.why = f.down || f.stopped || f.frozen || !f.links_down.empty() ? action + " at " + time_str(e.t) : "";
  return rebooted;
}

void apply_arp(std::vector<ArpRow>& rows, const TraceModel& m, const EventRecord& e) {
  const ArpInfo& a = m.arp(e);
  auto it =
      std::find_if(rows.begin(), rows.end(), [&](auto& r) { return r.iface == e.iface && r.ip == a.ip; });
  if (a.op == ArpOp::Expire || a.op == ArpOp::Fail) {
    if (it != rows.end()) rows.erase(it);
    return;
  }
  if (it == rows.end()) {
    rows.push_back({e.iface, a.ip, 0, {}, 0});
    it = rows.end() - 1;
  }
  it->mac = a.mac;
  it->state = m.text(a.state);
  it->since = e.t;
}

// Keyed by the interned (client, vip) pair: a balancer may hold a large table.
using ConnMap = std::map<std::pair<std::uint32_t, std::uint32_t>, ConnRow>;

void apply_conn(ConnMap& rows, const TraceModel& m, const EventRecord& e) {
  const ConnInfo& c = m.conn(e);
  auto key = std::make_pair(c.client, c.vip);
  if (c.op == ConnOp::Expire || c.op == ConnOp::End) {
    rows.erase(key);
    return;
  }
  rows[key] =
      ConnRow{m.text(c.proto), m.text(c.client), m.text(c.vip), m.text(c.server), c.op == ConnOp::Sync, e.t};
}

template <typename F>
void for_each_before(const std::vector<std::uint32_t>& index, std::size_t pos, F f) {
  for (std::uint32_t i : index) {
    if (i >= pos) break;
    f(i);
  }
}

NodeTables tables_from_header(const Node& n, int node) {
  NodeTables t;
  t.node = node;
  t.routes = n.routes;
  for (const Interface& i : n.interfaces) {
    IfaceRow row{i.index, i.name, i.lan, i.mac, i.loopback, {}};
    for (const IfaceAddress& a : i.addresses) row.addresses.push_back({a.ip, a.len, false, true, 0});
    t.interfaces.push_back(std::move(row));
  }
  return t;
}

}  // namespace

FaultEffect fault_effect(std::string_view action) {
  static constexpr std::pair<std::string_view, FaultEffect> kEffects[] = {
      {"crash", FaultEffect::Crash},        {"recover", FaultEffect::Recover},
      {"graceful-stop", FaultEffect::Stop}, {"start", FaultEffect::Start},
      {"freeze", FaultEffect::Freeze},      {"resume", FaultEffect::Resume},
      {"link-down", FaultEffect::LinkDown}, {"link-up", FaultEffect::LinkUp},
  };
  for (auto [name, effect] : kEffects)
    if (action == name) return effect;
  return FaultEffect::None;
}

bool NodeFaults::link_down(int iface) const {
  return std::find(links_down.begin(), links_down.end(), iface) != links_down.end();
}

const char* NodeFaults::badge() const {
  return down ? "DOWN" : frozen ? "FROZEN" : stopped ? "STOPPED" : nullptr;
}

const StateRow* NodeTables::state(const std::string& machine) const {
  for (const StateRow& s : states)
    if (s.machine == machine) return &s;
  return nullptr;
}

bool NodeStatus::active() const {
  if (faults.down || faults.stopped || faults.frozen) return false;
  if (ha == "active") return true;
  return std::any_of(machines.begin(), machines.end(),
                     [](const StateRow& s) { return s.machine.starts_with("vrrp") && s.state == "master"; });
}

NodeTables fold_node(const TraceModel& m, int node, std::size_t pos, unsigned parts) {
  const Node& n = m.header().nodes[node];
  NodeTables t = tables_from_header(n, node);
  // A crash loses the node's memory: nothing of its ARP or connection tables before it
  // counts afterwards (the runner writes the ARP entries' expiry, not the connections').
  // A recovery reboots it: its interfaces start again from the scenario.
  std::size_t reset = 0;
  bool any_reset = false;
  for_each_before(m.status_events(node), pos, [&](std::uint32_t i) {
    const EventRecord& e = m.event(i);
    if (e.type == EventType::Addr) apply_addr(t, m, e);
    if (is_state(e)) apply_state(t.states, m, e);
    if (e.type != EventType::Fault) return;
    bool was_down = t.faults.down;
    bool rebooted = apply_fault(t.faults, m, e, n);
    if (t.faults.down && !was_down) {
      t.states.clear();
      reset = i;
      any_reset = true;
    }
    if (rebooted) t.interfaces = tables_from_header(n, node).interfaces;
  });
  auto after_reset = [&](std::uint32_t i) { return !any_reset || i > reset; };
  if (parts & kFoldArp)
    for_each_before(m.arp_events(node), pos, [&](std::uint32_t i) {
      if (after_reset(i)) apply_arp(t.arp, m, m.event(i));
    });
  ConnMap conns;
  if (parts & kFoldConns)
    for_each_before(m.conn_events(node), pos, [&](std::uint32_t i) {
      if (after_reset(i)) apply_conn(conns, m, m.event(i));
    });
  t.conns.reserve(conns.size());
  for (auto& [key, row] : conns) t.conns.push_back(std::move(row));
  std::sort(t.arp.begin(), t.arp.end(),
            [](auto& a, auto& b) { return std::tie(a.iface, a.ip) < std::tie(b.iface, b.ip); });
  std::sort(t.states.begin(), t.states.end(), [](auto& a, auto& b) { return a.machine < b.machine; });
  return t;
}

std::vector<NodeStatus> fold_status(const TraceModel& m, std::size_t pos) {
  std::vector<NodeStatus> out(m.header().nodes.size());
  for (std::size_t n = 0; n < out.size(); ++n) {
    NodeStatus& s = out[n];
    const Node& node = m.header().nodes[n];
    for_each_before(m.status_events(static_cast<int>(n)), pos, [&](std::uint32_t i) {
      const EventRecord& e = m.event(i);
      if (is_state(e)) apply_state(s.machines, m, e);
      if (e.type != EventType::Fault) return;
      bool was_down = s.faults.down;
      apply_fault(s.faults, m, e, node);
      if (s.faults.down && !was_down) s.machines.clear();  // its protocols died with it
    });
    for (const StateRow& r : s.machines)
      if (r.machine == "ha") s.ha = r.state;
  }
  return out;
}

std::vector<bool> fold_lans_down(const TraceModel& m, std::size_t pos) {
  std::vector<bool> down(m.header().lans.size(), false);
  for_each_before(m.fault_events(), pos, [&](std::uint32_t i) {
    const EventRecord& e = m.event(i);
    // A LAN's fault names the LAN and no node (a node's link names the node).
    if (e.lan < 0 || e.node >= 0 || static_cast<std::size_t>(e.lan) >= down.size()) return;
    FaultEffect effect = fault_effect(m.text(m.fault(e).action));
    if (effect == FaultEffect::LinkDown) down[e.lan] = true;
    if (effect == FaultEffect::LinkUp) down[e.lan] = false;
  });
  return down;
}

}  // namespace nlb::gui
